/**
 * Audit tables, knex only. Bulk writes use unnest() so a batch is one statement. `audit_entry` is
 * partitioned by month (see retention.ts); reads by entry id use its own index.
 */
import type { Knex } from 'knex';
import type { StatementGuard } from '../db/statement-guard.js';
import type { NodeId } from './merkle.js';
import type {
  AccessLogFilters,
  AccessLogRow,
  LeafBundle,
  StoredCheckpoint,
  TreeHead,
} from './audit.types.js';

export type Db = Knex | Knex.Transaction;

/** Advisory lock keys (arbitrary constants): leadership, batch fencing, checkpoint publishing. */
export const LOCK_SEQUENCER_LEADER = 0x6a75_6301;
export const LOCK_SEQUENCER_BATCH = 0x6a75_6302;
export const LOCK_CHECKPOINTER = 0x6a75_6303;

export interface EntryRow {
  requestId: string;
  subjectKey: string;
  outcome: string;
  reasonCode: string | null;
  requesterOrg: string;
  clientId: string | null;
  clerkRef: string | null;
  purposeCode: string;
  legalBasis: string | null;
  consentId: string | null;
  consentMode: string | null;
  recordType: string;
  body: string;
  digestHex: string;
  createdAt: Date;
  embargoUntil: Date | null;
}

export interface QueuedEntry {
  entryId: number;
  subjectKey: string;
  body: string;
  createdAt: Date;
}

export interface NewLeaf {
  index: number;
  entryId: number;
  /** The entry's partition key (see migration 070). */
  entryCreatedAt: Date;
  leaf: Uint8Array;
  leafHash: Uint8Array;
  salt: Uint8Array;
  subjectKey: string;
  subjectSeq: number;
  prevIndex: number | null;
}

export interface NewNode {
  level: number;
  index: number;
  hash: Uint8Array;
}

/** pg sends JS arrays as PostgreSQL arrays (nulls included); knex's binding types are narrower. */
const arrays = (values: unknown[][]): Knex.RawBinding[] => values as unknown as Knex.RawBinding[];
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (b: Buffer): Uint8Array => new Uint8Array(b);

/**
 * Entries and their queue rows; `guard` (another domain's conditional write, see StatementGuard)
 * runs first in the same statement and the entries are inserted only if it returned a row.
 */
const insertEntriesSql = (guard?: string) => `
  WITH durable AS (SELECT set_config('synchronous_commit', 'on', true) AS sc),
  ${guard ? `guard AS (${guard}),` : ''}
  e AS (
    INSERT INTO audit_entry (request_id, subject_key, outcome, reason_code, requester_org, client_id,
      clerk_ref, purpose_code, legal_basis, consent_id, consent_mode, record_type, body, digest,
      created_at, embargo_until)
    SELECT r, s, o, rc, org, cid, clerk, p, lb, con, cm, rt, b, decode(d, 'hex'), ca, eu
    FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::timestamptz[],
                ?::timestamptz[])
      AS t(r, s, o, rc, org, cid, clerk, p, lb, con, cm, rt, b, d, ca, eu)
    ${guard ? 'WHERE EXISTS (SELECT 1 FROM guard)' : ''}
    RETURNING entry_id, digest
  ), q AS (INSERT INTO audit_queue (entry_id) SELECT entry_id FROM e)
  SELECT entry_id, encode(digest, 'hex') AS digest FROM e CROSS JOIN durable`;
const INSERT_ENTRIES = insertEntriesSql();

/**
 * Append path: entries and their queue rows in ONE statement, so without a caller's transaction it is
 * its own atomic transaction (one round trip). `set_config(..., true)` is SET LOCAL: synchronous commit
 * for this transaction (the caller's, when given), whatever the session or role default says. With a
 * guard that matched nothing, nothing is written and the result is empty.
 */
export async function insertEntries(
  db: Db,
  rows: EntryRow[],
  guard?: StatementGuard,
): Promise<{ entryId: number; digestHex: string }[]> {
  const col = <K extends keyof EntryRow>(k: K) => rows.map((r) => r[k]);
  const columns = [
    col('requestId'),
    col('subjectKey'),
    col('outcome'),
    col('reasonCode'),
    col('requesterOrg'),
    col('clientId'),
    col('clerkRef'),
    col('purposeCode'),
    col('legalBasis'),
    col('consentId'),
    col('consentMode'),
    col('recordType'),
    col('body'),
    col('digestHex'),
    col('createdAt'),
    col('embargoUntil'),
  ];
  const result = await db.raw<{ rows: { entry_id: number; digest: string }[] }>(
    guard ? insertEntriesSql(guard.sql) : INSERT_ENTRIES,
    [...(guard?.bindings ?? []), ...columns] as unknown as Knex.RawBinding[],
  );
  return result.rows.map((r) => ({ entryId: r.entry_id, digestHex: r.digest }));
}

