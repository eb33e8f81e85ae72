/**
 * Witnessed checkpoints under load: two witnesses as their own processes (`server/witness/main.ts`, own
 * keys and folders), the sequencer and the checkpointer at their production cadence submitting every
 * checkpoint to both, and audit appends at a fixed rate for D seconds. Reports how many checkpoints were
 * published, how many carry both cosignatures, and that every one meets a 2-of-2 policy.
 *
 *   npx tsx bench/witness-run.ts [--seconds 120] [--rate 200]
 *
 * Uses a fresh database on DATABASE_URL's server and drops it afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Knex } from 'knex';
import pg from 'pg';
import pino from 'pino';
import { knexAuditRepo } from '../server/audit/audit.repo.js';
import { createAuditService } from '../server/audit/audit.service.js';
import { vkeyFor } from '../server/audit/checkpoint.js';
import { createCheckpointer } from '../server/audit/checkpointer.js';
import { createSequencer } from '../server/audit/sequencer.js';
import { checkWitnessedCheckpoint } from '../server/audit/verifier.js';
import { httpWitnessFromConfig } from '../server/audit/witness-client.js';
import { formatPolicy, parsePolicy } from '../server/audit/witness-policy.js';
import { createDb } from '../server/db/db.js';
import { migrateLatest } from '../server/db/migrations.js';
import { FileKeyStore } from '../server/keys/file-key-store.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '120' }, rate: { type: 'string', default: '200' } },
});
const seconds = Number(values.seconds);
const rate = Number(values.rate);
const ORIGIN = 'bench.example/audit/v1';
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error('DATABASE_URL (a PostgreSQL server to create a database on) is required');

async function startWitnessProcess(label: string, logVkey: string, dir: string) {
  const main = fileURLToPath(new URL('../server/witness/main.ts', import.meta.url));
  const proc = spawn(process.execPath, [
    '--import',
    'tsx',
    main,
    '--name',
    `witness-${label}.bench`,
    '--log',
    logVkey,
    '--data',
    dir,
  ]);
  const banner = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('vkey ')) resolve(out);
    });
    proc.on('exit', (code) => reject(new Error(`witness ${label} exited ${code}`)));
  });
  return {
    proc,
    dir,
    name: `witness-${label}.bench`,
    url: /listening on (\S+)/.exec(banner)![1]!,
    publicKey: /vkey (\S+)/.exec(banner)![1]!,
  };
}

const dbName = `juc_witness_bench_${process.pid}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const url = new URL(serverUrl);
url.pathname = `/${dbName}`;
const db: Knex = createDb({ url: url.toString(), poolMax: 10, statementTimeoutMs: 60_000 });
const children: ChildProcess[] = [];
try {
  await migrateLatest(db);
  const keys = await FileKeyStore.open({
    dir: mkdtempSync(join(tmpdir(), 'juc-wbench-keys-')),
    allowGenerate: true,
  });
  const logVkey = vkeyFor(ORIGIN, keys.current('checkpoint').publicKey);
  const witnesses = [];
  for (const label of ['a', 'b']) {
    const w = await startWitnessProcess(label, logVkey, mkdtempSync(join(tmpdir(), `juc-wbench-${label}-`)));
    children.push(w.proc);
    witnesses.push(w);
  }
  const logger = pino({ level: 'warn' });
  const checkpointer = createCheckpointer({
    db,
    logger,
    keys,
    origin: ORIGIN,
    witnesses: witnesses.map((w) => httpWitnessFromConfig(w)),
  });
  const sequencer = createSequencer({
    db,
    logger,
    intervalMs: 200,
    batchSize: 1000,
    onBatch: () => checkpointer.nudge(),
  });
  const audit = createAuditService({ repo: knexAuditRepo(db), logKeys: () => [logVkey] });
  sequencer.start();
  checkpointer.start();
  const started = Date.now();
  let appended = 0;
  const writers = 8;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; ; i++) {
        const due = started + ((i * writers + w) * 1000) / rate;
        if (due - started >= seconds * 1000) return;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const n = i * writers + w;
        await audit.append({
          requestId: `wbench-${n}`,
          subjectKey: createHmac('sha256', 'bench')
            .update(String(n % 500))
            .digest('hex'),
          outcome: 'released',
          requester: { org: 'org-bank-a', clientId: 'client-1' },
          purposeCode: 'loan.mortgage-screening',
          consent: { id: `c-${n}`, mode: 'citizen' },
          recordType: 'resident.registration-abstract',
          fields: [{ name: 'name', form: 'full' }],
        });
        appended++;
      }
    }),
  );
  // Let the last entries be sequenced and checkpointed.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  await sequencer.stop();
  await checkpointer.stop();

  const rows = (await db('checkpoint').orderBy('id')) as {
    size: string;
    note: string;
    cosigned_by: string[];
  }[];
  const policy = parsePolicy(
    formatPolicy(
      logVkey,
      witnesses.map((w) => ({ name: w.name, vkey: w.publicKey })),
      2,
    ),
  );
  let meetsPolicy = 0;
  for (const r of rows) if ((await checkWitnessedCheckpoint(r.note, policy)).ok) meetsPolicy++;
  const both = rows.filter((r) => r.cosigned_by.length === 2).length;
  const states = witnesses.map((w) => {
    const state = JSON.parse(readFileSync(join(w.dir, 'state.json'), 'utf8')) as {
      logs: Record<string, { size: number }>;
    };
    return state.logs[ORIGIN]!.size;
  });
  const conflicts = witnesses.map((w) =>
    existsSync(join(w.dir, 'conflicts.log'))
      ? readFileSync(join(w.dir, 'conflicts.log'), 'utf8').split('\n').filter(Boolean).length
      : 0,
  );
  process.stdout.write(
    JSON.stringify(
      {
        seconds,
        rate,
        appended,
        logSize: Number(rows.at(-1)?.size ?? 0),
        checkpoints: rows.length,
        cosignedByBoth: both,
        meetTwoOfTwoPolicy: meetsPolicy,
        witnessSizes: states,
        witnessConflicts: conflicts,
      },
      null,
      2,
    ) + '\n',
  );
} finally {
  for (const child of children) child.kill('SIGTERM');
  await db.destroy();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
}
