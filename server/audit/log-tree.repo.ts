/**
 * The log's tree as the sequencer and checkpointer write it, knex only: the queue, leaves, subject
 * chains, nodes and heads (one batch a transaction, fenced), then the published checkpoints.
 */
import type { Knex } from 'knex';
import { LOCK_CHECKPOINTER, LOCK_SEQUENCER_BATCH, arrays, bytes, hex, type Db } from './audit-db.js';
import type { StoredCheckpoint, TreeHead } from './audit.types.js';

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

/**
 * Takes up to `limit` queued entries (oldest first) out of the queue, with their bodies and, in the
 * same statement, the latest link of each entry's subject chain (what the batch's links continue).
 */
export async function claimQueued(
  trx: Knex.Transaction,
  limit: number,
): Promise<{ entries: QueuedEntry[]; heads: Map<string, { seq: number; index: number }> }> {
  const result = await trx.raw<{
    rows: {
      entry_id: number;
      subject_key: string;
      body: string;
      created_at: Date;
      head_seq: number | null;
      head_idx: number | null;
    }[];
  }>(
    `WITH claimed AS (
       DELETE FROM audit_queue WHERE entry_id IN (
         SELECT entry_id FROM audit_queue ORDER BY entry_id LIMIT ? FOR UPDATE SKIP LOCKED)
       RETURNING entry_id)
     SELECT e.entry_id, e.subject_key, e.body, e.created_at, h.subject_seq AS head_seq, h.idx AS head_idx
     FROM audit_entry e JOIN claimed c ON c.entry_id = e.entry_id
     LEFT JOIN LATERAL (
       SELECT subject_seq, idx FROM subject_index s
        WHERE s.subject_key = e.subject_key ORDER BY subject_seq DESC LIMIT 1) AS h ON true
     ORDER BY e.entry_id`,
    [limit],
  );
  const heads = new Map<string, { seq: number; index: number }>();
  for (const r of result.rows)
    if (r.head_seq !== null) heads.set(r.subject_key, { seq: r.head_seq, index: Number(r.head_idx) });
  return {
    entries: result.rows.map((r) => ({
      entryId: r.entry_id,
      subjectKey: r.subject_key,
      body: r.body,
      createdAt: r.created_at,
    })),
    heads,
  };
}

/**
 * A batch's leaves, subject links, tree nodes and new head in ONE statement (four round trips
 * before). The subject index's references to log_leaf are checked at the end of the statement, when
 * the leaves are in.
 */
export async function insertBatch(
  trx: Knex.Transaction,
  leaves: NewLeaf[],
  nodes: NewNode[],
  head: { size: number; root: Uint8Array; compactRange: Uint8Array },
): Promise<void> {
  await trx.raw(
    `WITH leaves AS (
       INSERT INTO log_leaf (idx, entry_id, entry_created_at, leaf_data, leaf_hash, salt)
       SELECT i, e, c, decode(l, 'hex'), decode(h, 'hex'), decode(s, 'hex')
       FROM unnest(?::bigint[], ?::bigint[], ?::timestamptz[], ?::text[], ?::text[], ?::text[])
         AS t(i, e, c, l, h, s)),
     links AS (
       INSERT INTO subject_index (subject_key, subject_seq, idx, prev_idx)
       SELECT * FROM unnest(?::text[], ?::int[], ?::bigint[], ?::bigint[])),
     nodes AS (
       INSERT INTO tree_node (level, idx, hash)
       SELECT lv, i, decode(h, 'hex') FROM unnest(?::smallint[], ?::bigint[], ?::text[]) AS t(lv, i, h))
     INSERT INTO tree_head (size, root, compact_range) VALUES (?, ?, ?)`,
    arrays([
      leaves.map((l) => l.index),
      leaves.map((l) => l.entryId),
      leaves.map((l) => l.entryCreatedAt),
      leaves.map((l) => hex(l.leaf)),
      leaves.map((l) => hex(l.leafHash)),
      leaves.map((l) => hex(l.salt)),
      leaves.map((l) => l.subjectKey),
      leaves.map((l) => l.subjectSeq),
      leaves.map((l) => l.index),
      leaves.map((l) => l.prevIndex),
      nodes.map((n) => n.level),
      nodes.map((n) => n.index),
      nodes.map((n) => hex(n.hash)),
    ]).concat([head.size, Buffer.from(head.root), Buffer.from(head.compactRange)]),
  );
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

/**
 * What a checkpointer needs to decide whether one is due, in one statement and no transaction:
 * the tree head's size and the latest checkpoint's size and time.
 */
export async function publicationState(
  db: Db,
): Promise<{ size: number; checkpointSize: number | null; checkpointAt: Date | null }> {
  const { rows } = await db.raw<{
    rows: { size: number | null; checkpoint_size: number | null; checkpoint_at: Date | null }[];
  }>(
    `SELECT (SELECT size FROM tree_head ORDER BY size DESC LIMIT 1) AS size,
            c.size AS checkpoint_size, c.created_at AS checkpoint_at
       FROM (SELECT 1) AS one
       LEFT JOIN LATERAL (SELECT size, created_at FROM checkpoint ORDER BY id DESC LIMIT 1) AS c ON true`,
  );
  const row = rows[0]!;
  return { size: row.size ?? 0, checkpointSize: row.checkpoint_size, checkpointAt: row.checkpoint_at };
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