// ---- sequencer ----------------------------------------------------------------------------------------

/** Serialises batches even if two processes ever both think they lead; released at commit. */
export async function fenceBatch(trx: Knex.Transaction): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock(?)', [LOCK_SEQUENCER_BATCH]);
}

export async function latestHead(db: Db): Promise<TreeHead | null> {
  const row = (await db('tree_head').orderBy('size', 'desc').first()) as
    { size: number; root: Buffer; compact_range: Buffer; created_at: Date } | undefined;
  if (!row) return null;
  return {
    size: row.size,
    root: bytes(row.root),
    compactRange: bytes(row.compact_range),
    createdAt: row.created_at,
  };
}

export async function headAt(db: Db, size: number): Promise<TreeHead | null> {
  const row = (await db('tree_head').where({ size }).first()) as
    { size: number; root: Buffer; compact_range: Buffer; created_at: Date } | undefined;
  if (!row) return null;
  return {
    size: row.size,
    root: bytes(row.root),
    compactRange: bytes(row.compact_range),
    createdAt: row.created_at,
  };
}

/** Takes up to `limit` queued entries (oldest first) out of the queue, with their bodies. */
export async function claimQueued(trx: Knex.Transaction, limit: number): Promise<QueuedEntry[]> {
  const result = await trx.raw<{
    rows: { entry_id: number; subject_key: string; body: string; created_at: Date }[];
  }>(
    `WITH claimed AS (
       DELETE FROM audit_queue WHERE entry_id IN (
         SELECT entry_id FROM audit_queue ORDER BY entry_id LIMIT ? FOR UPDATE SKIP LOCKED)
       RETURNING entry_id)
     SELECT e.entry_id, e.subject_key, e.body, e.created_at
     FROM audit_entry e JOIN claimed c ON c.entry_id = e.entry_id
     ORDER BY e.entry_id`,
    [limit],
  );
  return result.rows.map((r) => ({
    entryId: r.entry_id,
    subjectKey: r.subject_key,
    body: r.body,
    createdAt: r.created_at,
  }));
}

export async function subjectHeads(
  trx: Knex.Transaction,
  keys: string[],
): Promise<Map<string, { seq: number; index: number }>> {
  const result = await trx.raw<{ rows: { subject_key: string; subject_seq: number; idx: number }[] }>(
    `SELECT DISTINCT ON (subject_key) subject_key, subject_seq, idx
     FROM subject_index WHERE subject_key = ANY(?::text[])
     ORDER BY subject_key, subject_seq DESC`,
    [keys],
  );
  return new Map(result.rows.map((r) => [r.subject_key, { seq: r.subject_seq, index: r.idx }]));
}

export async function insertBatch(
  trx: Knex.Transaction,
  leaves: NewLeaf[],
  nodes: NewNode[],
  head: { size: number; root: Uint8Array; compactRange: Uint8Array },
): Promise<void> {
  await trx.raw(
    `INSERT INTO log_leaf (idx, entry_id, entry_created_at, leaf_data, leaf_hash, salt)
     SELECT i, e, c, decode(l, 'hex'), decode(h, 'hex'), decode(s, 'hex')
     FROM unnest(?::bigint[], ?::bigint[], ?::timestamptz[], ?::text[], ?::text[], ?::text[])
       AS t(i, e, c, l, h, s)`,
    [
      leaves.map((l) => l.index),
      leaves.map((l) => l.entryId),
      leaves.map((l) => l.entryCreatedAt),
      leaves.map((l) => hex(l.leaf)),
      leaves.map((l) => hex(l.leafHash)),
      leaves.map((l) => hex(l.salt)),
    ],
  );
  await trx.raw(
    `INSERT INTO subject_index (subject_key, subject_seq, idx, prev_idx)
     SELECT * FROM unnest(?::text[], ?::int[], ?::bigint[], ?::bigint[])`,
    arrays([
      leaves.map((l) => l.subjectKey),
      leaves.map((l) => l.subjectSeq),
      leaves.map((l) => l.index),
      leaves.map((l) => l.prevIndex),
    ]),
  );
  if (nodes.length) {
    await trx.raw(
      `INSERT INTO tree_node (level, idx, hash)
       SELECT lv, i, decode(h, 'hex') FROM unnest(?::smallint[], ?::bigint[], ?::text[]) AS t(lv, i, h)`,
      [nodes.map((n) => n.level), nodes.map((n) => n.index), nodes.map((n) => hex(n.hash))],
    );
  }
  await trx('tree_head').insert({
    size: head.size,
    root: Buffer.from(head.root),
    compact_range: Buffer.from(head.compactRange),
  });
}

