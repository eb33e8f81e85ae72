/**
 * Bulk citizen history for scenario (d): N audit entries generated inside PostgreSQL with
 * generate_series, consistent with what the sequencer would have written, so the read path (and
 * the verifier) see a real log:
 *  - audit_entry.body is RFC 8785 canonical JSON built by string formatting (keys in canonical
 *    order), digest = SHA-256(body);
 *  - log_leaf.leaf_data is the real salted commitment SHA-256(domain || salt || canonical
 *    {entry, subject:{key, prevIndex, seq}, v:1}), leaf_hash = SHA-256(0x00 || leaf_data);
 *  - subject_index chains each subject's entries (subject s owns entries i ≡ s mod S);
 *  - tree_node holds every completed perfect subtree (SHA-256(0x01 || left || right));
 *  - tree_head gets size N with its compact range, so the running sequencer continues the log.
 * Entries are dated from 2025-01-01, one a second, in their month partitions of audit_entry.
 * Subject keys are SHA-256("bench-subject-" || s) in hex (not HMAC'd national IDs: nobody queries
 * them, citizens are signed in directly with these keys). Only for an empty log.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { CompactRange } from '../../server/audit/compact-range.js';

export const HISTORY_SUBJECT_PREFIX = 'bench-subject-';

export function historySubjectKey(s: number): string {
  return createHash('sha256').update(`${HISTORY_SUBJECT_PREFIX}${s}`).digest('hex');
}

/** Subjects for N entries: about 20 entries each. */
export function historySubjects(entries: number): number {
  return Math.max(1, Math.floor(entries / 20));
}

const BODY_SQL = `
  '{"consent":{"id":"' || md5('c' || i) || '","mode":"citizen"},"createdAt":"' ||
  to_char((timestamptz '2025-01-01 00:00:00+00' + i * interval '1 second') AT TIME ZONE 'UTC',
          'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') ||
  '","fields":[{"form":"generalise:district","name":"address"},{"form":"full","name":"name"}],' ||
  '"legalBasis":"Credit Information Act art. 32","outcome":"released","purpose":"loan.mortgage-screening",' ||
  '"recordType":"resident.registration-abstract","requestId":"hist-' || i || '",' ||
  '"requester":{"clientId":"bank-hanbit-app","org":"org-bank-hanbit"},"subjectKey":"' ||
  encode(sha256(convert_to('${HISTORY_SUBJECT_PREFIX}' || (i % $S), 'UTF8')), 'hex') || '","v":1}'`;

async function chunked(
  total: number,
  chunk: number,
  parallel: number,
  run: (from: number, to: number) => Promise<void>,
  progress: (done: number) => void,
): Promise<void> {
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < total) {
        const from = next;
        const to = Math.min(total, from + chunk);
        next = to;
        await run(from, to);
        done += to - from;
        progress(done);
      }
    }),
  );
}

