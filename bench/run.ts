/**
 * `npm run bench [-- --quick] [-- --profile]`: DESIGN §11 measured in one run on this machine.
 *
 *  (a) floor    — a bare Express route doing one synchronous-commit INSERT (both cores)
 *  (b) query    — verified bank queries: DPoP access token, consent token, one record type from the
 *                 registry process, policy, durable audit entry (gateway on both cores)
 *  (c) 3-record — the same with three record types per query
 *  (d) history  — citizens reading their access log with >= 10 M audit entries present
 *  (e) appends  — audit appends at a fixed 2,000/s with the sequencer and checkpointer running
 *  fixed rate   — (b) at 1,000 queries/s for 60 s
 *
 * Progress goes to stderr; the result to bench/results/<date>-<sha>.json and a row of
 * bench/RESULTS.md. Everything runs on loopback; every phase is bounded in time; every process
 * started here is stopped here.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Knex } from 'knex';
import type { LoadResult, LoadSpec } from './load.js';
import { benchDatabase, benchServer, getMeta, setMeta } from './lib/database.js';
import { generateHistory } from './lib/history.js';
import {
  BENCH_PURPOSE,
  BENCH_SECRETS,
  benchClients,
  citizenSessions,
  consentTokens,
  createConsents,
  ONE_RECORD,
  seedBase,
  startBenchIdp,
  THREE_RECORDS,
  type BenchClient,
} from './lib/prepare.js';
import { gatewayEnv, registryArgs, registryEnv } from './lib/services.js';
import { childPids, cpuMeter, freePort, rssSampler, startNode, waitFor200, type Child } from './lib/procs.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    'fresh-history': { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});

const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(here, '..');
const work = join(root, 'bench', '.work');
const quick = args.quick!;
const plan = quick
  ? { history: 200_000, persons: 100_000, seconds: 8, fixedSeconds: 15, warmup: 3, appendSeconds: 10 }
  : { history: 10_000_000, persons: 1_000_000, seconds: 30, fixedSeconds: 60, warmup: 5, appendSeconds: 30 };
const CONNECTIONS = 50;
const FIXED_RATE = 1000;
const APPEND_RATE = 2000;
const HISTORY_RATE = 50;
/**
 * Node/V8 flags of the gateway workers, as README (Deployment) recommends: a 32 MB semi-space
 * halves the time in scavenges (default 16 MB: ~14 ms each, 5 % of a core, most of the history
 * read's p99), and a 192 MB old space keeps each worker's RSS near 250 MB. Measured with the
 * bench; BENCH_GATEWAY_NODE_ARGS (space-separated) to try others.
 */
const GATEWAY_NODE_ARGS = (
  process.env.BENCH_GATEWAY_NODE_ARGS ?? '--max-semi-space-size=32 --max-old-space-size=192'
)
  .split(' ')
  .filter(Boolean);
const only = new Set((args.only ?? 'a,b,c,d,e,fixed').split(','));

const started = Date.now();
const log = (line: string) =>
  process.stderr.write(
    `[bench ${String(Math.round((Date.now() - started) / 1000)).padStart(4)} s] ${line}\n`,
  );

const children: Child[] = [];
async function stopAll(): Promise<void> {
  for (const child of children.reverse()) await child.stop('SIGTERM', 20_000).catch(() => undefined);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void stopAll().then(() => process.exit(130)));
}

function node(
  name: string,
  script: string,
  argv: string[],
  env: Record<string, string>,
  options: { nodeArgs?: string[]; capture?: boolean } = {},
) {
  const child = startNode(name, join(root, script), argv, env, join(work, `${name}.log`), options);
  children.push(child);
  return child;
}

async function stop(child: Child): Promise<void> {
  await child.stop('SIGTERM', 20_000);
  children.splice(children.indexOf(child), 1);
}

