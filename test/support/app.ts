/** Builds the real app (the production composition) against a fresh database, with logs captured. */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Express, RequestHandler, Router } from 'express';
import { loadCatalog, type Catalog } from '../../server/catalog/catalog.js';
import type { IdentitySetup } from '../../server/auth/identity.js';
import type { Principal } from '../../server/auth/principal.js';
import { loadConfig, type Config } from '../../server/config.js';
import { compose, type Composition } from '../../server/compose.js';
import { createLogger } from '../../server/http/logger.js';
import { freshDatabase, type TestDatabase } from './database.js';
import type { TestRegistry } from './registry.js';
import { onStopAll } from './resources.js';

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

let sharedCatalog: Catalog | undefined;
/** The catalog takes ~0.5 s to compile; every test app shares one. */
export function testCatalog(): Catalog {
  return (sharedCatalog ??= loadCatalog());
}

/**
 * Test-only authentication: the principal is read from an `X-Test-Principal` JSON header, so a
 * domain's authorization can be tested independently of the identity providers.
 */
export const principalFromTestHeader: RequestHandler = (req, res, next) => {
  const header = req.get('x-test-principal');
  if (header) res.locals.principal = JSON.parse(header) as Principal;
  next();
};

export function asPrincipal(principal: Principal): [string, string] {
  return ['X-Test-Principal', JSON.stringify(principal)];
}

export const ADMIN: Principal = { kind: 'staff', sub: 'admin', role: 'admin' };
export const AUDITOR: Principal = { kind: 'staff', sub: 'auditor', role: 'auditor' };

/** One throwaway key store per test run (keys are generated on first use). */
const TEST_KEY_DIR = join(tmpdir(), `juc-test-keys-${process.pid}`);
onStopAll(async () => rmSync(TEST_KEY_DIR, { recursive: true, force: true }));

/** Test configuration: the sample values of .env.example, overridden per test. */
export function testConfig(overrides: Record<string, string> = {}): Readonly<Config> {
  return loadConfig({
    NODE_ENV: 'test',
    BODY_LIMIT_BYTES: String(16 * 1024),
    VALIDATE_RESPONSES: 'true',
    KEY_STORE_DIR: TEST_KEY_DIR,
    // Functional tests on a loaded CI machine must not meet overload 503s; load shedding has its own
    // tests (test/reliability/load-shedder.test.ts) and the reliability harness's L2.
    SHED_MIN_IN_FLIGHT: '1000',
    SHED_MAX_IN_FLIGHT: '1000',
    ...overrides,
  });
}

export async function buildTestApp(
  options: {
    pageRouters?: Router[];
    apiRouters?: Router[];
    database?: TestDatabase;
    env?: Record<string, string>;
    authenticate?: RequestHandler;
    /** Sign-in provider and token issuers (test/support/oidc.ts starts the dev identity provider). */
    identity?: IdentitySetup;
    /** Clock for services (embargoes, checkpoint cadence). */
    now?: () => Date;
    /** The reference registry to read records from (test/support/registry.ts). */
    registry?: TestRegistry;
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
    catalog: testCatalog(),
    ...(options.authenticate ? { authenticate: options.authenticate } : {}),
    ...(options.identity ? { identity: options.identity } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.registry
      ? { registryUrl: options.registry.url, providerSigningKey: options.registry.signingKey }
      : {}),
    ...(options.pageRouters ? { extraPageRouters: options.pageRouters } : {}),
    ...(options.apiRouters ? { extraApiRouters: options.apiRouters } : {}),
  });
  return { app: composition.app, config, composition, database, logs, setDraining: composition.setDraining };
}
