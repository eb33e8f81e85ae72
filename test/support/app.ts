/** Builds the real app against a fresh database, with logs captured for assertions. */
import { Writable } from 'node:stream';
import type { Router } from 'express';
import type { Express } from 'express';
import { createApp } from '../../server/app.js';
import { poolStats } from '../../server/db/db.js';
import { pendingMigrations } from '../../server/db/migrations.js';
import { createHealthService } from '../../server/health/health.service.js';
import { createLogger } from '../../server/http/logger.js';
import { createMetrics } from '../../server/http/metrics.js';
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
  database: TestDatabase;
  logs: LogCapture;
  setDraining(value: boolean): void;
}

export async function buildTestApp(
  options: { pageRouters?: Router[]; apiRouters?: Router[]; database?: TestDatabase } = {},
): Promise<TestApp> {
  const database = options.database ?? (await freshDatabase());
  const logs = new LogCapture();
  const logger = createLogger('info', logs);
  let draining = false;
  const metrics = createMetrics(() => poolStats(database.db));
  const health = createHealthService({
    pingDatabase: async () => void (await database.db.raw('select 1')),
    pendingMigrations: () => pendingMigrations(database.db),
    isDraining: () => draining,
    timeoutMs: 1000,
  });
  const app = createApp({
    config: { bodyLimitBytes: 1024 * 16, validateResponses: true, trustProxy: 'loopback' },
    logger,
    metrics,
    health,
    ...(options.pageRouters ? { pageRouters: options.pageRouters } : {}),
    ...(options.apiRouters ? { apiRouters: options.apiRouters } : {}),
  });
  return { app, database, logs, setDraining: (v) => (draining = v) };
}