/** Runs the load generator in its own process and returns its result. */
async function load(spec: LoadSpec, label: string): Promise<LoadResult> {
  const file = join(work, `spec-${label}.json`);
  writeFileSync(file, JSON.stringify(spec));
  log(
    `${label}: ${spec.overallRate ? `${spec.overallRate}/s fixed` : `${spec.connections} connections`} for ${spec.durationSec} s`,
  );
  const child = node(`load-${label}`, 'bench/load.ts', [file], {}, { capture: true });
  const code = await child.exited;
  children.splice(children.indexOf(child), 1);
  const line = child.lines.find((l) => l.startsWith('{'));
  if (code !== 0 || !line) throw new Error(`load generator for ${label} failed (exit ${code}); see ${work}`);
  const result = JSON.parse(line) as LoadResult;
  log(
    `${label}: ${result.rps} req/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, ` +
      `2xx ${result.ok2xx}, non-2xx ${result.non2xx}, errors ${result.errors + result.timeouts}`,
  );
  return result;
}

/** I1: every 2xx answer that carried data has a committed `released` entry with its request id. */
async function missingAudit(db: Knex, idsFile: string, afterEntryId: number): Promise<number> {
  const ids = JSON.parse(readFileSync(idsFile, 'utf8')) as string[];
  if (ids.length === 0) return 0;
  const { rows } = await db.raw<{ rows: { missing: number }[] }>(
    `SELECT count(*)::int AS missing FROM unnest(?::text[]) AS a(id)
     WHERE NOT EXISTS (SELECT 1 FROM audit_entry e WHERE e.entry_id > ? AND e.request_id = a.id AND e.outcome = 'released')`,
    [ids, afterEntryId],
  );
  return rows[0]!.missing;
}

/** PostgreSQL backends serving one database (their CPU is the database's share of a request). */
const backendPids = async (db: Knex, name: string): Promise<number[]> =>
  (
    (await db.raw<{ rows: { pid: number }[] }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()',
      [name],
    )) as { rows: { pid: number }[] }
  ).rows.map((r) => r.pid);

/** CPU milliseconds per answered request, per process group. */
function perRequest(used: Record<string, number>, requests: number): Record<string, number> {
  const out: Record<string, number> = {};
  let total = 0;
  for (const [k, v] of Object.entries(used)) {
    out[k] = requests ? Math.round((v * 100_000) / requests) / 100 : 0;
    total += v;
  }
  out.total = requests ? Math.round((total * 100_000) / requests) / 100 : 0;
  return out;
}

const maxEntryId = async (db: Knex) =>
  Number((await db('audit_entry').max({ m: 'entry_id' }).first())?.m ?? 0);

const gitSha = () => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
  } catch {
    return 'nogit';
  }
};

async function ensureHistory(
  serverUrl: string,
  name: string,
): Promise<{ db: Knex; url: string; entries: number }> {
  let { db, url } = await benchDatabase(serverUrl, name, { fresh: args['fresh-history']! });
  const meta = await getMeta<{ entries: number }>(db, 'history');
  if (!meta || meta.entries < plan.history) {
    if (meta || (await db('tree_head').count({ n: '*' }).first())?.n !== 0) {
      log(`database ${name} has no complete history: recreating it`);
      await db.destroy();
      ({ db, url } = await benchDatabase(serverUrl, name, { fresh: true }));
    }
    log(`generating ${plan.history.toLocaleString('en')} audit entries in SQL (once; kept in ${name})`);
    const r = await generateHistory(db, plan.history, log);
    await setMeta(db, 'history', r);
    log(`history ready in ${r.seconds} s`);
  } else {
    log(`history: ${meta.entries.toLocaleString('en')} generated entries already in ${name}`);
  }
  // Planner statistics: a bulk load or migration 039's copy into month partitions leaves them
  // unanalysed until autovacuum gets there, and without them the citizen read plans a scan of
  // every partition. Sampling is cheap; a running deployment has these from autovacuum.
  await db.raw('ANALYZE audit_entry');
  await db.raw('ANALYZE audit_queue');
  return { db, url, entries: plan.history };
}