export async function generateHistory(
  db: Knex,
  entries: number,
  log: (line: string) => void,
): Promise<{ entries: number; subjects: number; seconds: number }> {
  const started = Date.now();
  const S = historySubjects(entries);
  const existing = await db('tree_head').count({ n: '*' }).first();
  if (Number(existing?.n) > 0) throw new Error('generateHistory needs an empty log');
  const chunk = 250_000;
  const parallel = 2;
  const step = (name: string) => (done: number) =>
    log(
      `history ${name}: ${done.toLocaleString('en')}/${entries.toLocaleString('en')} (${Math.round((Date.now() - started) / 1000)} s)`,
    );
  // Bulk load without per-row FK checks (the data is consistent by construction).
  const conn = (fn: (c: Knex.Transaction) => Promise<void>) =>
    db.transaction(async (trx) => {
      await trx.raw(`SET LOCAL session_replication_role = replica`);
      await trx.raw(`SET LOCAL synchronous_commit = off`);
      await trx.raw(`SET LOCAL statement_timeout = 0`);
      await fn(trx);
    });
  // audit_entry is partitioned by month (migration 039): give the history its month partitions
  // (the migration only creates months from "now"), named as the retention task names them.
  await db.raw(`
    DO $$
    DECLARE
      m date := date '2025-01-01';
      last date := (date '2025-01-01' + ${entries} * interval '1 second')::date;
    BEGIN
      WHILE m <= last LOOP
        EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF audit_entry FOR VALUES FROM (%L) TO (%L)',
          'audit_entry_p' || to_char(m, 'YYYYMM'), m::timestamptz, (m + interval '1 month')::timestamptz);
        m := (date_trunc('month', m) + interval '1 month')::date;
      END LOOP;
    END $$`);
  await db.raw('DROP INDEX IF EXISTS audit_entry_org_created');
  await db.raw('ALTER TABLE subject_index DROP CONSTRAINT IF EXISTS subject_index_pkey');
  await db.raw('ALTER TABLE subject_index DROP CONSTRAINT IF EXISTS subject_index_idx_key');

  const body = BODY_SQL.replaceAll('$S', String(S));
  await chunked(
    entries,
    chunk,
    parallel,
    (from, to) =>
      conn(async (trx) => {
        await trx.raw(
          `INSERT INTO audit_entry (entry_id, request_id, subject_key, outcome, requester_org, client_id,
             purpose_code, legal_basis, consent_id, consent_mode, record_type, body, digest, created_at)
           SELECT i + 1, 'hist-' || i, encode(sha256(convert_to('${HISTORY_SUBJECT_PREFIX}' || (i % ${S}), 'UTF8')), 'hex'),
             'released', 'org-bank-hanbit', 'bank-hanbit-app', 'loan.mortgage-screening',
             'Credit Information Act art. 32', md5('c' || i), 'citizen', 'resident.registration-abstract',
             b, sha256(convert_to(b, 'UTF8')), timestamptz '2025-01-01 00:00:00+00' + i * interval '1 second'
           FROM (SELECT i, ${body} AS b FROM generate_series(?::bigint, ?::bigint) AS i) t`,
          [from, to - 1],
        );
        await trx.raw(
          `INSERT INTO log_leaf (idx, entry_id, entry_created_at, leaf_data, leaf_hash, salt, integrated_at)
           SELECT idx, entry_id, created_at, ld, sha256('\\x00'::bytea || ld), salt, created_at
           FROM (
             SELECT e.entry_id - 1 AS idx, e.entry_id, e.created_at, s.salt,
               sha256(convert_to(E'joint-use-center/audit-entry/v1\\n', 'UTF8') || s.salt || convert_to(
                 '{"entry":' || e.body || ',"subject":{"key":"' || e.subject_key || '","prevIndex":' ||
                 CASE WHEN e.entry_id - 1 >= ${S} THEN (e.entry_id - 1 - ${S})::text ELSE 'null' END ||
                 ',"seq":' || ((e.entry_id - 1) / ${S} + 1) || '},"v":1}', 'UTF8')) AS ld
             FROM audit_entry e
             CROSS JOIN LATERAL (SELECT sha256(convert_to('bench-salt-' || e.entry_id, 'UTF8')) AS salt) s
             WHERE e.entry_id BETWEEN ? AND ?
           ) t ORDER BY idx`,
          [from + 1, to],
        );
        await trx.raw(
          `INSERT INTO subject_index (subject_key, subject_seq, idx, prev_idx)
           SELECT encode(sha256(convert_to('${HISTORY_SUBJECT_PREFIX}' || (i % ${S}), 'UTF8')), 'hex'),
             (i / ${S} + 1)::int, i, CASE WHEN i >= ${S} THEN i - ${S} END
           FROM generate_series(?::bigint, ?::bigint) AS i`,
          [from, to - 1],
        );
      }),
    step('entries, leaves, subject index'),
  );
  await db.raw(`SELECT setval(pg_get_serial_sequence('audit_entry', 'entry_id'), ?)`, [entries]);
  log('history: indexes');
  await conn(async (trx) => {
    await trx.raw(`SET LOCAL maintenance_work_mem = '512MB'`);
    await trx.raw('ALTER TABLE subject_index ADD PRIMARY KEY (subject_key, subject_seq)');
    await trx.raw('ALTER TABLE subject_index ADD CONSTRAINT subject_index_idx_key UNIQUE (idx)');
    await trx.raw('CREATE INDEX audit_entry_org_created ON audit_entry (requester_org, created_at)');
  });

  // Tree nodes, level by level: node (L, j) = H(0x01 || (L-1, 2j) || (L-1, 2j+1)).
  for (let level = 1; 2 ** level <= entries; level++) {
    const count = Math.floor(entries / 2 ** level);
    // Fresh statistics for the level below: without them the planner's guess for a level's rows
    // stalled level 5 of a 10 M-entry history for minutes (2026-12-07).
    if (level > 1) await db.raw('ANALYZE tree_node');
    const below =
      level === 1
        ? `SELECT idx, leaf_hash AS hash FROM log_leaf`
        : `SELECT idx, hash FROM tree_node WHERE level = ${level - 1}`;
    await chunked(
      count,
      chunk,
      parallel,
      (from, to) =>
        conn(async (trx) => {
          await trx.raw(
            `INSERT INTO tree_node (level, idx, hash)
             SELECT ${level}, l.idx / 2, sha256('\\x01'::bytea || l.hash || r.hash)
             FROM (${below}) l JOIN (${below}) r ON r.idx = l.idx + 1
             WHERE l.idx % 2 = 0 AND l.idx BETWEEN ? AND ? AND r.idx BETWEEN ? AND ?
             ORDER BY l.idx`,
            [2 * from, 2 * to - 1, 2 * from, 2 * to - 1],
          );
        }),
      () => undefined,
    );
    log(`history tree level ${level}: ${count.toLocaleString('en')} nodes`);
  }

  // The head: the compact range of [0, N) is one stored subtree per set bit of N.
  const hashes: Buffer[] = [];
  let offset = 0;
  for (let level = Math.floor(Math.log2(entries)); level >= 0; level--) {
    if (Math.floor(entries / 2 ** level) % 2 === 1) {
      const index = offset / 2 ** level;
      const row =
        level === 0
          ? await db('log_leaf').where({ idx: index }).first('leaf_hash as hash')
          : await db('tree_node').where({ level, idx: index }).first('hash');
      hashes.push(row.hash as Buffer);
      offset += 2 ** level;
    }
  }
  const range = CompactRange.fromBytes(entries, Buffer.concat(hashes));
  await db('tree_head').insert({
    size: entries,
    root: Buffer.from(range.root()),
    compact_range: Buffer.from(range.toBytes()),
  });
  // The generated citizens were told about these entries long ago: the access notifier starts after them.
  await db('notification_cursor').update({ last_idx: entries - 1 });
  // VACUUM as well: a log this size has long been visited by autovacuum, so its pages are marked
  // all-visible and history reads are index-only scans (freshly bulk-loaded, every one is a heap fetch).
  await db.raw('ANALYZE audit_entry');
  for (const table of ['log_leaf', 'subject_index', 'tree_node']) {
    log(`history: VACUUM (ANALYZE) ${table}`);
    await db.raw(`VACUUM (ANALYZE) ${table}`);
  }
  return { entries, subjects: S, seconds: Math.round((Date.now() - started) / 1000) };
}
