/**
 * `npm run faults`: the gateway under load while things break (not part of `npm test`).
 *
 * Setup: a throwaway PostgreSQL cluster (initdb, own port — the one we crash), the reference
 * registry behind an in-repo TCP fault proxy, the gateway on both cores with production settings
 * (bench/lib/services.ts), DPoP-bound bank clients and consents, and a closed-loop load of bank
 * queries that records every answer.
 *
 * Faults, one after another: PostgreSQL `pg_ctl stop -m immediate` and restart; registry latency
 * beyond the timeout, connection resets and garbage; SIGKILL and SIGTERM of a gateway worker;
 * audit writes failing. After each:
 *  - I1: every 2xx answer that carried data has a committed `released` audit entry with its
 *    request id (missing must be 0);
 *  - the audit verifier passes (`npm run audit:verify -- --db` against the cluster);
 *  - the service is healthy again (/readyz 200, both workers up, a query answered with data)
 *    within 10 s of the fault ending.
 * Prints a summary table; exits 1 on any violation. `--ha` runs the high-availability cluster's
 * faults instead (test/faults/ha/run.ts). Every phase is bounded in time; every process
 * started here is stopped here; the cluster folder is removed.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchDatabase } from '../../bench/lib/database.js';
import { createDb } from '../../server/db/db.js';
import {
  BENCH_SECRETS,
  benchClients,
  consentTokens,
  createConsents,
  ONE_RECORD,
  seedBase,
  startBenchIdp,
} from '../../bench/lib/prepare.js';
import { childPids, freePort, sleep, startNode, waitFor200, type Child } from '../../bench/lib/procs.js';
import { gatewayEnv, registryArgs, registryEnv } from '../../bench/lib/services.js';
import { Load, type Answer } from './closed-loop.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from './postgres.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const work = join(root, 'test', 'faults', '.data');
const RECOVERY_LIMIT_MS = 10_000;

// `--ha`: the Patroni/HAProxy cluster's faults instead (test/faults/ha/run.ts); `--only=a,d` picks
// some, `--short` shortens each run (CI).
if (process.argv.includes('--ha')) {
  const { runHaFaults } = await import('./ha/run.js');
  const only = process.argv
    .find((a) => a.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  process.exit(await runHaFaults({ ...(only ? { only } : {}), short: process.argv.includes('--short') }));
}

const started = Date.now();
const log = (line: string) =>
  process.stderr.write(
    `[faults ${String(Math.round((Date.now() - started) / 1000)).padStart(4)} s] ${line}\n`,
  );

interface Outcome {
  name: string;
  requests: number;
  withData: number;
  statuses: Record<string, number>;
  networkErrors: number;
  missing: number;
  verifier: boolean;
  recoveryMs: number | null;
  workerExits: string[];
  notes: string[];
  violations: string[];
}

const children: Child[] = [];
let pg: ThrowawayPostgres | undefined;
let proxy: FaultProxy | undefined;

async function cleanup(): Promise<void> {
  for (const child of children.reverse()) await child.stop('SIGTERM', 15_000).catch(() => undefined);
  await proxy?.close();
  pg?.stop();
  pg?.remove();
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanup().then(() => process.exit(130)));
}

async function main(): Promise<number> {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  pg = startThrowawayPostgres(await freePort());
  log(`throwaway PostgreSQL on port ${pg.port} (${pg.dataDir})`);
  const bench = await benchDatabase(pg.url, 'juc_faults', { poolMax: 4 });
  const dbUrl = bench.url;
  // Our own pool is closed across the crash (its idle connections would die noisily) and reopened.
  let db = bench.db;
  const keyStoreDir = join(work, 'keys');
  const { clientIds } = await seedBase(db, { persons: 3000, keyStoreDir, clients: 2, log });
  const idp = await startBenchIdp(db);
  const clients = await benchClients(idp, clientIds);

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
  proxy = await startFaultProxy({ host: '127.0.0.1', port: registryPort });

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const gateway = startNode(
    'gateway',
    join(root, 'bench/gateway-cluster.ts'),
    [],
    gatewayEnv({
      port,
      dbUrl,
      keyStoreDir,
      devDataDir: join(work, 'dev-data'),
      idp,
      registryUrl: `http://127.0.0.1:${proxy.port}`,
      extra: {
        PROVIDER_TIMEOUT_MS: '800',
        QUERY_DEADLINE_MS: '1500',
        PROVIDER_BREAKER_COOLDOWN_MS: '1000',
        DB_STATEMENT_TIMEOUT_MS: '5000',
        SHUTDOWN_TIMEOUT_MS: '10000',
      },
    }),
    join(work, 'gateway.log'),
    { capture: true },
  );
  children.push(gateway);
  await waitFor200(`${url}/readyz`, 120_000, gateway);
  log(`gateway ready at ${url}; registry ${registryPort} behind fault proxy ${proxy.port}`);

  const workers = () => childPids(gateway.proc.pid!);
  const exitLines = () => gateway.lines.filter((l) => l.startsWith('exit '));
  const outcomes: Outcome[] = [];

  /** A fresh consent pool per scenario (tokens live 10 min; each consent allows 3 uses). */
  const loadFor = async (count: number, offset: number): Promise<Load> => {
    const { records, items } = await createConsents(db, {
      count,
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
    return new Load(
      url,
      clients,
      items.map((item, i) => ({ client: item.client, rrn: item.rrn, consentToken: tokens[i]! })),
    );
  };

  /** Healthy: /readyz 200, both workers running, one query answered with data. */
  const recovery = async (load: Load, since: number): Promise<number | null> => {
    const deadline = since + RECOVERY_LIMIT_MS + 5_000;
    while (Date.now() < deadline) {
      try {
        const ready = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) });
        await ready.arrayBuffer();
        if (ready.status === 200 && workers().length === 2) {
          const probe = await load.query();
          load.answers.push(probe);
          if (probe.data) return Date.now() - since;
        }
      } catch {
        // not yet
      }
      await sleep(100);
    }
    return null;
  };

  const verify = async (): Promise<boolean> => {
    const child = startNode(
      'audit-verify',
      join(root, 'server/cli/audit-verify.ts'),
      ['--db'],
      {
        NODE_ENV: 'development',
        DATABASE_URL: dbUrl,
        KEY_STORE_DIR: keyStoreDir,
        AUDIT_LOG_ORIGIN: BENCH_SECRETS.auditLogOrigin,
      },
      join(work, 'audit-verify.log'),
      { capture: true },
    );
    const timer = setTimeout(() => child.proc.kill('SIGKILL'), 120_000);
    const code = await child.exited;
    clearTimeout(timer);
    return code === 0;
  };

  const missingAudit = async (answers: Answer[]): Promise<number> => {
    const ids = answers.filter((a) => a.data).map((a) => a.requestId ?? 'none');
    if (ids.length === 0) return 0;
    const { rows } = await db.raw<{ rows: { missing: number }[] }>(
      `SELECT count(*)::int AS missing FROM unnest(?::text[]) AS a(id)
       WHERE NOT EXISTS (SELECT 1 FROM audit_entry e WHERE e.request_id = a.id AND e.outcome = 'released')`,
      [ids],
    );
    return rows[0]!.missing;
  };

  let offset = 0;
  const scenario = async (
    name: string,
    fault: (load: Load) => Promise<{ endedAt: number; notes?: string[]; violations?: string[] }>,
  ) => {
    log(`${name}: start`);
    const load = await loadFor(1500, (offset += 1500));
    const exitsBefore = exitLines().length;
    load.start();
    await sleep(2000);
    let result: { endedAt: number; notes?: string[]; violations?: string[] };
    try {
      result = await fault(load);
    } catch (err) {
      result = { endedAt: Date.now(), violations: [`fault step failed: ${(err as Error).message}`] };
    }
    const recoveryMs = await recovery(load, result.endedAt);
    await sleep(2000);
    await load.stop();
    // Let the sequencer place what was written, then check.
    await sleep(1500);
    const missing = await missingAudit(load.answers);
    const verifier = await verify();
    const statuses: Record<string, number> = {};
    for (const a of load.answers) if (a.status) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
    const violations = [...(result.violations ?? [])];
    if (missing > 0) violations.push(`${missing} answers with data lack a committed released entry`);
    if (!verifier) violations.push('audit verifier failed');
    if (recoveryMs === null || recoveryMs > RECOVERY_LIMIT_MS)
      violations.push(`not healthy within ${RECOVERY_LIMIT_MS / 1000} s`);
    const outcome: Outcome = {
      name,
      requests: load.answers.length,
      withData: load.answers.filter((a) => a.data).length,
      statuses,
      networkErrors: load.answers.filter((a) => a.status === 0).length,
      missing,
      verifier,
      recoveryMs,
      workerExits: exitLines().slice(exitsBefore),
      notes: result.notes ?? [],
      violations,
    };
    outcomes.push(outcome);
    log(
      `${name}: ${outcome.requests} answers, ${outcome.withData} with data, statuses ${JSON.stringify(statuses)}, ` +
        `network errors ${outcome.networkErrors}, missing ${missing}, verifier ${verifier ? 'ok' : 'FAILED'}, ` +
        `healthy after ${recoveryMs ?? 'never'} ms${violations.length ? ` — VIOLATIONS: ${violations.join('; ')}` : ''}`,
    );
  };

  /** Answers to requests sent after `from` and answered before `to`: wholly inside the fault. */
  const window = (load: Load, from: number, to: number) =>
    load.answers.filter((a) => a.at >= from && a.done <= to);

  try {
    await scenario('baseline (no fault)', async () => {
      await sleep(3000);
      return { endedAt: Date.now() };
    });

    await scenario('postgres crash (pg_ctl stop -m immediate, restart after 3 s)', async (load) => {
      await db.destroy();
      pg!.crash();
      const down = Date.now();
      await sleep(3000);
      pg!.start();
      db = createDb({ url: dbUrl, poolMax: 4, statementTimeoutMs: 60_000 });
      const up = Date.now();
      const during = window(load, down, up);
      const wrong = during.filter((a) => a.status !== 503 && a.status !== 0);
      const slow = during.filter((a) => a.done - a.at > 2000);
      return {
        endedAt: up,
        notes: [
          `while down: ${during.length} answers, ${during.filter((a) => a.status === 503).length} × 503, ` +
            `statuses ${JSON.stringify(countBy(during.map((a) => a.status)))}, ${slow.length} slower than 2 s`,
        ],
        violations: [
          ...(wrong.length ? [`${wrong.length} answers while PostgreSQL was down were not 503`] : []),
          ...(slow.length ? [`${slow.length} answers while PostgreSQL was down took over 2 s`] : []),
        ],
      };
    });

    for (const [kind, label] of [
      ['latency', 'registry latency 1.5 s (> 0.8 s timeout)'],
      ['reset', 'registry connection resets'],
      ['garbage', 'registry answers garbage'],
    ] as const) {
      await scenario(label, async (load) => {
        const from = Date.now();
        proxy!.setMode(kind === 'latency' ? { kind, ms: 1500 } : { kind });
        await sleep(4000);
        proxy!.setMode({ kind: 'pass' });
        const during = window(load, from + 200, Date.now());
        return {
          endedAt: Date.now(),
          notes: [
            `during: ${during.length} answers, ${during.filter((a) => a.data).length} with data, ` +
              `statuses ${JSON.stringify(countBy(during.map((a) => a.status)))}`,
          ],
          violations: during.some((a) => a.data)
            ? [
                `${during.filter((a) => a.data).length} answers carried registry data while the registry was broken`,
              ]
            : [],
        };
      });
    }

    await scenario('SIGKILL of a gateway worker', async () => {
      const victim = workers()[0]!;
      process.kill(victim, 'SIGKILL');
      return { endedAt: Date.now(), notes: [`killed worker ${victim}`] };
    });

    await scenario('SIGTERM of a gateway worker (drain)', async () => {
      const victim = workers()[0]!;
      process.kill(victim, 'SIGTERM');
      const deadline = Date.now() + 15_000;
      let line: string | undefined;
      while (Date.now() < deadline && !line) {
        line = exitLines().find((l) => l.startsWith(`exit ${victim} `));
        if (!line) await sleep(50);
      }
      const code = line?.split(' ')[2];
      return {
        endedAt: Date.now(),
        notes: [`worker ${victim} exited with code ${code ?? '?'}`],
        violations:
          code === '0' ? [] : [`SIGTERM: worker exit code ${code ?? 'none within 15 s'} (expected 0)`],
      };
    });

    await scenario('audit writes failing (trigger refuses audit_queue inserts for 4 s)', async (load) => {
      await db.raw(`CREATE OR REPLACE FUNCTION faults_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'fault injection: audit storage unavailable'; END $$`);
      await db.raw(`CREATE TRIGGER faults_refuse_audit BEFORE INSERT ON audit_queue
        FOR EACH ROW EXECUTE FUNCTION faults_refuse_audit()`);
      const from = Date.now();
      await sleep(4000);
      const to = Date.now();
      await db.raw('DROP TRIGGER faults_refuse_audit ON audit_queue');
      await db.raw('DROP FUNCTION faults_refuse_audit()');
      const during = window(load, from + 100, to);
      return {
        endedAt: Date.now(),
        notes: [
          `during: ${during.length} answers, ${during.filter((a) => a.status === 503).length} × 503, ` +
            `${during.filter((a) => a.data).length} with data`,
        ],
        violations: during.some((a) => a.data)
          ? [`${during.filter((a) => a.data).length} answers carried data while audit writes failed`]
          : [],
      };
    });
  } finally {
    await idp.stop();
    await db.destroy();
    await cleanup();
  }

  printTable(outcomes);
  const failed = outcomes.filter((o) => o.violations.length);
  const lost = outcomes.reduce((n, o) => n + o.missing, 0);
  process.stderr.write(
    `\nentries lost (2xx with data, no committed released entry): ${lost}\n` +
      (failed.length ? `VIOLATIONS in ${failed.length} scenario(s)\n` : 'all fault checks passed\n'),
  );
  return failed.length ? 1 : 0;
}

