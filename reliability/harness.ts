/**
 * `npm run reliability`: the forty checks of ../shared/research/reliability.md §5 with a figure each.
 *
 * Setup: a throwaway PostgreSQL cluster (test/faults/postgres.ts), the reference registry behind the
 * fault proxy, the harness's own issuer behind a second proxy (its JWKS can be taken away), and the
 * gateway on both cores with production settings (bench/gateway-cluster.ts, bench/lib/services.ts).
 * Two phases, each with its own gateway start:
 *  - quick (B, A, I, F2, F3, then L3): production quotas (150 queries per client per minute) so
 *    throttling is real; the same check modules `npm test` runs against the test app;
 *  - load and faults (L1, L2, L4–L6, F1, F4–F9): quotas lifted, provider timeouts short, the
 *    workers' heap capped at 256 MB; the capacity measured first sets the rates.
 * After every L and F run, answers with data are cross-checked against committed audit entries.
 * Every phase is bounded (RELIABILITY_MAX_S for the whole run); every process started here is
 * stopped here, on Ctrl-C too. Knobs: RELIABILITY_SOAK_S, RELIABILITY_L1_S, RELIABILITY_RATE,
 * RELIABILITY_FUZZ_RUNS, RELIABILITY_ONLY (ids, comma-separated).
 */
import { execSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import { benchDatabase } from '../bench/lib/database.js';
import { seedBase, startBenchIdp } from '../bench/lib/prepare.js';
import { childPids, freePort, sleep, startNode, waitFor200, type Child } from '../bench/lib/procs.js';
import { gatewayEnv, registryArgs, registryEnv } from '../bench/lib/services.js';
import { createDb } from '../server/db/db.js';
import type { DevIdentityProvider } from '../server/dev/identity-provider.js';
import { Load } from '../test/faults/closed-loop.js';
import { startFaultProxy, type FaultProxy } from '../test/faults/fault-proxy.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../test/faults/postgres.js';
import { FAULTS } from './checks/faults.js';
import { L1, L4, L5, L6, measureCapacity, type LoadContext, type RigCheck } from './checks/load.js';
import { L3 } from './checks/noisy-neighbour.js';
import { L2 } from './checks/overload.js';
import { startFrontProxy, type FrontProxy } from './front-proxy.js';
import { gatewayTarget } from './gateway-target.js';
import { QUICK_CHECKS } from './quick.js';
import { ordered, table, writeResults } from './report.js';
import { makeItems, runLoadProcess, type Rig } from './rig.js';
import { fail, runChecks, skipped, type CheckResult } from './types.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const work = join(root, 'reliability', '.data');
const started = Date.now();
const log = (line: string) =>
  process.stderr.write(
    `[reliability ${String(Math.round((Date.now() - started) / 1000)).padStart(4)} s] ${line}\n`,
  );
// `npm run reliability -- --only L2,F4` or RELIABILITY_ONLY=L2,F4: those checks only, nothing recorded.
const onlyArg = process.argv.indexOf('--only');
const onlyIds = onlyArg >= 0 ? process.argv[onlyArg + 1] : process.env.RELIABILITY_ONLY;
const only = onlyIds ? new Set(onlyIds.split(',').map((id) => id.trim().toUpperCase())) : undefined;
/** application_name of the harness's connections (seeding, issuer, cross-checks). */
const HARNESS_APP = 'reliability';
const MAX_S = Number(process.env.RELIABILITY_MAX_S ?? 1200);

const children: Child[] = [];
const proxies: FaultProxy[] = [];
const fronts: FrontProxy[] = [];
let pg: ThrowawayPostgres | undefined;
let idp: DevIdentityProvider | undefined;
let db: Knex | undefined;
let stopping = false;

async function cleanup(): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const child of [...children].reverse()) await child.stop('SIGTERM', 15_000).catch(() => undefined);
  for (const p of proxies) await p.close().catch(() => undefined);
  for (const f of fronts) await f.stop().catch(() => undefined);
  await idp?.stop().catch(() => undefined);
  await db?.destroy().catch(() => undefined);
  pg?.stop();
  pg?.remove();
  // A tmpfs F4 mounted, if a signal cut it short.
  for (const name of readdirSync('/tmp').filter((n) => n.startsWith('juc-reliability-tmpfs-'))) {
    spawnSync('umount', ['-l', join('/tmp', name)]);
    rmSync(join('/tmp', name), { recursive: true, force: true });
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void cleanup().then(() => process.exit(130)));
setTimeout(() => {
  log(`run exceeded RELIABILITY_MAX_S=${MAX_S}: stopping`);
  void cleanup().then(() => process.exit(2));
}, MAX_S * 1000).unref();