async function main(): Promise<void> {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const server = await benchServer(log);
  log(`PostgreSQL: ${server.kind} (${new URL(server.url).host})`);
  const dbName = quick ? 'juc_bench_quick' : 'juc_bench';
  const { db, url: dbUrl, entries: historyEntries } = await ensureHistory(server.url, dbName);
  const totalEntries = Number((await db('audit_entry').count({ n: '*' }).first())?.n ?? 0);
  const keyStoreDir = join(root, 'bench', '.data', 'keys');
  const { clientIds } = await seedBase(db, { persons: plan.persons, keyStoreDir, clients: 4, log });

  const idp = await startBenchIdp(db);
  const clients: BenchClient[] = await benchClients(idp, clientIds);
  log(`bench IdP ${idp.issuer}; ${clients.length} DPoP-bound API clients`);

  const results: Record<string, unknown> = {};
  const figures: Record<string, number | string | null> = {};
  try {
    // ---- (a) the floor ---------------------------------------------------------------------
    let floor: LoadResult | undefined;
    if (only.has('a')) {
      await db.raw(
        'CREATE TABLE IF NOT EXISTS bench_floor (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text NOT NULL)',
      );
      const port = await freePort();
      const floorServer = node('floor', 'bench/floor-server.ts', [], {
        FLOOR_DATABASE_URL: dbUrl,
        PORT: String(port),
        BENCH_WORKERS: '2',
        DB_POOL_MAX: '10',
      });
      await waitFor200(`http://127.0.0.1:${port}/readyz`, 30_000, floorServer);
      await load(
        {
          kind: 'floor',
          url: `http://127.0.0.1:${port}`,
          connections: CONNECTIONS,
          durationSec: plan.warmup,
        },
        'a-warmup',
      );
      const rss = rssSampler({ server: () => workerPids(floorServer) });
      const cpu = cpuMeter({
        server: () => workerPids(floorServer),
        postgres: () => backendPids(db, dbName),
      });
      await cpu.start();
      floor = await load(
        {
          kind: 'floor',
          url: `http://127.0.0.1:${port}`,
          connections: CONNECTIONS,
          durationSec: plan.seconds,
        },
        'a-floor',
      );
      const cpuMs = perRequest(await cpu.stop(), floor.ok2xx + floor.non2xx);
      log(`a-floor: CPU ms per request ${JSON.stringify(cpuMs)}`);
      results.a = { ...floor, rss: rss.stop(), cpuMsPerRequest: cpuMs };
      await stop(floorServer);
    }

    // ---- the gateway: production settings on both cores, registry as its own process ---------
    const registryPort = await freePort();
    const registry = node(
      'registry',
      'server/dev/registry/registry-main.ts',
      registryArgs(registryPort, keyStoreDir),
      registryEnv(dbUrl, keyStoreDir),
    );
    // Production runs the compiled build (npm run build), not the TypeScript through tsx.
    log('building dist/ (npm run build)');
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const gateway = node(
      'gateway',
      'bench/gateway-cluster.ts',
      [],
      gatewayEnv({
        port,
        dbUrl,
        keyStoreDir,
        devDataDir: join(work, 'dev-data'),
        idp,
        registryUrl: `http://127.0.0.1:${registryPort}`,
        extra: { GATEWAY_ENTRY: join(root, 'dist', 'server', 'main.js') },
      }),
      {
        nodeArgs: [
          ...GATEWAY_NODE_ARGS,
          ...(args.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(work, 'profiles')}`] : []),
        ],
      },
    );
    await waitFor200(`http://127.0.0.1:${registryPort}/health`, 60_000, registry);
    await waitFor200(`${publicUrl}/readyz`, 120_000, gateway);
    log(`gateway ready at ${publicUrl} (NODE_ENV=production, 2 workers); registry on ${registryPort}`);

    const querySpec = async (label: string, recordTypes: string[], count: number, offset: number) => {
      const { records, items } = await createConsents(db, {
        count,
        recordTypes,
        clients,
        pepper: BENCH_SECRETS.subjectPepper,
        offset,
      });
      const tokens = await consentTokens(records, clients, {
        keyStoreDir,
        publicUrl,
        pepper: BENCH_SECRETS.subjectPepper,
      });
      log(`${label}: ${count.toLocaleString('en')} consents (3 uses each) and consent tokens ready`);
      return {
        kind: 'query' as const,
        url: publicUrl,
        connections: CONNECTIONS,
        durationSec: plan.seconds,
        clients: clients.map((c) => ({ accessToken: c.accessToken, dpopJwk: c.dpopJwk })),
        items: items.map((item, i) => ({ client: item.client, rrn: item.rrn, consentToken: tokens[i]! })),
        purpose: BENCH_PURPOSE,
        recordTypes,
      };
    };
    // Enough consents that none is used more than its 3 times (generous upper bounds on throughput).
    const usesFor = (rate: number, seconds: number) => Math.ceil((rate * seconds) / 3) + 1000;

    const scenario = async (
      key: string,
      label: string,
      spec: LoadSpec,
      checkIds: boolean,
    ): Promise<LoadResult & { missingAudit?: number }> => {
      const before = await maxEntryId(db);
      const idsFile = join(work, `ids-${key}.json`);
      const rss = rssSampler({ gateway: () => workerPids(gateway), registry: () => [registry.proc.pid!] });
      const cpu = cpuMeter({
        gateway: () => workerPids(gateway),
        registry: () => [registry.proc.pid!],
        postgres: () => backendPids(db, dbName),
      });
      await cpu.start();
      const result = await load({ ...spec, ...(checkIds ? { idsFile } : {}) }, label);
      const cpuMs = perRequest(await cpu.stop(), result.ok2xx + result.non2xx);
      log(`${label}: CPU ms per request ${JSON.stringify(cpuMs)}`);
      const out: LoadResult & { missingAudit?: number; rss?: unknown; cpuMsPerRequest?: unknown } = {
        ...result,
        rss: rss.stop(),
        cpuMsPerRequest: cpuMs,
      };
      if (checkIds) {
        out.missingAudit = await missingAudit(db, idsFile, before);
        log(`${label}: 2xx answers without a committed released entry: ${out.missingAudit}`);
      }
      results[key] = out;
      return out;
    };

    let b: (LoadResult & { missingAudit?: number }) | undefined;
    if (only.has('b')) {
      const warm = await querySpec('b-warmup', ONE_RECORD, usesFor(3000, plan.warmup), 0);
      await load({ ...warm, durationSec: plan.warmup }, 'b-warmup');
      const spec = await querySpec('b', ONE_RECORD, usesFor(5000, plan.seconds), 7000);
      b = await scenario('b', 'b-query', spec, true);
    }
    if (only.has('c')) {
      const spec = await querySpec('c', THREE_RECORDS, usesFor(3000, plan.seconds), 14000);
      await scenario('c', 'c-3-records', spec, true);
    }
    if (only.has('d')) {
      const cookies = await citizenSessions(db, 2000, historyEntries, idp.issuer);
      await load(
        { kind: 'history', url: publicUrl, connections: CONNECTIONS, durationSec: plan.warmup, cookies },
        'd-warmup',
      );
      await scenario(
        'd',
        'd-history',
        { kind: 'history', url: publicUrl, connections: CONNECTIONS, durationSec: plan.seconds, cookies },
        false,
      );
      // The §11 latency target is a citizen's wait, not a queue's: measured at a fixed rate well
      // above what a country's citizens ask (51 M people reading twice a year ≈ 3 reads/s).
      await scenario(
        'dFixed',
        `d-history-${HISTORY_RATE}`,
        {
          kind: 'history',
          url: publicUrl,
          connections: CONNECTIONS,
          durationSec: plan.seconds,
          overallRate: HISTORY_RATE,
          cookies,
        },
        false,
      );
    }
    if (only.has('fixed')) {
      const spec = await querySpec('fixed', ONE_RECORD, usesFor(FIXED_RATE * 1.2, plan.fixedSeconds), 21000);
      await scenario(
        'fixed',
        `fixed-${FIXED_RATE}`,
        { ...spec, durationSec: plan.fixedSeconds, overallRate: FIXED_RATE, connections: 100 },
        true,
      );
    }
    // The §11 RSS figure: the largest gateway worker (the registry is reported beside it).
    const peakOf = (group: string) =>
      Object.values(results)
        .map(
          (r) => (r as { rss?: { peakByGroupMb?: Record<string, number> } }).rss?.peakByGroupMb?.[group] ?? 0,
        )
        .reduce((a, v) => Math.max(a, v), 0);
    const rssGateway = peakOf('gateway');
    const rssRegistry = peakOf('registry') || null;
    await stop(gateway);
    await stop(registry);

    // ---- (e) audit appends at a fixed rate, sequencer lag -----------------------------------
    if (only.has('e')) {
      log(`e-appends: ${APPEND_RATE}/s for ${plan.appendSeconds} s (bench/audit-append.ts, fresh database)`);
      const child = node(
        'e-appends',
        'bench/audit-append.ts',
        [
          '--seconds',
          String(plan.appendSeconds),
          '--rate',
          String(APPEND_RATE),
          // Enough writers that a fixed 2,000/s holds at ~20 ms per durable append. More do not
          // help when appends are slower: 64 writers gave 1,245/s at 44 ms where 40 gave 1,504/s
          // at 22 ms (the disk's fsync, not the writers, is then the limit).
          '--writers',
          '40',
          '--processes',
          '2',
        ],
        { DATABASE_URL: server.url },
        { capture: true },
      );
      const code = await child.exited;
      children.splice(children.indexOf(child), 1);
      const text = child.lines.join('\n');
      const json = text.slice(text.indexOf('{'));
      if (code !== 0) throw new Error(`audit-append failed (exit ${code}); see ${work}/e-appends.log`);
      results.e = JSON.parse(json);
      const e = results.e as { appendsPerSecond: number; sequencerLagMs: { p99: number }; verified: boolean };
      log(
        `e-appends: ${e.appendsPerSecond}/s, sequencer lag p99 ${e.sequencerLagMs.p99} ms, verified ${e.verified}`,
      );
    }

    // ---- figures ----------------------------------------------------------------------------
    const r = results as Record<string, (LoadResult & { missingAudit?: number }) | undefined>;
    const e = results.e as
      { appendsPerSecond: number; sequencerLagMs: { p50: number; p99: number } } | undefined;
    Object.assign(figures, {
      floorRps: floor?.rps ?? null,
      queryRps: b?.rps ?? null,
      ratio: floor && b ? Math.round((b.rps / floor.rps) * 100) / 100 : null,
      floorCpuMs:
        (results.a as { cpuMsPerRequest?: { total: number } } | undefined)?.cpuMsPerRequest?.total ?? null,
      queryCpuMs:
        (results.b as { cpuMsPerRequest?: { total: number } } | undefined)?.cpuMsPerRequest?.total ?? null,
      queryP50: b?.latencyMs.p50 ?? null,
      queryP99: b?.latencyMs.p99 ?? null,
      threeRecordRps: r.c?.rps ?? null,
      threeRecordP99: r.c?.latencyMs.p99 ?? null,
      historyRps: r.d?.rps ?? null,
      historyClosedP99: r.d?.latencyMs.p99 ?? null,
      historyP50: r.dFixed?.latencyMs.p50 ?? null,
      historyP99: r.dFixed?.latencyMs.p99 ?? null,
      fixedP99: r.fixed?.latencyMs.p99 ?? null,
      fixedRps: r.fixed?.rps ?? null,
      fixedDropped: r.fixed?.dropped ?? null,
      appendsPerSecond: e?.appendsPerSecond ?? null,
      sequencerLagP99: e?.sequencerLagMs.p99 ?? null,
      rssPeakMb: rssGateway || null,
      rssRegistryMb: rssRegistry,
      errors: ['b', 'c', 'd', 'dFixed', 'fixed'].reduce(
        (n, k) => n + (r[k] ? r[k]!.non2xx + r[k]!.errors + r[k]!.timeouts : 0),
        0,
      ),
      missingAudit: ['b', 'c', 'fixed'].reduce((n, k) => n + (r[k]?.missingAudit ?? 0), 0),
    });
  } finally {
    await stopAll();
    await idp.stop();
    await db.destroy();
    await server.stop();
  }

  const sha = gitSha();
  const date = new Date().toISOString().slice(0, 10);
  const targets = {
    ratio: { target: '>= 0.6', met: figures.ratio !== null && Number(figures.ratio) >= 0.6 },
    fixedP99: {
      target: '<= 25 ms, none dropped',
      met: figures.fixedP99 !== null && Number(figures.fixedP99) <= 25 && figures.fixedDropped === 0,
    },
    historyP99: { target: '<= 20 ms', met: figures.historyP99 !== null && Number(figures.historyP99) <= 20 },
    sequencerLagP99: {
      target: '<= 2000 ms',
      met: figures.sequencerLagP99 !== null && Number(figures.sequencerLagP99) <= 2000,
    },
    rssPeakMb: { target: '<= 300 MB', met: figures.rssPeakMb !== null && Number(figures.rssPeakMb) <= 300 },
    missingAudit: { target: '= 0', met: figures.missingAudit === 0 },
  };
  const report = {
    date: new Date().toISOString(),
    sha,
    mode: quick ? 'quick' : 'full',
    machine: { cpus: (await import('node:os')).availableParallelism(), node: process.version },
    database: { server: server.kind, historyEntries, auditEntriesAtStart: totalEntries },
    settings: {
      gateway: `NODE_ENV=production, node:cluster 2 workers running dist/ (npm run build) with ${GATEWAY_NODE_ARGS.join(' ') || 'default V8 flags'}, DB_POOL_MAX=10 per worker, LOG_LEVEL=info to a file`,
      connections: CONNECTIONS,
      seconds: plan.seconds,
      fixedRate: FIXED_RATE,
      fixedSeconds: plan.fixedSeconds,
      appendRate: APPEND_RATE,
      historyRate: HISTORY_RATE,
    },
    figures,
    targets,
    scenarios: results,
  };
  const resultsDir = join(root, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${date}-${sha}${quick ? '-quick' : ''}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  appendResultsRow(report.mode, date, sha, figures);
  printSummary(figures, targets);
  log(`wrote ${file} and a row of bench/RESULTS.md`);
}

/** The cluster workers of a server started with node(): the primary's children. */
function workerPids(child: Child): number[] {
  return childPids(child.proc.pid!);
}

const RESULTS_HEADER = `# Benchmark results

One row per \`npm run bench\` run (\`--quick\` rows are smoke runs with shorter phases and a 200 k-entry
history; only full rows count). Every figure comes from the same run on the same machine: the
load generator, the gateway (NODE_ENV=production, 2 cluster workers), the registry process and
PostgreSQL share its cores, so compare ratios, not absolute numbers. Details per run in
\`bench/results/<date>-<sha>.json\`.

| column | meaning | DESIGN §11 target |
|---|---|---|
| date, sha, mode | when, which commit, full or quick | |
| floor req/s | (a) bare Express route + one synchronous-commit INSERT, 50 connections | |
| query req/s | (b) verified bank query: DPoP token, consent token, 1 record from the registry, policy, durable audit entry | |
| ratio | (b) / (a) | ≥ 0.6 |
| CPU ms/req a / b | CPU (user + system) per answered request: floor server + its PostgreSQL backends; gateway workers + registry + PostgreSQL backends (load generator excluded). Insensitive to other load on the machine | |
| query p50 / p99 ms | (b) latency, closed loop | |
| 3-rec req/s, p99 | (c) three record types per query | |
| history req/s, p99 closed / at 50/s | (d) citizen access-log page (50 entries with proofs) with ≥ 10 M entries in the log: throughput and p99 with 50 connections in a closed loop, then p99 at a fixed 50 reads/s, open loop like the fixed-rate queries (the target: a citizen's wait, not a saturated queue's; rows before 2026-11-24 have only the closed loop) | p99 at 50/s ≤ 20 ms |
| fixed p99 ms (answered/s) | (b) offered at a fixed 1,000 queries/s for 60 s, open loop (bench/open-loop.ts: evenly spaced, latency from when each request was due; requests due while 400 are open are dropped, so answered/s below 1,000 means the rate was not sustained). Rows before 2026-11-24 used autocannon's per-second bursts | ≤ 25 ms at 1,000/s |
| appends/s, lag p99 ms | (e) audit appends at a fixed 2,000/s; sequencer lag (integrated − created) | lag p99 ≤ 2,000 ms |
| RSS MB | peak resident set of the largest gateway worker during the runs (the registry process is in the JSON) | ≤ 300 MB |
| errors | non-2xx + socket errors + timeouts over (b), (c), (d) and the fixed-rate runs | 0 |
| missing | 2xx query answers without a committed \`released\` audit entry with their request id | 0 |

| date | sha | mode | floor req/s | query req/s | ratio | CPU ms/req a / b | query p50 / p99 ms | 3-rec req/s, p99 | history req/s, p99 closed / at 50/s | fixed p99 ms (answered/s) | appends/s, lag p99 ms | RSS MB | errors | missing |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
`;

function appendResultsRow(
  mode: string,
  date: string,
  sha: string,
  f: Record<string, number | string | null>,
) {
  const file = join(root, 'bench', 'RESULTS.md');
  if (!existsSync(file)) writeFileSync(file, RESULTS_HEADER);
  const v = (x: number | string | null | undefined) => (x === null || x === undefined ? '–' : String(x));
  appendFileSync(
    file,
    `| ${date} | ${sha} | ${mode} | ${v(f.floorRps)} | ${v(f.queryRps)} | ${v(f.ratio)} | ${v(f.floorCpuMs)} / ${v(f.queryCpuMs)} | ${v(f.queryP50)} / ${v(f.queryP99)} | ` +
      `${v(f.threeRecordRps)}, ${v(f.threeRecordP99)} | ${v(f.historyRps)}, ${v(f.historyClosedP99)} / ${v(f.historyP99)} | ${v(f.fixedP99)} (${v(f.fixedRps)}) | ` +
      `${v(f.appendsPerSecond)}, ${v(f.sequencerLagP99)} | ${v(f.rssPeakMb)} | ${v(f.errors)} | ${v(f.missingAudit)} |\n`,
  );
}

function printSummary(
  f: Record<string, number | string | null>,
  targets: Record<string, { target: string; met: boolean }>,
) {
  const rows = Object.entries(f).map(([k, value]) => {
    const t = targets[k];
    return `  ${k.padEnd(18)} ${String(value ?? '–').padStart(10)}  ${t ? `${t.target.padEnd(12)} ${t.met ? 'met' : 'MISSED'}` : ''}`;
  });
  process.stderr.write(`\nDESIGN §11 figures (this run):\n${rows.join('\n')}\n\n`);
}

await main().catch(async (err: unknown) => {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  await stopAll();
  process.exit(1);
});
