/**
 * `npm run bench [-- --quick] [-- --profile]`: DESIGN §11 measured in one run on this machine.
 *
 *  (a) floor    — a bare Express route doing one synchronous-commit INSERT (both cores)
 *  (a2) work floor — the verified query's unavoidable work in minimal code (bench/work-floor.ts),
 *                 run back to back with (b), twice, alternating: a2, b, a2, b
 *  (b) query    — verified bank queries: DPoP access token, consent token, one record type from the
 *                 registry process, policy, durable audit entry (gateway on both cores)
 *  (c) 3-record — the same with three record types per query
 *  (d) history  — citizens reading their access log with >= 10 M audit entries present
 *  (e) appends  — audit appends at a fixed 2,000/s with the sequencer and checkpointer running
 *  fixed rate   — (b) at half of (a2)'s closed-loop rate for 60 s
 * Queries use each consent up to its 3 uses (the last too) and every 5th asks for a signed copy.
 * Per scenario: req/s, p50/p99, CPU ms per request per process (gateway, registry, PostgreSQL)
 * and SQL statements and transactions per request as PostgreSQL counts them (bench/lib/sql-stats.ts;
 * the default database server is a persistent embedded one with pg_stat_statements, `--pg local`
 * uses 127.0.0.1:5432 without statement counts).
 *
 * Progress goes to stderr; the result to bench/results/<date>-<sha>.json and a row of
 * bench/RESULTS.md. Everything runs on loopback; every phase is bounded in time; every process
 * started here is stopped here.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { LoadResult, LoadSpec } from './load.js';
import { benchServer } from './lib/database.js';
import { appends, ensureHistory, querySpecs, workFloor, type Runner } from './lib/phases.js';
import {
  benchClients,
  citizenSessions,
  ONE_RECORD,
  seedBase,
  startBenchIdp,
  THREE_RECORDS,
} from './lib/prepare.js';
import { gatewayEnv, registryArgs, registryEnv } from './lib/services.js';
import { cpuMeter, freePort, rssSampler, startNode, waitFor200, type Child } from './lib/procs.js';
import { computeFigures, targetsOf, type Scenario } from './lib/figures.js';
import { backendPids, gitSha, maxEntryId, missingAudit, perRequest, workerPids } from './lib/measure.js';
import { appendResultsRow, printSummary } from './lib/report.js';
import { sqlStats } from './lib/sql-stats.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    'fresh-history': { type: 'boolean', default: false },
    only: { type: 'string' },
    pg: { type: 'string', default: 'embedded' },
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
const only = new Set((args.only ?? 'a,a2,b,c,d,e,fixed').split(','));
const PAIRS = 2;
const SIGNED_COPY_EVERY = 5;
const USES = 3;

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
  forget(child);
}

function forget(child: Child): void {
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
  forget(child);
  const line = child.lines.find((l) => l.startsWith('{'));
  if (code !== 0 || !line) throw new Error(`load generator for ${label} failed (exit ${code}); see ${work}`);
  const result = JSON.parse(line) as LoadResult;
  log(
    `${label}: ${result.rps} req/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, ` +
      `2xx ${result.ok2xx}, non-2xx ${result.non2xx}, errors ${result.errors + result.timeouts}`,
  );
  return result;
}

async function main(): Promise<void> {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const server = await benchServer(
    log,
    args.pg === 'local' ? undefined : join(root, 'bench', '.data', 'pg'),
    join(work, 'postgres.log'),
  );
  log(`PostgreSQL: ${server.kind} (${new URL(server.url).host})`);
  const dbName = quick ? 'juc_bench_quick' : 'juc_bench';
  const {
    db,
    url: dbUrl,
    entries: historyEntries,
  } = await ensureHistory(server.url, dbName, {
    fresh: args['fresh-history']!,
    entries: plan.history,
    log,
  });
  const totalEntries = Number((await db('audit_entry').count({ n: '*' }).first())?.n ?? 0);
  const keyStoreDir = join(root, 'bench', '.data', 'keys');
  const { clientIds } = await seedBase(db, { persons: plan.persons, keyStoreDir, clients: 4, log });
  const sql = await sqlStats(db, dbName);
  if (!sql.available) log('pg_stat_statements is not loaded: statements per request are not counted');

  const idp = await startBenchIdp(db);
  log(`bench IdP ${idp.issuer}; ${clientIds.length} DPoP-bound API clients`);

  const results: Record<string, unknown> = {};
  let fixedRate = 1000;
  let rss = { gateway: 0, registry: 0 };
  try {
    /** One measured run: load, RSS, CPU per process group, SQL per request. */
    const measure = async (
      key: string,
      label: string,
      spec: LoadSpec,
      groups: Record<string, () => number[]>,
      checkIds: boolean,
    ): Promise<Scenario> => {
      const before = await maxEntryId(db);
      const idsFile = join(work, `ids-${key}.json`);
      const window = await sql.start();
      const sampler = rssSampler(groups);
      const cpu = cpuMeter({ ...groups, postgres: () => backendPids(db, dbName) });
      await cpu.start();
      const result = await load({ ...spec, ...(checkIds ? { idsFile } : {}) }, label);
      const requests = result.ok2xx + result.non2xx;
      const cpuMs = perRequest(await cpu.stop(), requests);
      const out: Scenario & { rss?: unknown } = { ...result, rss: sampler.stop(), cpuMsPerRequest: cpuMs };
      out.sql = await window.stop(requests);
      log(`${label}: CPU ms per request ${JSON.stringify(cpuMs)}`);
      log(
        `${label}: SQL per request: ${out.sql.statements ?? '?'} statements, ${out.sql.transactions} transactions`,
      );
      if (checkIds) {
        out.missingAudit = await missingAudit(db, idsFile, before);
        log(`${label}: 2xx answers without a committed released entry: ${out.missingAudit}`);
      }
      results[key] = out;
      return out;
    };

    const runner: Runner = { log, work, node, stop, load, measure, forget };
    // ---- (a) the floor ---------------------------------------------------------------------
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
      const spec = { kind: 'floor' as const, url: `http://127.0.0.1:${port}`, connections: CONNECTIONS };
      await load({ ...spec, durationSec: plan.warmup }, 'a-warmup');
      await measure(
        'a',
        'a-floor',
        { ...spec, durationSec: plan.seconds },
        { server: () => workerPids(floorServer) },
        false,
      );
      await stop(floorServer);
    }

    // ---- the gateway: production settings on both cores, registry as its own process ---------
    const registryPort = await freePort();
    const profile = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(work, 'profiles')}`] : [];
    const registry = node(
      'registry',
      'server/dev/registry/registry-main.ts',
      registryArgs(registryPort, keyStoreDir),
      registryEnv(dbUrl, keyStoreDir),
      { nodeArgs: profile },
    );
    // Production runs the compiled build (npm run build), not the TypeScript through tsx.
    log('building dist/ (npm run build)');
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    await waitFor200(`http://127.0.0.1:${registryPort}/health`, 60_000, registry);
    let gateway: Child | undefined;
    const startGateway = async () => {
      const env = gatewayEnv({
        port,
        dbUrl,
        keyStoreDir,
        devDataDir: join(work, 'dev-data'),
        idp,
        registryUrl: `http://127.0.0.1:${registryPort}`,
        extra: {
          GATEWAY_ENTRY: join(root, 'dist', 'server', 'main.js'),
          // The bench measures the work per query: on a shared machine a slow answer is the
          // machine, and the shedder would turn it into 503s before the closed loop's 50 are in.
          SHED_MIN_IN_FLIGHT: '64',
        },
      });
      gateway = node('gateway', 'bench/gateway-cluster.ts', [], env, {
        nodeArgs: [...GATEWAY_NODE_ARGS, ...profile],
      });
      await waitFor200(`${publicUrl}/readyz`, 120_000, gateway);
      log(`gateway ready at ${publicUrl} (NODE_ENV=production, 2 workers); registry on ${registryPort}`);
    };
    const gatewayGroups = {
      gateway: () => (gateway ? workerPids(gateway) : []),
      registry: () => [registry.proc.pid!],
    };

    const querySpec = querySpecs(runner, {
      db,
      clients: () => benchClients(idp, clientIds),
      keyStoreDir,
      publicUrl,
      connections: CONNECTIONS,
      seconds: plan.seconds,
      uses: USES,
      signedCopyEvery: SIGNED_COPY_EVERY,
    });
    // ---- (a2) and (b), back to back, alternating ----------------------------------------------
    await db.raw(
      `CREATE TABLE IF NOT EXISTS bench_work_floor (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         request_id uuid NOT NULL, jti text NOT NULL UNIQUE, body text NOT NULL)`,
    );
    for (let pair = 1; pair <= PAIRS && (only.has('a2') || only.has('b')); pair++) {
      // The same requests for both: consents of the same persons, tokens minted just before each.
      // Upper bounds on throughput (this machine answered < 1,000 queries/s): consents and tokens
      // for more cost minutes to make.
      const requests = 2000 * plan.seconds;
      if (only.has('a2')) {
        const spec = await querySpec(`a2-${pair}`, ONE_RECORD, requests, 7000 * pair);
        await workFloor(runner, pair, spec, { dbUrl, keyStoreDir, idp, publicUrl, warmupSec: plan.warmup });
      }
      if (!only.has('b')) continue;
      await startGateway();
      const warm = await querySpec(`b-warmup-${pair}`, ONE_RECORD, 1500 * plan.warmup, 0);
      const spec = await querySpec(`b-${pair}`, ONE_RECORD, requests, 7000 * pair);
      await load({ ...warm, durationSec: plan.warmup }, `b-warmup-${pair}`);
      await measure(`b-${pair}`, `b-query-${pair}`, spec, gatewayGroups, true);
      if (pair < PAIRS) await stop(gateway!);
    }
    const a2Rates = Object.keys(results)
      .filter((k) => k.startsWith('a2-'))
      .map((k) => (results[k] as Scenario).rps);
    if (a2Rates.length) fixedRate = Math.round(a2Rates.reduce((a, v) => a + v, 0) / a2Rates.length / 2);

    if (only.has('c') || only.has('d') || only.has('fixed')) {
      if (!gateway || gateway.proc.exitCode !== null) await startGateway();
    }
    if (only.has('c')) {
      const spec = await querySpec('c', THREE_RECORDS, 1500 * plan.seconds, 14000);
      await measure('c', 'c-3-records', spec, gatewayGroups, true);
    }
    if (only.has('d')) {
      const cookies = await citizenSessions(db, 2000, historyEntries, idp.issuer);
      const spec = { kind: 'history' as const, url: publicUrl, connections: CONNECTIONS, cookies };
      await load({ ...spec, durationSec: plan.warmup }, 'd-warmup');
      await measure('d', 'd-history', { ...spec, durationSec: plan.seconds }, gatewayGroups, false);
      // The §11 latency target is a citizen's wait, not a queue's: measured at a fixed rate well
      // above what a country's citizens ask (51 M people reading twice a year ≈ 3 reads/s).
      const fixed = { ...spec, durationSec: plan.seconds, overallRate: HISTORY_RATE };
      await measure('dFixed', `d-history-${HISTORY_RATE}`, fixed, gatewayGroups, false);
    }
    if (only.has('fixed')) {
      const spec = await querySpec('fixed', ONE_RECORD, fixedRate * 1.2 * plan.fixedSeconds, 21000);
      const fixed = { ...spec, durationSec: plan.fixedSeconds, overallRate: fixedRate, connections: 100 };
      await measure('fixed', `fixed-${fixedRate}`, fixed, gatewayGroups, true);
    }
    // The §11 RSS figure: the largest gateway worker (the registry is reported beside it).
    const peakOf = (group: string) =>
      Object.entries(results)
        .filter(([k]) => !k.startsWith('a'))
        .map(
          ([, r]) =>
            (r as { rss?: { peakByGroupMb?: Record<string, number> } }).rss?.peakByGroupMb?.[group] ?? 0,
        )
        .reduce((a, v) => Math.max(a, v), 0);
    rss = { gateway: peakOf('gateway'), registry: peakOf('registry') };
    if (gateway) await stop(gateway);
    await stop(registry);

    // ---- (e) audit appends at a fixed rate, sequencer lag -----------------------------------
    if (only.has('e'))
      results.e = await appends(runner, server.url, { seconds: plan.appendSeconds, rate: APPEND_RATE });
  } finally {
    await stopAll();
    await idp.stop();
    await db.destroy();
    await server.stop();
  }

  const sha = gitSha(root);
  const date = new Date().toISOString().slice(0, 10);
  const figures = {
    ...computeFigures(results, results.e),
    rssPeakMb: rss.gateway || null,
    rssRegistryMb: rss.registry || null,
  };
  const targets = targetsOf(figures);
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
      pairs: PAIRS,
      usesPerConsent: USES,
      signedCopyEvery: SIGNED_COPY_EVERY,
      fixedRate,
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
  appendResultsRow(join(root, 'bench', 'RESULTS.md'), report.mode, date, sha, figures);
  printSummary(figures, targets);
  log(`wrote ${file} and a row of bench/RESULTS.md`);
}

await main().catch(async (err: unknown) => {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  await stopAll();
  process.exit(1);
});