function runRigChecks(checks: RigCheck[], rig: Rig, ctx: LoadContext, results: CheckResult[]) {
  return checks.reduce(async (prev, check) => {
    await prev;
    if (only && !only.has(check.id)) return;
    // After F1 the issuer's database handle is gone (the harness reopens its own): keep the tokens.
    const lifetime = await rig.target.refreshTokens().catch((err: unknown) => {
      log(`client tokens not renewed: ${(err as Error).message}`);
      return 0;
    });
    const t0 = Date.now();
    log(`${check.id}: ${check.title} (client tokens renewed, ${lifetime} s)`);
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([
      check
        .run(rig, ctx)
        .catch((err: unknown) => fail('error', [`threw: ${(err as Error).stack ?? String(err)}`])),
      new Promise<ReturnType<typeof fail>>(
        (r) => (timer = setTimeout(() => r(fail('timeout', ['did not finish within 150 s'])), 150_000)),
      ),
    ]);
    clearTimeout(timer);
    const row = { id: check.id, title: check.title, ...result, ms: Date.now() - t0 };
    results.push(row);
    log(`${row.id} ${row.status}: ${row.figure}`);
  }, Promise.resolve());
}

async function main(): Promise<number> {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  pg = startThrowawayPostgres(await freePort());
  log(`throwaway PostgreSQL on port ${pg.port}`);
  const bench = await benchDatabase(pg.url, 'juc_reliability', { poolMax: 4 });
  const dbUrl = bench.url;
  // The harness's own connections are named so that L4 counts only the gateway's.
  await bench.db.destroy();
  db = createDb({ url: dbUrl, poolMax: 4, statementTimeoutMs: 3_600_000, applicationName: HARNESS_APP });
  const keyStoreDir = join(work, 'keys');
  const { clientIds } = await seedBase(db, { persons: 3000, keyStoreDir, clients: 2, log });
  idp = await startBenchIdp(db);
  const issuerProxy = await startFaultProxy({ host: '127.0.0.1', port: Number(new URL(idp.url).port) });
  proxies.push(issuerProxy);

  const registryPort = await freePort();
  const registry = startNode(
    'registry',
    join(root, 'server/dev/registry/registry-main.ts'),
    registryArgs(registryPort, keyStoreDir),
    registryEnv(dbUrl, keyStoreDir),
    join(work, 'registry.log'),
  );
  children.push(registry);
  await waitFor200(`http://127.0.0.1:${registryPort}/health`, 60_000, registry);
  const registryProxy = await startFaultProxy({ host: '127.0.0.1', port: registryPort });
  proxies.push(registryProxy);

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = join(work, 'gateway.log');
  const quick: Record<string, string> = {
    QUERY_RATE_LIMIT_PER_MINUTE: '150',
    CONSENT_REQUESTS_PER_MINUTE: '1000',
    CONSENT_REQUESTS_PER_SUBJECT_PER_HOUR: '1000',
    DB_STATEMENT_TIMEOUT_MS: '2000',
    DB_POOL_MAX: '10',
  };
  const loadSettings: Record<string, string> = {
    PROVIDER_TIMEOUT_MS: '800',
    QUERY_DEADLINE_MS: '1500',
    PROVIDER_BREAKER_COOLDOWN_MS: '1000',
    DB_STATEMENT_TIMEOUT_MS: '5000',
    SHUTDOWN_TIMEOUT_MS: '10000',
    DB_POOL_MAX: '10',
  };
  let settings = quick;
  let gateway: Child | undefined;
  const startGateway = async () => {
    const env = gatewayEnv({
      port,
      dbUrl,
      keyStoreDir,
      devDataDir: join(work, 'dev-data'),
      idp: idp!,
      registryUrl: `http://127.0.0.1:${registryProxy.port}`,
      extra: settings,
    });
    env.API_TOKEN_ISSUERS = JSON.stringify([
      {
        issuer: idp!.issuer,
        jwksUri: `http://127.0.0.1:${issuerProxy.port}/jwks`,
        audience: 'urn:joint-use-center:api',
      },
    ]);
    // Its output goes straight to the log file, as the bench's does, not through a pipe to this
    // process: pino writes synchronously, so a pipe this process (on the same two cores) drains late
    // would stall the workers and count as the gateway's latency.
    gateway = startNode('gateway', join(root, 'bench/gateway-cluster.ts'), [], env, logFile, {
      nodeArgs: ['--max-old-space-size=256'],
    });
    children.push(gateway);
    await waitFor200(`${url}/readyz`, 120_000, gateway);
    while (childPids(gateway.proc.pid!).length < 2) await sleep(100);
  };
  const stopGateway = async () => {
    const g = gateway!;
    await g.stop('SIGTERM', 15_000);
    children.splice(children.indexOf(g), 1);
  };
  await startGateway();
  log(`gateway ready at ${url} (quick phase: 150 queries per client per minute)`);

  const target = await gatewayTarget({
    url,
    db: () => db!,
    dbUrl,
    idp,
    clientIds,
    keyStoreDir,
    logFile,
    gatewayPid: () => gateway!.proc.pid!,
    queryRateLimitPerMinute: 150,
    bodyLimitBytes: 102_400,
    statementTimeoutMs: Number(quick.DB_STATEMENT_TIMEOUT_MS),
  });
  const scale = {
    soakSec: Number(process.env.RELIABILITY_SOAK_S ?? 45),
    l1Sec: Number(process.env.RELIABILITY_L1_S ?? 20),
  };
  const rig: Rig = {
    root,
    work,
    target,
    pg,
    db: () => db!,
    closeDb: async () => {
      await db!.destroy();
    },
    reopenDb: async () => {
      db = createDb({ url: dbUrl, poolMax: 4, statementTimeoutMs: 60_000, applicationName: HARNESS_APP });
    },
    dbUrl,
    gateway: () => gateway!,
    restartGateway: async () => {
      await stopGateway();
      await startGateway();
    },
    startGateway: async () => {
      children.splice(children.indexOf(gateway!), 1);
      await startGateway();
    },
    workers: () => childPids(gateway!.proc.pid!),
    // The cluster primary's `exit <pid> <code> <signal>` lines, among the workers' log lines.
    exitLines: () =>
      readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('exit ')),
    registryProxy,
    registryPort,
    issuerProxy,
    idp,
    clients: target.clients,
    get settings() {
      return settings;
    },
    items: (count) =>
      makeItems({ db: () => db!, clients: target.clients, root, work, target, keyStoreDir }, count),
    closedLoop: (items, concurrency) => new Load(url, target.clients, items, concurrency),
    fixedLoad: (spec) => runLoadProcess(root, work, url, target.clients, spec),
    startFrontProxy: async () => {
      const front = await startFrontProxy({ work, gatewayPort: port, workers: rig.workers().length });
      if ('url' in front) fronts.push(front);
      return front;
    },
    scale,
    log,
  };
  const results: CheckResult[] = [];
  const ctx: LoadContext = { capacity: 0, missing: {} };

  log('quick phase: B, A, I, F2, F3');
  for (const check of QUICK_CHECKS) {
    if (only && !only.has(check.id)) continue;
    // Access tokens live 300 s; a busy machine stretches this phase past that.
    await target
      .refreshTokens()
      .catch((err: unknown) => log(`client tokens not renewed: ${(err as Error).message}`));
    results.push(
      ...(await runChecks([check], target, {
        timeoutMs: 300_000,
        onResult: (r) => log(`${r.id} ${r.status}: ${r.figure}`),
      })),
    );
  }
  await runRigChecks([L3], rig, ctx, results);
  await stopGateway();

  settings = loadSettings;
  target.queryRateLimitPerMinute = 1_000_000;
  await startGateway();
  log('load and fault phase');
  const needsCapacity = !only || [...only].some((id) => ['L1', 'L2', 'L4', 'L5'].includes(id));
  if (needsCapacity) {
    ctx.capacity = await measureCapacity(rig);
    log(`capacity (closed loop, 16 connections, 6 s): ${ctx.capacity} queries/s`);
  }
  await runRigChecks([L1, L2, L4, L5, L6], rig, ctx, results);
  await runRigChecks(FAULTS, rig, ctx, results);
  for (const id of ['B', 'A', 'I', 'L', 'F'].flatMap((g) =>
    Array.from({ length: 10 }, (_, i) => `${g}${i + 1}`),
  ))
    if (
      !results.some((r) => r.id === id) &&
      (!only || only.has(id)) &&
      /^(L[1-6]|F[1-9]|B[1-8]|A(10|[1-9])|I[1-7])$/.test(id)
    )
      results.push({ id, title: 'not run', ...skipped('not reached'), ms: 0 });

  const wallSeconds = (Date.now() - started) / 1000;
  const sha = execSync('git rev-parse --short HEAD', { cwd: root, encoding: 'utf8' }).trim();
  process.stdout.write(`\n${table(results)}\n\n`);
  // A run of a few checks (--only) is someone looking closer: every row's notes, not only failures'.
  for (const r of ordered(results))
    if (r.status !== 'pass' || only)
      process.stdout.write(`${r.id} ${r.status}: ${r.notes.slice(0, only ? undefined : 6).join(' | ')}\n`);
  const missingTotal = Object.values(ctx.missing).reduce((a, b) => a + b, 0);
  const file = only
    ? '(RELIABILITY_ONLY: not recorded)'
    : writeResults(
        join(root, 'reliability'),
        { sha, wallSeconds, missing: ctx.missing, scale: { ...scale, capacity: ctx.capacity, l1: ctx.l1 } },
        results,
      );
  process.stdout.write(
    `\npass ${results.filter((r) => r.status === 'pass').length}/${results.length}, fail ${results.filter((r) => r.status === 'fail').length}, skipped ${results.filter((r) => r.status === 'skipped').length}; ` +
      `entries missing over L/F runs: ${missingTotal} ${JSON.stringify(ctx.missing)}; wall time ${Math.round(wallSeconds)} s; ${file}\n`,
  );
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}

const code = await main().catch((err: unknown) => {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  return 1;
});
await cleanup();
process.exit(code);
