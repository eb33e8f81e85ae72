/**
 * The service on the HA database tier: the application database (migrated through HAProxy's
 * write front), the keys, a local token issuer and the reference registry (the same production-like
 * harness as bench/ and test/faults/), and two gateway processes — server/main.ts with
 * NODE_ENV=production, each configured from deploy/ha/gateway.env as on its own host — behind
 * HAProxy's gateway front.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Knex } from 'knex';
import { benchDatabase } from '../../bench/lib/database.js';
import {
  BENCH_SECRETS,
  benchClients,
  seedBase,
  startBenchIdp,
  type BenchClient,
} from '../../bench/lib/prepare.js';
import { freePort, startNode, waitFor200, type Child } from '../../bench/lib/procs.js';
import { gatewayEnv, registryArgs, registryEnv } from '../../bench/lib/services.js';
import type { DevIdentityProvider } from '../../server/dev/identity-provider.js';
import { HaCluster, ensurePackages } from './cluster.js';
import { HA_DIR, parseEnv, render } from './templates.js';

const root = resolve(HA_DIR, '..', '..');
export const HA_DATABASE = 'juc_ha';

export interface Gateway {
  name: string;
  port: number;
  env: Record<string, string>;
  child?: Child;
}

export interface HaService {
  cluster: HaCluster;
  /** HAProxy's gateway front: the one URL clients use. */
  url: string;
  dbUrl: string;
  /** The harness's own pool, through the write front. */
  db: Knex;
  keyStoreDir: string;
  idp: DevIdentityProvider;
  clients: BenchClient[];
  gateways: Gateway[];
  startGateway(gateway: Gateway): Promise<void>;
  registryPids(): number[];
  stop(options?: { keep?: boolean }): Promise<void>;
}

/**
 * Brings the whole cluster up; on failure stops what it started and rethrows. `persons` sizes the
 * registry (the fault suite needs distinct consent subjects).
 */
export async function startHaService(options: {
  log: (line: string) => void;
  persons?: number;
  clientCount?: number;
  gatewayExtra?: Record<string, string>;
}): Promise<HaService> {
  const { log } = options;
  ensurePackages(log);
  const cluster = new HaCluster(log);
  const children: Child[] = [];
  let idp: DevIdentityProvider | undefined;
  let db: Knex | undefined;
  const stop = async (stopOptions: { keep?: boolean } = {}) => {
    for (const child of children.reverse()) await child.stop('SIGTERM', 12_000).catch(() => undefined);
    await idp?.stop().catch(() => undefined);
    await db?.destroy().catch(() => undefined);
    await cluster.stop(stopOptions);
  };
  try {
    await cluster.start();
    const gateways: Gateway[] = [];
    for (const name of ['gateway1', 'gateway2']) gateways.push({ name, port: await freePort(), env: {} });
    await cluster.startHaproxy(gateways.map((g) => g.port));

    log(`database ${HA_DATABASE}: create and migrate through the write front`);
    const bench = await benchDatabase(cluster.writeUrl(), HA_DATABASE, { poolMax: 4 });
    db = bench.db;
    const keyStoreDir = join(cluster.dir, 'keys');
    mkdirSync(keyStoreDir, { recursive: true });
    const { clientIds } = await seedBase(db, {
      persons: options.persons ?? 3000,
      keyStoreDir,
      clients: options.clientCount ?? 2,
      log,
    });
    idp = await startBenchIdp(db);
    const clients = await benchClients(idp, clientIds);
    log(`token issuer ${idp.issuer}; ${clients.length} DPoP-bound API clients`);

    const registryPort = await freePort();
    const registry = startNode(
      'registry',
      join(root, 'server/dev/registry/registry-main.ts'),
      registryArgs(registryPort, keyStoreDir),
      registryEnv(bench.url, keyStoreDir),
      join(cluster.dir, 'registry.log'),
    );
    children.push(registry);
    await waitFor200(`http://127.0.0.1:${registryPort}/health`, 60_000, registry);
    log(`reference registry on 127.0.0.1:${registryPort}`);

    const url = `http://127.0.0.1:${cluster.gatewayPort}`;
    const template = readFileSync(join(HA_DIR, 'gateway.env'), 'utf8');
    for (const gateway of gateways) {
      const base = gatewayEnv({
        port: gateway.port,
        dbUrl: bench.url,
        keyStoreDir,
        devDataDir: join(cluster.dir, 'dev-data'),
        idp,
        registryUrl: `http://127.0.0.1:${registryPort}`,
      });
      const host = parseEnv(
        render(template, {
          GATEWAY_NAME: gateway.name,
          GATEWAY_HOST: '127.0.0.1',
          GATEWAY_PORT: gateway.port,
          PUBLIC_URL: url,
          PG_SUPERUSER_PASSWORD: cluster.superuserPassword,
          HAPROXY_HOST: '127.0.0.1',
          HAPROXY_WRITE_PORT: cluster.writePort,
          DATABASE_NAME: HA_DATABASE,
          REGISTRY_URL: base.REGISTRY_URL!,
          KEY_STORE_DIR: keyStoreDir,
          DEV_DATA_DIR: join(cluster.dir, 'dev-data'),
          SUBJECT_PEPPER: BENCH_SECRETS.subjectPepper,
          POLICY_PAIRWISE_KEY: BENCH_SECRETS.policyPairwiseKey,
          AUDIT_LOG_ORIGIN: BENCH_SECRETS.auditLogOrigin,
          API_TOKEN_ISSUERS: base.API_TOKEN_ISSUERS!,
          OIDC_ISSUER_URL: base.OIDC_ISSUER_URL!,
          OIDC_CLIENT_ID: base.OIDC_CLIENT_ID!,
          OIDC_CLIENT_SECRET: base.OIDC_CLIENT_SECRET!,
        }),
      );
      // The harness's load limits (gatewayEnv) under the host's file, then the caller's overrides.
      gateway.env = { ...base, ...host, ...options.gatewayExtra };
    }

    const startGateway = async (gateway: Gateway) => {
      const child = startNode(
        gateway.name,
        join(root, 'server/main.ts'),
        [],
        gateway.env,
        join(cluster.dir, `${gateway.name}.log`),
      );
      children.push(child);
      gateway.child = child;
      try {
        await waitFor200(`http://127.0.0.1:${gateway.port}/readyz`, 120_000, child);
      } catch (err) {
        const tail = readFileSync(join(cluster.dir, `${gateway.name}.log`), 'utf8')
          .trim()
          .split('\n')
          .slice(-5);
        throw new Error(`${(err as Error).message}; its log ends:\n${tail.join('\n')}`);
      }
    };
    // One after the other: the first one to start runs any pending migration alone.
    for (const gateway of gateways) {
      await startGateway(gateway);
      log(`${gateway.name} ready on 127.0.0.1:${gateway.port} (database through the write front)`);
    }
    await waitFor200(`${url}/readyz`, 30_000);
    return {
      cluster,
      url,
      dbUrl: bench.url,
      db,
      keyStoreDir,
      idp,
      clients,
      gateways,
      startGateway,
      registryPids: () => [registry.proc.pid!],
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
