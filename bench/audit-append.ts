/**
 * Audit append benchmark: sustained durable appends (entry + queue row, synchronous commit) from W
 * concurrent writers for D seconds while the sequencer and checkpointer run, then sequencer lag
 * (sequenced_at - created_at) and checkpoint lag (first covering checkpoint - created_at) percentiles.
 *
 *   npx tsx bench/audit-append.ts [--seconds 20] [--writers 16] [--processes 2] [--rate 2000]
 *
 * `--rate` holds a fixed total arrival rate (appends/s, spread over every writer) instead of
 * appending as fast as possible; `npm run bench` uses it for the "lag at 2,000 appends/s" figure.
 *
 * Uses a fresh database on DATABASE_URL's server (or an embedded PostgreSQL) and drops it afterwards.
 * Writers run in `--processes` child processes (so one Node thread is not the bottleneck); the
 * sequencer and checkpointer run in this process, as in a deployment with one leader.
 */
import { fork } from 'node:child_process';
import { randomBytes, createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import pino from 'pino';
import { knexAuditRepo } from '../server/audit/audit.repo.js';
import { createAuditService } from '../server/audit/audit.service.js';
import type { AuditEntryInput } from '../server/audit/audit.types.js';
import { createCheckpointer } from '../server/audit/checkpointer.js';
import { verifyDatabase } from '../server/audit/db-verifier.js';
import { createSequencer } from '../server/audit/sequencer.js';
import { createDb } from '../server/db/db.js';
import { startEmbeddedPostgres } from '../server/db/embedded.js';
import { migrateLatest } from '../server/db/migrations.js';
import { FileKeyStore } from '../server/keys/file-key-store.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    writers: { type: 'string', default: '16' },
    processes: { type: 'string', default: '2' },
    child: { type: 'string' },
    mode: { type: 'string', default: 'audit' },
    rate: { type: 'string', default: '0' },
  },
});

function entry(i: number, w: string): AuditEntryInput {
  return {
    requestId: `bench-${w}-${i}`,
    subjectKey: createHmac('sha256', 'bench-pepper')
      .update(String(i % 5000))
      .digest('hex'),
    outcome: 'released',
    requester: { org: `org-bank-${i % 7}`, clientId: 'client-1' },
    purposeCode: 'loan.mortgage-screening',
    consent: { id: `c-${i}`, mode: 'citizen' },
    recordType: 'resident.registration-abstract',
    fields: [
      { name: 'name', form: 'full' },
      { name: 'address', form: 'generalise' },
      { name: 'birth_date', form: 'predicate:age_gte_19' },
    ],
  };
}

async function writerProcess(
  url: string,
  writers: number,
  seconds: number,
  mode: string,
  ratePerWriter: number,
): Promise<void> {
  const db = createDb({ url, poolMax: writers, statementTimeoutMs: 15000 });
  const audit = createAuditService({ repo: knexAuditRepo(db), logKeys: () => [] });
  // Baseline: the same body as one plain durable INSERT (the ceiling of this machine right now).
  const append =
    mode === 'baseline'
      ? (e: AuditEntryInput) => db.raw('INSERT INTO bench_plain (body) VALUES (?)', [JSON.stringify(e)])
      : (e: AuditEntryInput) => audit.append(e);
  const start = Date.now();
  const deadline = start + seconds * 1000;
  const latencies: number[] = [];
  let count = 0;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; Date.now() < deadline; i++) {
        if (ratePerWriter > 0) {
          // Fixed arrival rate: the i-th append of this writer is due at start + i / rate.
          const due = start + (i * 1000) / ratePerWriter + (w * 1000) / ratePerWriter / writers;
          const wait = due - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          if (Date.now() >= deadline) break;
        }
        const t0 = performance.now();
        await append(entry(i * writers + w, `${process.pid}-${w}`));
        latencies.push(performance.now() - t0);
        count++;
      }
    }),
  );
  await db.destroy();
  latencies.sort((a, b) => a - b);
  process.send!({ count, p50: pct(latencies, 0.5), p99: pct(latencies, 0.99) });
}

const pct = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