export async function queueLength(db: Db): Promise<number> {
  const row = (await db('audit_queue').count({ n: '*' }).first()) as { n: number | string };
  return Number(row.n);
}

// ---- checkpoints --------------------------------------------------------------------------------------

export async function tryCheckpointLock(trx: Knex.Transaction): Promise<boolean> {
  const result = await trx.raw<{ rows: { ok: boolean }[] }>('SELECT pg_try_advisory_xact_lock(?) AS ok', [
    LOCK_CHECKPOINTER,
  ]);
  return result.rows[0]!.ok;
}

export async function latestCheckpoint(db: Db): Promise<StoredCheckpoint | null> {
  const row = (await db('checkpoint').orderBy('id', 'desc').first()) as
    { size: number; root: Buffer; note: string; created_at: Date } | undefined;
  return row ? { size: row.size, root: bytes(row.root), note: row.note, createdAt: row.created_at } : null;
}

export async function insertCheckpoint(
  db: Db,
  cp: { size: number; root: Uint8Array; note: string; cosignedBy: string[] },
): Promise<void> {
  await db('checkpoint').insert({
    size: cp.size,
    root: Buffer.from(cp.root),
    note: cp.note,
    cosigned_by: cp.cosignedBy,
  });
}

// ---- proofs and public data ---------------------------------------------------------------------------

/** Node hashes by `${level}/${index}`: level 0 from log_leaf, above from tree_node. */
export async function nodeHashes(db: Db, ids: NodeId[]): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  const leaves = ids.filter((id) => id.level === 0).map((id) => id.index);
  const inner = ids.filter((id) => id.level > 0);
  // Two independent reads: in parallel on separate connections (outside a transaction).
  const [leafRows, nodeRows] = await Promise.all([
    leaves.length
      ? (db('log_leaf').whereIn('idx', leaves).select('idx', 'leaf_hash') as Promise<
          { idx: number; leaf_hash: Buffer }[]
        >)
      : [],
    inner.length
      ? db
          .raw<{ rows: { level: number; idx: number; hash: Buffer }[] }>(
            `SELECT n.level, n.idx, n.hash FROM tree_node n
             JOIN unnest(?::smallint[], ?::bigint[]) AS w(level, idx) ON n.level = w.level AND n.idx = w.idx`,
            [inner.map((i) => i.level), inner.map((i) => i.index)],
          )
          .then((r) => r.rows)
      : [],
  ]);
  for (const r of leafRows) out.set(`0/${r.idx}`, bytes(r.leaf_hash));
  for (const r of nodeRows) out.set(`${r.level}/${r.idx}`, bytes(r.hash));
  return out;
}

export async function leafBundles(db: Db, start: number, count: number): Promise<LeafBundle[]> {
  const rows = (await db('log_leaf')
    .where('idx', '>=', start)
    .andWhere('idx', '<', start + count)
    .orderBy('idx')
    .select('idx', 'leaf_data', 'leaf_hash')) as { idx: number; leaf_data: Buffer; leaf_hash: Buffer }[];
  return rows.map((r) => ({ index: r.idx, leaf: bytes(r.leaf_data), leafHash: bytes(r.leaf_hash) }));
}

// ---- citizen read-back --------------------------------------------------------------------------------

