/**
 * `npm run bench:ha`: what the high-availability cluster costs the verified query, in one run.
 *  - single: one PostgreSQL (throwaway, synchronous_commit on, no standby) and the gateway on two
 *    workers (bench/gateway-cluster.ts) talking to it directly;
 *  - ha: the deploy/ha cluster — two gateway processes behind HAProxy's gateway front, PostgreSQL
 *    through HAProxy's write front to a Patroni leader that waits for its synchronous standby on
 *    every commit.
 * Same load (bench/load.ts, closed loop, same connections and seconds), same keys, token issuer and
 * clients; one arm runs while the other is idle, and the arms alternate (single, ha, single, ha) so
 * the machine's other load falls on both alike. Throughput and CPU per answered query (every
 * process of the arm: gateways, registry, PostgreSQL on both nodes, HAProxy, Patroni, etcd) are
 * summed over the rounds; prints both and the ratios ha / single, and writes
 * bench/results/ha-<timestamp>.json. `--seconds=N` per round (default 20), `--rounds=N` (2).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadResult, LoadSpec } from './load.js';
import { benchDatabase } from './lib/database.js';
import {
  BENCH_PURPOSE,
  BENCH_SECRETS,
  ONE_RECORD,
  consentTokens,
  createConsents,
  seedBase,
  type BenchClient,
} from './lib/prepare.js';
import { childPids, cpuMeter, freePort, startNode, waitFor200, type Child } from './lib/procs.js';
import { gatewayEnv, registryArgs, registryEnv } from './lib/services.js';
import type { Knex } from 'knex';
import { startHaService, type HaService } from '../deploy/ha/service.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../test/faults/postgres.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const work = join(root, 'bench', '.data', 'ha');
const seconds = Number(process.argv.find((a) => a.startsWith('--seconds='))?.split('=')[1] ?? 20);
const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.split('=')[1] ?? 2);
const CONNECTIONS = 16;
const WARMUP_SEC = 5;
const PERSONS = 6000;

const started = Date.now();
const log = (line: string) =>
  process.stderr.write(
    `[bench:ha ${String(Math.round((Date.now() - started) / 1000)).padStart(4)} s] ${line}\n`,
  );

let service: HaService | undefined;
let single: ThrowawayPostgres | undefined;
const children: Child[] = [];
const cleanup = async () => {
  for (const child of children.reverse()) await child.stop('SIGTERM', 15_000).catch(() => undefined);
  single?.stop();
  single?.remove();
  await service?.stop();
};
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void cleanup().then(() => process.exit(130)));

async function runLoad(spec: LoadSpec, label: string): Promise<LoadResult> {
  const file = join(work, `spec-${label}.json`);
  writeFileSync(file, JSON.stringify(spec));
  const child = startNode(
    `load-${label}`,
    join(root, 'bench/load.ts'),
    [file],
    {},
    join(work, `load-${label}.log`),
    {
      capture: true,
    },
  );
  const code = await child.exited;
  const line = child.lines.find((l) => l.startsWith('{'));
  if (code !== 0 || !line) throw new Error(`load generator for ${label} failed (exit ${code})`);
  const result = JSON.parse(line) as LoadResult;
  log(
    `${label}: ${result.rps} req/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, ` +
      `2xx ${result.ok2xx}, non-2xx ${result.non2xx}, errors ${result.errors + result.timeouts}`,
  );
  return result;
}

/** A closed-loop query spec against `url` with fresh consents in `db` (tokens minted for `url`). */
async function querySpec(
  db: Knex,
  url: string,
  clients: BenchClient[],
  keyStoreDir: string,
  durationSec: number,
  offset: number,
): Promise<LoadSpec> {
  // Enough consents (3 uses each) for 400 queries/s, well above what two cores answer.
  const { records, items } = await createConsents(db, {
    count: Math.ceil((400 * durationSec) / 3),
    recordTypes: ONE_RECORD,
    clients,
    pepper: BENCH_SECRETS.subjectPepper,
    offset,
  });
  const tokens = await consentTokens(records, clients, {
    keyStoreDir,
    publicUrl: url,
    pepper: BENCH_SECRETS.subjectPepper,
  });
  return {
    kind: 'query',
    url,
    connections: CONNECTIONS,
    durationSec,
    clients: clients.map((c) => ({ accessToken: c.accessToken, dpopJwk: c.dpopJwk })),
    items: items.map((item, i) => ({ client: item.client, rrn: item.rrn, consentToken: tokens[i]! })),
    purpose: BENCH_PURPOSE,
    recordTypes: ONE_RECORD,
  };
}

/** A PostgreSQL server's processes: the postmaster (from its pid file) and its children. */
function postgresPids(dataDir: string): number[] {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return [pid, ...childPids(pid)];
  } catch {
    return [];
  }
}

interface ArmTotals {
  requests: number;
  seconds: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  cpuSeconds: number;
  p50: number[];
  p99: number[];
}