async function main(): Promise<void> {
  const seconds = Number(values.seconds);
  const writers = Number(values.writers);
  const processes = Number(values.processes);
  const rate = Number(values.rate);
  if (values.child)
    return writerProcess(values.child, writers, seconds, values.mode!, rate / processes / writers);

  let serverUrl = process.env.DATABASE_URL;
  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  if (!serverUrl) {
    embedded = await startEmbeddedPostgres({
      dataDir: join(tmpdir(), `juc-bench-${process.pid}`),
      persistent: false,
    });
    serverUrl = embedded.url;
  }
  const name = `juc_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const db = createDb({ url, poolMax: 4, statementTimeoutMs: 60000 });
  try {
    await migrateLatest(db);
    const logger = pino({ level: 'warn' });
    const keys = await FileKeyStore.open({
      dir: mkdtempSync(join(tmpdir(), 'juc-bench-keys-')),
      allowGenerate: true,
    });
    const checkpointer = createCheckpointer({ db, logger, keys, origin: 'bench.example/audit/v1' });
    const sequencer = createSequencer({
      db,
      logger,
      intervalMs: 200,
      batchSize: 1000,
      onBatch: () => checkpointer.nudge(),
    });

    const self = fileURLToPath(import.meta.url);
    const runWriters = (mode: string) =>
      Promise.all(
        Array.from(
          { length: processes },
          () =>
            new Promise<{ count: number; p50: number; p99: number }>((resolve, reject) => {
              const args = [
                '--child',
                url,
                '--writers',
                String(writers / processes),
                '--seconds',
                String(seconds),
                '--processes',
                String(processes),
                '--rate',
                mode === 'audit' ? String(rate) : '0',
              ];
              const child = fork(self, [...args, '--mode', mode], { execArgv: ['--import', 'tsx'] });
              child.once('message', (m) => resolve(m as { count: number; p50: number; p99: number }));
              child.once('error', reject);
            }),
        ),
      );
    await db.raw(
      'CREATE TABLE bench_plain (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text NOT NULL)',
    );
    const baseline = (await runWriters('baseline')).reduce((s, r) => s + r.count, 0);

    sequencer.start();
    checkpointer.start();
    const started = Date.now();
    const results = await runWriters('audit');
    const elapsed = (Date.now() - started) / 1000;
    // Let the sequencer and checkpointer catch up, then stop them.
    for (let i = 0; i < 100; i++) {
      const q = await db('audit_queue').count({ n: '*' }).first();
      if (Number(q?.n) === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 1500));
    await sequencer.stop();
    await checkpointer.stop();

    const total = results.reduce((s, r) => s + r.count, 0);
    const lag = await db.raw<{ rows: { p50: number; p99: number; max: number }[] }>(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY x) AS p99, max(x) AS max
       FROM (SELECT extract(epoch FROM l.integrated_at - e.created_at) * 1000 AS x
             FROM log_leaf l JOIN audit_entry e USING (entry_id)) s`,
    );
    const cpLag = await db.raw<{ rows: { p50: number; p99: number; max: number }[] }>(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY x) AS p99, max(x) AS max
       FROM (SELECT extract(epoch FROM (SELECT min(c.created_at) FROM checkpoint c WHERE c.size > l.idx) - e.created_at) * 1000 AS x
             FROM log_leaf l JOIN audit_entry e USING (entry_id)) s`,
    );
    const verify = await verifyDatabase(db);
    const round = (n: number) => Math.round(n * 10) / 10;
    const report = {
      seconds: round(elapsed),
      writers,
      processes,
      appends: total,
      targetRate: rate || null,
      appendsPerSecond: Math.round(total / seconds),
      plainInsertsPerSecond: Math.round(baseline / seconds),
      ratioToPlainInsert: round(total / baseline),
      appendLatencyMs: {
        p50: round(Math.max(...results.map((r) => r.p50))),
        p99: round(Math.max(...results.map((r) => r.p99))),
      },
      sequencerLagMs: {
        p50: round(lag.rows[0]!.p50),
        p99: round(lag.rows[0]!.p99),
        max: round(lag.rows[0]!.max),
      },
      checkpointLagMs: {
        p50: round(cpLag.rows[0]!.p50),
        p99: round(cpLag.rows[0]!.p99),
        max: round(cpLag.rows[0]!.max),
      },
      sequenced: verify.size,
      verified: verify.ok,
    };
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } finally {
    await db.destroy();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    await embedded?.stop();
  }
}

await main();
