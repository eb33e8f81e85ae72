/**
 * `npm run faults -- --ha`: the high-availability cluster (deploy/ha: etcd, two Patroni/PostgreSQL
 * nodes with synchronous replication, HAProxy, two production gateways) under a steady load of
 * verified queries through HAProxy's gateway front while things break:
 *  (a) SIGKILL of the leader's PostgreSQL (postmaster and backends);
 *  (b) SIGKILL of the leader's Patroni and PostgreSQL together (the host is lost);
 *  (c) a planned `patronictl switchover`;
 *  (d) SIGKILL of the gateway holding the sequencer's leader lock;
 *  (e) the replica lost (Patroni and PostgreSQL killed) during load.
 * After each, on the node Patroni calls leader: every 2xx answer that released data has its
 * committed `released` entry (missing must be 0); the audit verifier passes; a consistency proof
 * from the checkpoint before the fault to one after verifies; no tree size has two signed roots;
 * recovery (fault → first answer with data to a query sent after it) within 30 s for (a)–(d).
 * The killed part is then brought back so the next fault starts from a healthy cluster.
 * Results: test/faults/results/ha-<timestamp>.json and a table on stdout; exit 1 on any violation.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_SECRETS, ONE_RECORD, consentTokens, createConsents } from '../../../bench/lib/prepare.js';
import { sleep } from '../../../bench/lib/procs.js';
import { startHaService, type HaService } from '../../../deploy/ha/service.js';
import {
  auditVerify,
  fetchCheckpoint,
  missingEntries,
  proveConsistency,
  queuedEntries,
  sequencerHolder,
  splitCheckpoints,
  type SignedHead,
} from './checks.js';
import { countBy, Load, type Answer } from './load.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');
const RECOVERY_LIMIT_MS = 30_000;
const CONCURRENCY = 6;

export interface HaOutcome {
  name: string;
  answers: number;
  withData: number;
  statuses: Record<string, number>;
  /** 503 problem+json with Retry-After from a gateway. */
  failClosed: number;
  /** Gateway refusals that were not 503 problem+json with Retry-After. */
  notFailClosed: number;
  /** HAProxy's own errors (a gateway died mid-request) and refused connections. */
  proxyErrors: number;
  missing: number;
  verifier: boolean;
  consistency: string;
  splitCheckpoints: number;
  recoveryMs: number | null;
  maxLatencyMs: number;
  notes: string[];
  violations: string[];
}

interface FaultResult {
  faultAt: number;
  notes?: string[];
  /** Brings the killed part back (after the checks). */
  restore?: () => Promise<string | void>;
  recoveryLimit?: boolean;
}