function countBy(values: number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

function printTable(outcomes: Outcome[]): void {
  const header = [
    'scenario',
    'answers',
    'with data',
    'non-2xx',
    'net err',
    'missing',
    'verifier',
    'healthy after',
    'result',
  ];
  const rows = outcomes.map((o) => [
    o.name,
    String(o.requests),
    String(o.withData),
    String(
      Object.entries(o.statuses)
        .filter(([s]) => !s.startsWith('2'))
        .reduce((n, [, c]) => n + c, 0),
    ),
    String(o.networkErrors),
    String(o.missing),
    o.verifier ? 'ok' : 'FAILED',
    o.recoveryMs === null ? 'never' : `${(o.recoveryMs / 1000).toFixed(1)} s`,
    o.violations.length ? 'FAIL' : 'pass',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  process.stdout.write(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}\n`);
  for (const r of rows) process.stdout.write(`${line(r)}\n`);
  for (const o of outcomes) {
    for (const note of [...o.notes, ...o.workerExits.map((l) => `worker ${l}`)])
      process.stdout.write(`  ${o.name}: ${note}\n`);
    for (const v of o.violations) process.stdout.write(`  ${o.name}: VIOLATION ${v}\n`);
  }
}

const code = await main().catch(async (err: unknown) => {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  await cleanup();
  return 1;
});
process.exit(code);
