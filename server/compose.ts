/**
 * The composition root: builds every domain service and router from config and a database, and
 * hands them to createApp. boot.ts (the real process) and the tests both call this, so tests run
 * the same wiring as production and swap only what they pass in.
 */
import type { Express, RequestHandler, Router } from 'express';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import type { Config } from './config.js';
import { poolStats } from './db/db.js';
import { pendingMigrations } from './db/migrations.js';
import { createHealthService } from './health/health.service.js';
import { createMetrics, type Metrics } from './http/metrics.js';

/** Something that runs beside the HTTP server (sequencer, checkpointer, webhook sender ...). */
export interface BackgroundTask {
  name: string;
  start(): void;
  stop(): Promise<void>;
}

export interface ComposeOptions {
  config: Readonly<Config>;
  db: Knex;
  logger: Logger;
  /** Test-only: routers mounted before the API contract (pages) or after it. */
  extraPageRouters?: Router[];
  extraApiRouters?: Router[];
  readinessTimeoutMs?: number;
  /**
   * Test-only: replaces the authentication middleware (which sets res.locals.principal) so a
   * domain can be tested before or without the identity providers.
   */
  authenticate?: RequestHandler;
}

export interface Composition {
  app: Express;
  metrics: Metrics;
  background: BackgroundTask[];
  setDraining(value: boolean): void;
}

export async function compose(options: ComposeOptions): Promise<Composition> {
  const { config, db, logger } = options;
  let draining = false;
  const metrics = createMetrics(() => poolStats(db));
  const health = createHealthService({
    pingDatabase: async () => void (await db.raw('select 1')),
    pendingMigrations: () => pendingMigrations(db),
    isDraining: () => draining,
    ...(options.readinessTimeoutMs ? { timeoutMs: options.readinessTimeoutMs } : {}),
  });

  const pageRouters: Router[] = [...(options.extraPageRouters ?? [])];
  const apiRouters: Router[] = [...(options.extraApiRouters ?? [])];
  const background: BackgroundTask[] = [];

  const authenticate: RequestHandler = options.authenticate ?? ((_req, _res, next) => next());

  const app = createApp({ config, logger, metrics, health, authenticate, pageRouters, apiRouters });
  return { app, metrics, background, setDraining: (value) => (draining = value) };
}
