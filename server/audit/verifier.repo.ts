/** knex only: what the database verifier (db-verifier.ts) reads of the log, the tree and retention. */
import type { Runner } from '../db/unit-of-work.js';

export interface LeafRow {
  idx: number;
  entry_id: number;
  leaf_data: Buffer;
  leaf_hash: Buffer;
  salt: Buffer;
  body: string | null;
  digest: Buffer | null;
  entry_subject: string | null;
  subject_key: string | null;
  subject_seq: number | null;
  prev_idx: number | null;
}

export interface RetainedMonth {
  partition: string;
  first_entry_id: number | null;
  last_entry_id: number | null;
  entries: number;
}

export interface VerifierRepo {
  treeHeads(): Promise<{ size: number; root: Buffer; compact_range: Buffer }[]>;
  checkpoints(): Promise<{ size: number; root: Buffer; note: string }[]>;
  retainedMonths(): Promise<RetainedMonth[]>;
  /** Up to `limit` leaves from index `from`, with their entry bodies and subject links. */
  leaves(from: number, limit: number): Promise<LeafRow[]>;
  /** Entries neither queued nor sequenced. */
  orphanCount(): Promise<number>;
  /** Stored tree nodes whose last leaf lies in [from, to). */
  nodesEndingIn(from: number, to: number): Promise<{ level: number; idx: number; hash: Buffer }[]>;
}

export function createVerifierRepo(db: Runner): VerifierRepo {
  return {
    treeHeads: () => db('tree_head').select('size', 'root', 'compact_range'),
    checkpoints: () => db('checkpoint').orderBy('id').select('size', 'root', 'note'),
    retainedMonths: () =>
      db('audit_retention').select('partition', 'first_entry_id', 'last_entry_id', 'entries'),
    leaves: (from, limit) =>
      db('log_leaf as l')
        .leftJoin('audit_entry as e', 'e.entry_id', 'l.entry_id')
        .leftJoin('subject_index as si', 'si.idx', 'l.idx')
        .where('l.idx', '>=', from)
        .orderBy('l.idx')
        .limit(limit)
        .select(
          'l.idx',
          'l.entry_id',
          'l.leaf_data',
          'l.leaf_hash',
          'l.salt',
          'e.body',
          'e.digest',
          'e.subject_key as entry_subject',
          'si.subject_key',
          'si.subject_seq',
          'si.prev_idx',
        ),
    async orphanCount() {
      const { rows } = await db.raw<{ rows: { n: number }[] }>(
        `SELECT count(*)::int AS n FROM audit_entry e
          WHERE NOT EXISTS (SELECT 1 FROM log_leaf l WHERE l.entry_id = e.entry_id)
            AND NOT EXISTS (SELECT 1 FROM audit_queue q WHERE q.entry_id = e.entry_id)`,
      );
      return rows[0]!.n;
    },
    async nodesEndingIn(from, to) {
      const { rows } = await db.raw<{ rows: { level: number; idx: number; hash: Buffer }[] }>(
        `SELECT level, idx, hash FROM tree_node
          WHERE (idx + 1) * (1::bigint << level) - 1 >= ? AND (idx + 1) * (1::bigint << level) - 1 < ?`,
        [from, to],
      );
      return rows;
    },
  };
}
