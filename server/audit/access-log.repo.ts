/**
 * A citizen's read-back of the log, knex only: their visible entries through the subject index, and the
 * history page (checkpoint, entries, pending count) in one prepared statement.
 */
import type { Knex } from 'knex';
import { preparedQuery } from '../db/prepared.js';
import { statementShapes } from '../db/statement-shapes.js';
import { bytes, type Db } from './audit-db.js';
import {
  TILE_HEIGHT,
  type AccessLogFilters,
  type AccessLogPageRead,
  type AccessLogRow,
} from './audit.types.js';

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

function accessLogPageQuery(
  db: Db,
  subjectKey: string,
  filters: AccessLogFilters,
  visibleAt: Date,
  page: { beforeSeq?: number; limit: number },
) {
  const q = accessLogQuery(db, subjectKey, filters, visibleAt);
  if (page.beforeSeq !== undefined) q.andWhere('si.subject_seq', '<', page.beforeSeq);
  return q
    .orderBy('si.subject_seq', 'desc')
    .limit(page.limit)
    .select('si.idx', 'si.subject_seq', 'si.prev_idx', 'e.body', 'l.salt', 'l.leaf_data');
}

interface AccessLogDbRow {
  idx: number;
  subject_seq: number;
  prev_idx: number | null;
  body: string;
  salt: Buffer;
  leaf_data: Buffer;
}

function accessLogRow(r: AccessLogDbRow): AccessLogRow {
  return {
    index: r.idx,
    subjectSeq: r.subject_seq,
    prevIndex: r.prev_idx,
    body: r.body,
    salt: bytes(r.salt),
    leaf: bytes(r.leaf_data),
  };
}

/** The subject's visible entries, newest first, below `beforeSeq` when paging. */
export async function accessLog(
  db: Db,
  subjectKey: string,
  filters: AccessLogFilters,
  visibleAt: Date,
  page: { beforeSeq?: number; limit: number },
): Promise<AccessLogRow[]> {
  const rows = (await accessLogPageQuery(db, subjectKey, filters, visibleAt, page)) as AccessLogDbRow[];
  return rows.map(accessLogRow);
}

/**
 * Each entry's siblings in the two lowest tiers of the tree (levels 0 to 2·TILE_HEIGHT − 1): the
 * other leaf of its pair from log_leaf, the rest from the entry's own tier-0 and tier-1 tiles
 * (index-only scans of tree_node_by_tile, migration 071). They are the proof nodes no two of a
 * citizen's entries share, so no per-process cache can hold them; read here, they spare the page a
 * second statement. A sibling that is not yet a complete subtree is absent (the proof's right edge
 * comes from the node fetch). Stored nodes never change, so any size's proof may use them. The
 * levels come as a bit mask and the hashes as one string in level order: parsing a bytea[] from its
 * text form allocated 2 MB per page.
 */
const LOW_SIBLINGS = `LEFT JOIN LATERAL (
       SELECT bit_or(1 << s.level) AS low_levels, string_agg(s.hash, ''::bytea ORDER BY s.level) AS low_hashes
       FROM (
         SELECT 0 AS level, l2.leaf_hash AS hash FROM log_leaf l2 WHERE l2.idx = page.idx # 1
         UNION ALL
         SELECT n.level, n.hash FROM tree_node n
         WHERE n.level / ${TILE_HEIGHT} = 0 AND ((n.idx << (n.level % ${TILE_HEIGHT})) >> ${TILE_HEIGHT}) = page.idx >> ${TILE_HEIGHT}
           AND n.idx = (page.idx >> n.level) # 1
         UNION ALL
         SELECT n.level, n.hash FROM tree_node n
         WHERE n.level / ${TILE_HEIGHT} = 1 AND ((n.idx << (n.level % ${TILE_HEIGHT})) >> ${TILE_HEIGHT}) = page.idx >> ${2 * TILE_HEIGHT}
           AND n.idx = (page.idx >> n.level) # 1
       ) s
     ) low ON page.idx IS NOT NULL`;

/** The sibling of `index`'s subtree at `level`: its index at that level with the last bit flipped. */
function siblingAt(index: number, level: number): number {
  const own = Math.floor(index / 2 ** level);
  return own % 2 === 0 ? own + 1 : own - 1;
}