function accessLogQuery(db: Db, subjectKey: string, filters: AccessLogFilters, visibleAt: Date) {
  const q = db('subject_index as si')
    .join('log_leaf as l', 'l.idx', 'si.idx')
    .join('audit_entry as e', (on) =>
      on.on('e.entry_id', 'l.entry_id').andOn('e.created_at', 'l.entry_created_at'),
    )
    .where('si.subject_key', subjectKey)
    .andWhere((w) => w.whereNull('e.embargo_until').orWhere('e.embargo_until', '<=', visibleAt));
  if (filters.from) q.andWhere('e.created_at', '>=', filters.from);
  if (filters.to) q.andWhere('e.created_at', '<', filters.to);
  if (filters.organisation) q.andWhere('e.requester_org', filters.organisation);
  if (filters.recordType) q.andWhere('e.record_type', filters.recordType);
  return q;
}

/** The subject's visible entries, newest first, below `beforeSeq` when paging. */
export async function accessLog(
  db: Db,
  subjectKey: string,
  filters: AccessLogFilters,
  visibleAt: Date,
  page: { beforeSeq?: number; limit: number },
): Promise<AccessLogRow[]> {
  const q = accessLogQuery(db, subjectKey, filters, visibleAt);
  if (page.beforeSeq !== undefined) q.andWhere('si.subject_seq', '<', page.beforeSeq);
  const rows = (await q
    .orderBy('si.subject_seq', 'desc')
    .limit(page.limit)
    .select('si.idx', 'si.subject_seq', 'si.prev_idx', 'e.body', 'l.salt', 'l.leaf_data')) as {
    idx: number;
    subject_seq: number;
    prev_idx: number | null;
    body: string;
    salt: Buffer;
    leaf_data: Buffer;
  }[];
  return rows.map((r) => ({
    index: r.idx,
    subjectSeq: r.subject_seq,
    prevIndex: r.prev_idx,
    body: r.body,
    salt: bytes(r.salt),
    leaf: bytes(r.leaf_data),
  }));
}

/** Entries of the subject still waiting for the sequencer (durable, not yet in the log). */
export async function pendingForSubject(db: Db, subjectKey: string, visibleAt: Date): Promise<number> {
  // Driven from the (short) queue, one entry_id probe per queued row: audit_entry has no index on
  // subject_key, and a plain join lets the planner scan every partition of it instead (seconds at
  // 10 M entries; measured by `npm run bench`, scenario d).
  const { rows } = await db.raw<{ rows: { n: number | string }[] }>(
    `SELECT count(*) AS n FROM audit_queue q CROSS JOIN LATERAL (
       SELECT 1 FROM audit_entry e
       WHERE e.entry_id = q.entry_id AND e.subject_key = ?
         AND (e.embargo_until IS NULL OR e.embargo_until <= ?)
       LIMIT 1) x`,
    [subjectKey, visibleAt],
  );
  return Number(rows[0]!.n);
}

/** Where one entry sits in the log, if it is sequenced yet, with the organisation that made it. */
export async function entryPlacement(
  db: Db,
  entryId: number,
): Promise<{ requesterOrg: string; index: number | null; leafHash: Uint8Array | null } | undefined> {
  const row = (await db('audit_entry as e')
    .leftJoin('log_leaf as l', 'l.entry_id', 'e.entry_id')
    .where('e.entry_id', entryId)
    .first('e.requester_org', 'l.idx', 'l.leaf_hash')) as
    { requester_org: string; idx: number | null; leaf_hash: Buffer | null } | undefined;
  if (!row) return undefined;
  return {
    requesterOrg: row.requester_org,
    index: row.idx === null ? null : Number(row.idx),
    leafHash: row.leaf_hash ? new Uint8Array(row.leaf_hash) : null,
  };
}

// ---- the repository object the service receives ------------------------------------------------------

export function knexAuditRepo(db: Knex) {
  return {
    async append(rows: EntryRow[], trx?: Knex.Transaction, guard?: StatementGuard) {
      return insertEntries(trx ?? db, rows, guard);
    },
    latestHead: () => latestHead(db),
    latestCheckpoint: () => latestCheckpoint(db),
    nodeHashes: (ids: NodeId[]) => nodeHashes(db, ids),
    leafBundles: (start: number, count: number) => leafBundles(db, start, count),
    accessLog: (
      subjectKey: string,
      filters: AccessLogFilters,
      visibleAt: Date,
      page: { beforeSeq?: number; limit: number },
    ) => accessLog(db, subjectKey, filters, visibleAt, page),
    pendingForSubject: (subjectKey: string, visibleAt: Date) => pendingForSubject(db, subjectKey, visibleAt),
    entryPlacement: (entryId: number) => entryPlacement(db, entryId),
  };
}