async function retry<T>(what: string, fn: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${what}: ${(err as Error).message}`);
      await sleep(300);
    }
  }
}

export async function runHaFaults(
  options: {
    only?: string[];
    short?: boolean;
    /** Where the results file goes (default test/faults/results). */ resultsDir?: string;
  } = {},
): Promise<number> {
  const started = Date.now();
  const log = (line: string) =>
    process.stderr.write(
      `[faults --ha ${String(Math.round((Date.now() - started) / 1000)).padStart(4)} s] ${line}\n`,
    );
  let service: HaService | undefined;
  const stopAll = async () => {
    await service?.stop({ keep: process.env.HA_KEEP === '1' });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void stopAll().then(() => process.exit(130)));

  const outcomes: HaOutcome[] = [];
  try {
    service = await startHaService({ log, persons: 5000 });
    const s = service;
    const { cluster } = s;
    const leaderUrl = async () => cluster.nodeUrl(await cluster.waitForLeader(60_000), 'juc_ha');
    let offset = 0;

    const loadFor = async (count: number): Promise<Load> => {
      offset += count;
      const { records, items } = await retry('consents', () =>
        createConsents(s.db, {
          count,
          recordTypes: ONE_RECORD,
          clients: s.clients,
          pepper: BENCH_SECRETS.subjectPepper,
          offset,
        }),
      );
      const tokens = await consentTokens(records, s.clients, {
        keyStoreDir: s.keyStoreDir,
        publicUrl: s.url,
        pepper: BENCH_SECRETS.subjectPepper,
      });
      return new Load(
        s.url,
        s.clients,
        items.map((item, i) => ({ client: item.client, rrn: item.rrn, consentToken: tokens[i]! })),
        CONCURRENCY,
      );
    };

    const scenario = async (key: string, name: string, fault: (load: Load) => Promise<FaultResult>) => {
      if (options.only && !options.only.includes(key)) return;
      log(`(${key}) ${name}: start`);
      const load = await loadFor(options.short ? 600 : 1200);
      load.start();
      await sleep(2500);
      // The checkpoint the consistency proof starts from: signed before the fault, under load.
      let before: SignedHead = await retry('checkpoint before', () => fetchCheckpoint(s.url));
      while (before.size === 0) {
        await sleep(250);
        before = await retry('checkpoint before', () => fetchCheckpoint(s.url));
      }
      const result = await fault(load);
      // Recovery: the first answer with data to a query sent after the fault.
      let recoveryMs: number | null = null;
      const deadline = result.faultAt + 60_000;
      while (Date.now() < deadline && recoveryMs === null) {
        const first = load.answers.find((a) => a.data && a.at >= result.faultAt);
        if (first) recoveryMs = first.done - result.faultAt;
        else await sleep(100);
      }
      await sleep(options.short ? 2000 : 4000);
      await load.stop();
      const answers: Answer[] = load.answers;
      log(`(${key}) load stopped: ${answers.length} answers; checking on the leader`);

      const url = await leaderUrl();
      const drain = Date.now();
      while ((await retry('queue', () => queuedEntries(url))) > 0 && Date.now() - drain < 30_000)
        await sleep(250);
      const missing = await retry('missing entries', () => missingEntries(url, answers));
      let after = await retry('checkpoint after', () => fetchCheckpoint(s.url));
      const grown = Date.now();
      while (after.size <= before.size && Date.now() - grown < 15_000) {
        await sleep(500);
        after = await retry('checkpoint after', () => fetchCheckpoint(s.url));
      }
      const consistency = await retry('consistency proof', () => proveConsistency(s.url, before, after));
      const split = await retry('split checkpoints', () => splitCheckpoints(url));
      const verifier = await auditVerify(
        root,
        url,
        s.keyStoreDir,
        join(cluster.dir, `audit-verify-${key}.log`),
      );
      const holder = await retry('sequencer holder', () => sequencerHolder(url));
      const leader = await cluster.leader();

      // HAProxy's own refusals (a gateway died mid-request, none ready, no place free) carry no
      // X-Request-Id; a refused connection is status 0. Every other refusal must be the gateway's
      // fail-closed 503.
      const byProxy = (a: Answer) =>
        a.status === 0 || a.status === 502 || a.status === 504 || (a.status === 503 && !a.problem);
      const gatewayRefusals = answers.filter((a) => a.status >= 400 && !a.failClosed && !byProxy(a));
      const proxyErrors = answers.filter(byProxy).length;
      const violations: string[] = [];
      if (missing > 0) violations.push(`${missing} answers with data lack a committed released entry`);
      if (!verifier) violations.push('audit verifier failed');
      if (consistency !== 'ok' && !consistency.startsWith('ok '))
        violations.push(`consistency proof: ${consistency}`);
      if (split > 0) violations.push(`${split} tree sizes with two signed roots`);
      if (gatewayRefusals.length)
        violations.push(
          `${gatewayRefusals.length} gateway refusals were not 503 problem+json with Retry-After`,
        );
      if (recoveryMs === null) violations.push('no answer with data within 60 s of the fault');
      else if (result.recoveryLimit !== false && recoveryMs > RECOVERY_LIMIT_MS)
        violations.push(`recovery ${recoveryMs} ms > ${RECOVERY_LIMIT_MS} ms`);
      const notes = [
        ...(result.notes ?? []),
        `checkpoints ${before.size} → ${after.size}; leader now ${leader?.name ?? '?'}; sequencer lock held by ${holder ?? 'nobody'}`,
      ];
      if (result.restore) {
        const note = await result.restore();
        if (note) notes.push(note);
      }
      const outcome: HaOutcome = {
        name: `(${key}) ${name}`,
        answers: answers.length,
        withData: answers.filter((a) => a.data).length,
        statuses: countBy(answers.map((a) => a.status)),
        failClosed: answers.filter((a) => a.failClosed).length,
        notFailClosed: gatewayRefusals.length,
        proxyErrors,
        missing,
        verifier,
        consistency,
        splitCheckpoints: split,
        recoveryMs,
        maxLatencyMs: Math.max(0, ...answers.map((a) => a.done - a.at)),
        notes,
        violations,
      };
      outcomes.push(outcome);
      log(
        `(${key}) ${outcome.answers} answers, ${outcome.withData} with data, statuses ${JSON.stringify(outcome.statuses)}, ` +
          `missing ${missing}, verifier ${verifier ? 'ok' : 'FAILED'}, consistency ${consistency}, split ${split}, ` +
          `recovery ${recoveryMs ?? 'never'} ms${violations.length ? ` — VIOLATIONS: ${violations.join('; ')}` : ''}`,
      );
    };

    const healthy = async () => {
      await cluster.waitForSyncStandby(180_000);
      return `cluster healthy again: ${JSON.stringify((await cluster.members()).map((m) => `${m.name}:${m.role}`))}`;
    };

    await scenario('a', "SIGKILL of the leader's PostgreSQL", async () => {
      const leader = await cluster.waitForLeader(30_000);
      const pids = cluster.killPostgres(leader);
      const faultAt = Date.now();
      return {
        faultAt,
        notes: [`killed ${pids.length} PostgreSQL processes on ${leader.name}`],
        restore: healthy,
      };
    });

    await scenario('b', "SIGKILL of the leader's Patroni and PostgreSQL (host lost)", async () => {
      const leader = await cluster.waitForLeader(30_000);
      cluster.killPatroni(leader);
      const pids = cluster.killPostgres(leader);
      const faultAt = Date.now();
      return {
        faultAt,
        notes: [`killed Patroni and ${pids.length} PostgreSQL processes on ${leader.name}`],
        restore: async () => {
          cluster.startPatroni(leader);
          return `${leader.name} restarted (rejoins as replica); ${await healthy()}`;
        },
      };
    });

    await scenario('c', 'patronictl switchover', async () => {
      const leader = await cluster.waitForLeader(30_000);
      const other = cluster.nodes.find((n) => n !== leader)!;
      const faultAt = Date.now();
      const said = cluster.switchover(leader, other);
      return { faultAt, notes: [`${leader.name} → ${other.name}: ${said}`], restore: healthy };
    });

    await scenario('d', 'SIGKILL of the gateway holding the sequencer lead', async () => {
      const holder = await sequencerHolder(await leaderUrl());
      const victim = s.gateways.find((g) => g.name === holder);
      if (!victim?.child)
        throw new Error(`no gateway holds the sequencer lock (holder: ${holder ?? 'none'})`);
      victim.child.proc.kill('SIGKILL');
      const faultAt = Date.now();
      let movedMs: number | null = null;
      while (Date.now() - faultAt < 30_000) {
        const now = await sequencerHolder(await leaderUrl()).catch(() => undefined);
        if (now && now !== victim.name) {
          movedMs = Date.now() - faultAt;
          break;
        }
        await sleep(100);
      }
      return {
        faultAt,
        notes: [
          `killed ${victim.name}; sequencer lock taken by the other gateway after ${movedMs ?? 'never'} ms`,
        ],
        restore: async () => {
          await s.startGateway(victim);
          return `${victim.name} restarted`;
        },
      };
    });

    await scenario('e', 'replica lost during load', async (load) => {
      const leader = await cluster.waitForLeader(30_000);
      const replica = cluster.nodes.find((n) => n !== leader)!;
      cluster.killPatroni(replica);
      const pids = cluster.killPostgres(replica);
      const faultAt = Date.now();
      await sleep(8000);
      const stalled = load.answers.filter((a) => a.at < faultAt + 8000 && a.done > faultAt);
      const slowest = Math.max(0, ...stalled.map((a) => a.done - Math.max(a.at, faultAt)));
      const members = await cluster.members();
      return {
        faultAt,
        notes: [
          `killed Patroni and ${pids.length} PostgreSQL processes on ${replica.name}`,
          `writes waited for the lost standby at most ${slowest} ms, then went on (members: ${JSON.stringify(members.map((m) => `${m.name}:${m.role}`))})`,
        ],
        restore: async () => {
          cluster.startPatroni(replica);
          return `${replica.name} restarted; ${await healthy()}`;
        },
      };
    });
  } catch (err) {
    log(`failed: ${(err as Error).stack ?? String(err)}`);
    outcomes.push({
      name: 'setup or fault step',
      answers: 0,
      withData: 0,
      statuses: {},
      failClosed: 0,
      notFailClosed: 0,
      proxyErrors: 0,
      missing: 0,
      verifier: false,
      consistency: 'not run',
      splitCheckpoints: 0,
      recoveryMs: null,
      maxLatencyMs: 0,
      notes: [],
      violations: [(err as Error).message],
    });
  } finally {
    await stopAll();
  }
  report(outcomes, Date.now() - started, options.resultsDir ?? join(root, 'test', 'faults', 'results'));
  return outcomes.some((o) => o.violations.length) ? 1 : 0;
}

function report(outcomes: HaOutcome[], ms: number, dir: string): void {
  const header = [
    'scenario',
    'answers',
    'with data',
    '503 fail-closed',
    'proxy err',
    'missing',
    'verifier',
    'consistency',
    'split',
    'recovery',
    'result',
  ];
  const rows = outcomes.map((o) => [
    o.name,
    String(o.answers),
    String(o.withData),
    String(o.failClosed),
    String(o.proxyErrors),
    String(o.missing),
    o.verifier ? 'ok' : 'FAILED',
    o.consistency,
    String(o.splitCheckpoints),
    o.recoveryMs === null ? 'never' : `${(o.recoveryMs / 1000).toFixed(1)} s`,
    o.violations.length ? 'FAIL' : 'pass',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  process.stdout.write(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}\n`);
  for (const r of rows) process.stdout.write(`${line(r)}\n`);
  for (const o of outcomes) {
    for (const note of o.notes) process.stdout.write(`  ${o.name}: ${note}\n`);
    for (const v of o.violations) process.stdout.write(`  ${o.name}: VIOLATION ${v}\n`);
  }
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `ha-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ when: new Date().toISOString(), seconds: Math.round(ms / 1000), outcomes }, null, 2)}\n`,
  );
  const lost = outcomes.reduce((n, o) => n + o.missing, 0);
  process.stderr.write(
    `\nacknowledged answers without their entry: ${lost}; results in ${file}\n` +
      (outcomes.some((o) => o.violations.length) ? 'VIOLATIONS\n' : 'all HA fault checks passed\n'),
  );
}
