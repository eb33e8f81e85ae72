/**
 * Assembles the running service: database (embedded when DATABASE_URL is unset), migrations,
 * the app, the listener, and an orderly stop. main.ts adds signals; tests call this directly.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createDb } from './db/db.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded.js';
import { migrateLatest } from './db/migrations.js';
import { compose } from './compose.js';
import { createHttpServer } from './http/http-server.js';
import { seedOrganisations } from './organisations/seed.js';
import { startIdentity, type Identity } from './auth/identity.js';
import { seedDemoAccess, writeDemoClientKeys } from './dev/demo-clients.js';
import { startReferenceRegistry, type ReferenceRegistry } from './dev/registry/registry-server.js';
import { seedDemoRegistryIfEmpty } from './dev/registry/registry-seed.js';
import { loadProviderSigningKey } from './providers/provider-key.js';

/** How long a stopping process keeps answering (with Connection: close) before closing sockets. */
const DRAIN_GRACE_MS = 1000;

export interface RunningService {
  url: string;
  server: Server;
  db: Knex;
  /** Console lines about sign-in: the dev identity provider and its demo accounts, when it runs. */
  identityLines: string[];
  /** Stop accepting, drain in-flight requests up to the timeout, close the pool and the embedded database. */
  stop(): Promise<void>;
}

export async function startService(config: Readonly<Config>, logger: Logger): Promise<RunningService> {
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    logger.info({ dir: config.embeddedPg.dir }, 'DATABASE_URL is unset: starting the embedded PostgreSQL');
    embedded = await startEmbeddedPostgres({
      dataDir: config.embeddedPg.dir,
      port: config.embeddedPg.port,
      persistent: true,
      log: (line) => logger.warn(line),
    });
    databaseUrl = embedded.url;
  }

  const db = createDb({
    url: databaseUrl,
    poolMax: config.db.poolMax,
    statementTimeoutMs: config.db.statementTimeoutMs,
  });
  try {
    const applied = await migrateLatest(db);
    logger.info({ applied }, applied.length ? 'migrations applied' : 'database schema is up to date');
  } catch (err) {
    await db.destroy();
    await embedded?.stop();
    throw err;
  }

  let identity: Identity;
  try {
    identity = await startIdentity({ config, db, logger });
  } catch (err) {
    await db.destroy();
    await embedded?.stop();
    throw err;
  }

  // No REGISTRY_URL outside production: the reference registry (synthetic data) runs in-process.
  const providerSigningKey = await loadProviderSigningKey({
    keyStoreDir: config.keyStoreDir,
    allowGenerate: config.nodeEnv !== 'production',
  });
  let registry: ReferenceRegistry | undefined;
  if (!config.providers.registryUrl && config.nodeEnv !== 'production') {
    if (config.seedDemoData) {
      const seeded = await seedDemoRegistryIfEmpty(db);
      if (seeded) logger.info(seeded, 'reference registry seeded with demo subjects');
    }
    registry = await startReferenceRegistry({ db, port: 0, trustedKeys: [providerSigningKey.jwk] });
    logger.info({ url: registry.url }, 'reference registry listening');
  }

  const composition = await compose({
    config,
    db,
    logger,
    identity: identity.setup,
    providerSigningKey,
    ...(registry ? { registryUrl: registry.url } : {}),
  });
  const { app } = composition;
  if (config.seedDemoData) {
    const { created } = await seedOrganisations(composition.services.organisations);
    if (created) logger.info({ created }, 'demo organisations and purposes loaded');
    const access = await seedDemoAccess(composition.services.organisations, {
      idpIssuer: identity.devIdp?.issuer,
    });
    if (access.clients || access.clerks) logger.info(access, 'demo API clients and clerks registered');
    if (identity.devIdp) await writeDemoClientKeys(config.auth.devDataDir);
  }
  for (const task of composition.background) task.start();

  const server = createHttpServer(app, logger);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url =
    config.publicUrl ?? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  identity.gatewayListening(url);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      composition.setDraining(true);
      // A grace period before closing: closing an idle keep-alive socket races a request its client
      // may be sending on it right then, which the client sees as a reset it cannot tell from a
      // crash. Meanwhile every answer carries Connection: close (app.ts), so busy clients close
      // their sockets themselves (the fault suite's SIGTERM run: 4 network errors without this).
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(DRAIN_GRACE_MS, config.shutdownTimeoutMs / 2)),
      );
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive sockets become idle as their last response finishes; close them as they do.
      const reaper = setInterval(() => server.closeIdleConnections(), 50);
      server.closeIdleConnections();
      const deadline = new Promise<'timeout'>((resolve) =>
        setTimeout(() => resolve('timeout'), config.shutdownTimeoutMs).unref(),
      );
      if ((await Promise.race([closed, deadline])) === 'timeout') {
        logger.warn({ timeoutMs: config.shutdownTimeoutMs }, 'closing connections still in flight');
        server.closeAllConnections();
        await closed;
      }
      clearInterval(reaper);
      for (const task of composition.background) await task.stop();
      await identity.stop();
      await registry?.stop();
      await db.destroy();
      await embedded?.stop();
    })());

  const registryLines = registry
    ? [`  Registry        ${registry.url} (reference registry, synthetic data)`]
    : [];
  return { url, server, db, identityLines: [...identity.describe(), ...registryLines], stop };
}
