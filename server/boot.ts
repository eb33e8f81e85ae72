/**
 * Assembles the running service: database (embedded when DATABASE_URL is unset), migrations,
 * the app, the listener, and an orderly stop. main.ts adds signals; tests call this directly.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Knex } from 'knex';
import type { Catalog } from './catalog/catalog.types.js';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createDb } from './db/db.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded.js';
import { migrateLatest } from './db/migrations.js';
import { compose } from './compose.js';
import { createHttpServer } from './http/http-server.js';
import { seedOrganisations } from './organisations/seed.js';
import { startDevWitnesses } from './witness/dev-witnesses.js';
import type { Identity } from './auth/identity.js';
import { seedDemoAccess, writeDemoClientKeys } from './dev/demo-clients.js';
import { startIdentityOrDevIdp } from './dev/dev-identity.js';
import { startMailSink } from './dev/mail-sink.js';
import { loadCatalog } from './catalog/catalog.js';
import { demoCitizenHoldings, demoCitizenLines } from './dev/registry/demo-listing.js';
import { startHolderRegistries, type HolderRegistries } from './dev/registry/registry-holders.js';
import { seedDemoRegistryIfEmpty } from './dev/registry/registry-seed.js';
import { loadProviderSigningKey, type RequestSigningKey } from './providers/provider-key.js';
import { resolveHolderLinks } from './providers/provider-config.js';

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
    poolIdleMs: config.db.poolIdleMs,
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
    identity = await startIdentityOrDevIdp({ config, db, logger });
  } catch (err) {
    await db.destroy();
    await embedded?.stop();
    throw err;
  }

  const providerSigningKey = await loadProviderSigningKey({
    keyStoreDir: config.keyStoreDir,
    allowGenerate: config.nodeEnv !== 'production',
  });
  // Outside production, every holder without a configured registry (HOLDERS, HOLDERS_FILE,
  // REGISTRY_URL) gets a reference registry of its own in-process: its own port, its own key.
  const catalog = loadCatalog();
  let registries: HolderRegistries | undefined;
  const holderKeys: Record<string, RequestSigningKey> = {};
  let registryLines: string[] = [];
  const configured = new Set(resolveHolderLinks(config, catalog).map((l) => l.holder.id));
  const missing = catalog.holders().filter((h) => !configured.has(h.id));
  if (missing.length && config.nodeEnv !== 'production') {
    if (config.seedDemoData) {
      const seeded = await seedDemoRegistryIfEmpty(db);
      if (seeded) logger.info(seeded, 'reference registry seeded with demo subjects');
    }
    for (const holder of missing) {
      holderKeys[holder.id] = await loadProviderSigningKey({
        keyStoreDir: config.keyStoreDir,
        holder: holder.id,
        allowGenerate: true,
      });
    }
    registries = await startHolderRegistries({
      db,
      catalog,
      holders: missing.map((h) => h.id),
      trustedKeys: (code) => [holderKeys[code]!.jwk],
    });
    logger.info({ registries: registries.urls }, 'reference registries listening, one per holder');
    registryLines = await describeRegistries(db, catalog, registries, config.seedDemoData);
  }

  // Witnesses beside the service (outside production): own ports, keys and state; the checkpointer asks them.
  const witnesses = await startDevWitnesses(config, logger);
  // In development with e-mail notices on and no relay: a local sink that shows the mail it receives.
  const mailSink =
    config.nodeEnv === 'development' && config.notices.email && !config.notices.smtp
      ? await startMailSink()
      : undefined;
  if (mailSink) logger.info({ smtp: mailSink.smtpUrl, web: mailSink.webUrl }, 'dev mail sink listening');
  const composition = await compose({
    config: {
      ...config,
      ...(mailSink ? { notices: { ...config.notices, smtp: { url: mailSink.smtpUrl } } } : {}),
      audit: {
        ...config.audit,
        witnesses: witnesses.all,
        witnessPolicyFile: config.audit.witnessPolicyFile ?? witnesses.policyPath,
      },
    },
    db,
    logger,
    identity: identity.setup,
    catalog,
    providerSigningKey,
    ...(registries ? { holderUrls: registries.urls, holderKeys } : {}),
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
      await registries?.stop();
      await witnesses.stop();
      await mailSink?.stop();
      await db.destroy();
      await embedded?.stop();
    })());

  return {
    url,
    server,
    db,
    identityLines: [
      ...identity.describe(),
      ...registryLines,
      ...witnesses.lines,
      ...(mailSink
        ? [
            `  Mail (dev)      ${mailSink.webUrl}  access notices e-mailed to citizens land here, nowhere else`,
          ]
        : []),
    ],
    stop,
  };
}

/** Console lines: each in-process registry (holder, URL, record types) and the demo citizens. */
async function describeRegistries(
  db: Knex,
  catalog: Catalog,
  registries: HolderRegistries,
  demo: boolean,
): Promise<string[]> {
  const lines = [
    `  Registries      ${registries.registries.length} reference registries (synthetic data), one per holder:`,
  ];
  for (const holder of catalog.holders()) {
    const url = registries.urls[holder.id];
    if (!url) continue;
    const count = catalog.list().filter((rt) => rt.holder.id === holder.id).length;
    lines.push(
      `    ${holder.id.padEnd(14)} ${url.padEnd(24)} ${String(count).padStart(2)} type${count === 1 ? ' ' : 's'}  ${holder.names.en}`,
    );
  }
  if (demo) lines.push(...demoCitizenLines(await demoCitizenHoldings(db, catalog), catalog));
  return lines;
}