/** What a page statement's text depends on: which of these are given. */
const FILTERS = ['from', 'to', 'organisation', 'recordType'] as const;

function pageShape(values: Record<string, unknown>): string {
  const given = (k: string) => values[k] !== undefined && values[k] !== null && values[k] !== '';
  return [...FILTERS, 'beforeSeq'].filter(given).join(',');
}

/** The page statement for a shape (pageShape), built by knex once per shape (db/statement-shapes.ts). */
const pageStatement = statementShapes<Knex>((slot, db, shape) => {
  const given = new Set(shape.split(','));
  const filters = Object.fromEntries(
    FILTERS.filter((k) => given.has(k)).map((k) => [k, slot.value(k)]),
  ) as unknown as AccessLogFilters;
  const visibleAt = slot.value('visibleAt') as unknown as Date;
  const page = {
    ...(given.has('beforeSeq') ? { beforeSeq: slot.value('beforeSeq') as unknown as number } : {}),
    limit: slot.number('limit'),
  };
  return db
    .raw(
      `WITH page AS (?)
     SELECT c.size AS cp_size, c.note AS cp_note, q.pending, page.*, low.low_levels, low.low_hashes
     FROM (${PENDING_FOR_SUBJECT}) q
     LEFT JOIN LATERAL (SELECT size, note FROM checkpoint ORDER BY id DESC LIMIT 1) c ON true
     LEFT JOIN page ON true
     ${LOW_SIBLINGS}
     ORDER BY page.subject_seq DESC`,
      [
        accessLogPageQuery(db, slot.value('subject'), filters, visibleAt, page),
        slot.value('subject'),
        visibleAt,
      ],
    )
    .toSQL()
    .toNative();
});

/**
 * What a citizen's history page shows, in one statement (one round trip, one snapshot): the latest
 * checkpoint, a page of the subject's entries with their low proof siblings (LOW_SIBLINGS) and how
 * many of the subject's entries still wait for the sequencer. The checkpoint and count ride on every
 * row; a page with no entries is one row of them alone.
 */
export async function accessLogPage(
  db: Knex,
  subjectKey: string,
  filters: AccessLogFilters,
  visibleAt: Date,
  page: { beforeSeq?: number; limit: number },
): Promise<AccessLogPageRead> {
  const values = { subject: subjectKey, visibleAt, limit: page.limit, ...filters, beforeSeq: page.beforeSeq };
  const statement = pageStatement(db, pageShape(values), values);
  // Prepared: planning this join over every monthly partition cost more than running it.
  const rows = await preparedQuery<
    Partial<AccessLogDbRow> & {
      cp_size: number | null;
      cp_note: string | null;
      pending: string;
      low_levels: number | null;
      low_hashes: Buffer | null;
    }
  >(db, statement);
  const first = rows[0]!;
  const nodes = new Map<string, Uint8Array>();
  for (const r of rows) {
    if (r.idx === null || r.idx === undefined || !r.low_levels || !r.low_hashes) continue;
    const hashes = bytes(r.low_hashes);
    for (let level = 0, at = 0; r.low_levels >> level; level++) {
      if (!((r.low_levels >> level) & 1)) continue;
      nodes.set(`${level}/${siblingAt(Number(r.idx), level)}`, hashes.subarray(at, at + 32));
      at += 32;
    }
  }
  return {
    nodes,
    checkpoint: first.cp_size === null ? null : { size: Number(first.cp_size), note: first.cp_note! },
    rows: rows
      .filter((r) => r.idx !== null && r.idx !== undefined)
      .map((r) => accessLogRow(r as AccessLogDbRow)),
    pending: Number(first.pending),
  };
}

// The subject's entries still waiting for the sequencer (durable, not yet in the log), through the
// queue's own subject index (migration 073): a sequencer backlog does not slow anyone's page.
// Bindings: subject key, visible-at instant.
export const PENDING_FOR_SUBJECT = `SELECT count(*) AS pending FROM audit_queue q
       WHERE q.subject_key = ? AND (q.embargo_until IS NULL OR q.embargo_until <= ?)`;