async function main(): Promise<number> {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  service = await startHaService({ log, persons: PERSONS });
  const s = service;

  // ---- single node: same keys, issuer and clients; its own PostgreSQL and database --------------
  single = startThrowawayPostgres(await freePort());
  log(`single: throwaway PostgreSQL on ${single.port}`);
  const singleDb = await benchDatabase(single.url, 'juc_single', { poolMax: 4 });
  await seedBase(singleDb.db, {
    persons: PERSONS,
    keyStoreDir: s.keyStoreDir,
    clients: s.clients.length,
    log,
  });
  const registryPort = await freePort();
  const registry = startNode(
    'registry-single',
    join(root, 'server/dev/registry/registry-main.ts'),
    registryArgs(registryPort, s.keyStoreDir),
    registryEnv(singleDb.url, s.keyStoreDir),
    join(work, 'registry-single.log'),
  );
  children.push(registry);
  await waitFor200(`http://127.0.0.1:${registryPort}/health`, 60_000, registry);
  const port = await freePort();
  const singleUrl = `http://127.0.0.1:${port}`;
  const gateway = startNode(
    'gateway-single',
    join(root, 'bench/gateway-cluster.ts'),
    [],
    gatewayEnv({
      port,
      dbUrl: singleDb.url,
      keyStoreDir: s.keyStoreDir,
      devDataDir: join(work, 'dev-data'),
      idp: s.idp,
      registryUrl: `http://127.0.0.1:${registryPort}`,
      workers: 2,
      extra: { DB_POOL_MAX: '8', DB_STATEMENT_TIMEOUT_MS: '5000' },
    }),
    join(work, 'gateway-single.log'),
  );
  children.push(gateway);
  await waitFor200(`${singleUrl}/readyz`, 120_000, gateway);
  log(`single: gateway (2 workers) at ${singleUrl}`);

  const arms = {
    single: {
      db: singleDb.db,
      url: singleUrl,
      pids: () => [
        gateway.proc.pid!,
        ...childPids(gateway.proc.pid!),
        registry.proc.pid!,
        ...postgresPids(single!.dataDir),
      ],
    },
    ha: {
      db: s.db,
      url: s.url,
      pids: () => [
        ...s.gateways.map((g) => g.child!.proc.pid!),
        ...s.cluster.nodes.flatMap((n) => [n.patroni!.proc.pid!, ...postgresPids(n.dataDir)]),
        s.cluster.haproxy!.proc.pid!,
        ...s.cluster.etcdPids(),
        ...s.registryPids(),
      ],
    },
  };
  const totals: Record<'single' | 'ha', ArmTotals> = {
    single: { requests: 0, seconds: 0, ok2xx: 0, non2xx: 0, errors: 0, cpuSeconds: 0, p50: [], p99: [] },
    ha: { requests: 0, seconds: 0, ok2xx: 0, non2xx: 0, errors: 0, cpuSeconds: 0, p50: [], p99: [] },
  };
  let offset = 0;
  for (const name of ['single', 'ha'] as const) {
    const a = arms[name];
    await runLoad(
      await querySpec(a.db, a.url, s.clients, s.keyStoreDir, WARMUP_SEC, (offset += 3000)),
      `${name}-warmup`,
    );
  }
  for (let round = 1; round <= rounds; round++) {
    for (const name of ['single', 'ha'] as const) {
      const a = arms[name];
      const spec = await querySpec(a.db, a.url, s.clients, s.keyStoreDir, seconds, (offset += 3000));
      const cpu = cpuMeter({ all: a.pids });
      await cpu.start();
      const r = await runLoad(spec, `${name}-${round}`);
      const used = (await cpu.stop()).all ?? 0;
      const t = totals[name];
      t.requests += r.requests;
      t.seconds += r.durationSec;
      t.ok2xx += r.ok2xx;
      t.non2xx += r.non2xx;
      t.errors += r.errors + r.timeouts;
      t.cpuSeconds += used;
      t.p50.push(r.latencyMs.p50);
      t.p99.push(r.latencyMs.p99);
      log(`${name}-${round}: CPU ${((used * 1000) / Math.max(1, r.ok2xx)).toFixed(1)} ms per answered query`);
    }
  }
  await gateway.stop('SIGTERM', 15_000);
  await registry.stop('SIGTERM', 15_000);
  await singleDb.db.destroy();
  single.stop();

  const members = await s.cluster.members();
  const figures = (t: ArmTotals) => ({
    rps: Math.round((t.ok2xx / t.seconds) * 10) / 10,
    cpuMsPerQuery: Math.round(((t.cpuSeconds * 1000) / Math.max(1, t.ok2xx)) * 10) / 10,
    p50PerRound: t.p50,
    p99PerRound: t.p99,
    ok2xx: t.ok2xx,
    non2xx: t.non2xx,
    errors: t.errors,
  });
  const one = figures(totals.single);
  const ha = figures(totals.ha);
  const ratio = Math.round((ha.rps / one.rps) * 100) / 100;
  const cpuRatio = Math.round((ha.cpuMsPerQuery / one.cpuMsPerQuery) * 100) / 100;
  const summary = {
    when: new Date().toISOString(),
    seconds,
    rounds,
    connections: CONNECTIONS,
    single: one,
    ha,
    ratio,
    cpuRatio,
    cluster: members.map((m) => `${m.name}:${m.role}`),
  };
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `ha-${summary.when.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(
    `\nverified query, ${CONNECTIONS} connections, ${rounds} × ${seconds} s per arm:\n` +
      `  single node: ${one.rps} answered/s, ${one.cpuMsPerQuery} CPU ms per query, p99 per round ${one.p99PerRound.join(', ')} ms\n` +
      `  HA cluster:  ${ha.rps} answered/s, ${ha.cpuMsPerQuery} CPU ms per query, p99 per round ${ha.p99PerRound.join(', ')} ms (synchronous standby: ${members.find((m) => m.role === 'sync_standby')?.name ?? 'none'})\n` +
      `  HA / single: throughput ${ratio}, CPU per query ${cpuRatio}\n  results: ${file}\n`,
  );
  return one.non2xx + ha.non2xx + one.errors + ha.errors > 0 ? 1 : 0;
}

const code = await main().catch((err: unknown) => {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  return 1;
});
await cleanup();
process.exit(code);
