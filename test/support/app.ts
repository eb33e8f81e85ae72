/** Builds the real app (the production composition) against a fresh database, with logs captured. */
import { Writable } from 'node:stream';
import type { Express, Router } from 'express';
import { loadConfig, type Config } from '../../server/config.js';
import { compose, type Composition } from '../../server/compose.js';
import { createLogger } from '../../server/http/logger.js';
import { freshDatabase, type TestDatabase } from './database.js';

export class LogCapture extends Writable {
  lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void) {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
  get text(): string {
    return this.lines.join('\n');
  }
  records(): Record<string, unknown>[] {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

export interface TestApp {
  app: Express;
  config: Readonly<Config>;
  composition: Composition;
  database: TestDatabase;
  logs: LogCapture;
  setDraining(value: boolean): void;
}

/** Test configuration: the sample values of .env.example, overridden per test. */
export function testConfig(overrides: Record<string, string> = {}): Readonly<Config> {
  return loadConfig({
    NODE_ENV: 'test',
    BODY_LIMIT_BYTES: String(16 * 1024),
    VALIDATE_RESPONSES: 'true',
    ...overrides,
  });
}

export async function buildTestApp(
  options: {
    pageRouters?: Router[];
    apiRouters?: Router[];
    database?: TestDatabase;
    env?: Record<string, string>;
  } = {},
): Promise<TestApp> {
  const database = options.database ?? (await freshDatabase());
  const config = testConfig({ ...options.env });
  const logs = new LogCapture();
  const logger = createLogger('info', logs);
  const composition = await compose({
    config,
    db: database.db,
    logger,
    readinessTimeoutMs: 1000,
    ...(options.pageRouters ? { extraPageRouters: options.pageRouters } : {}),
    ...(options.apiRouters ? { extraApiRouters: options.apiRouters } : {}),
  });
  return { app: composition.app, config, composition, database, logs, setDraining: composition.setDraining };
}
