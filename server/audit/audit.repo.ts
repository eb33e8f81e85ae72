/**
 * Audit tables, knex only. Bulk writes use unnest() so a batch is one statement. `audit_entry` is
 * partitioned by month (see retention.ts); reads by entry id use its own index.
 */
import type { Knex } from 'knex';
import { preparedQuery } from '../db/prepared.js';
import type { StatementGuard } from '../db/statement-guard.js';
import type { NodeId } from './merkle.js';
import {
  TILE_HEIGHT,
  type AccessLogFilters,
  type AccessLogRow,
  type LeafBundle,
  type StoredCheckpoint,
  type TreeHead,
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
    RETURNING entry_id, digest, subject_key, embargo_until
  ), q AS (
    INSERT INTO audit_queue (entry_id, subject_key, embargo_until)
    SELECT entry_id, subject_key, embargo_until FROM e)
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

/**
 * The one statement reading node hashes: leaves from log_leaf, the other nodes by tile (an
 * index-only scan of `tree_node_by_tile` per tile, one or two pages, instead of a probe per node).
 */
export function nodeStatement(ids: NodeId[]): { sql: string; bindings: Knex.RawBinding[] } | undefined {
  const leaves = ids.filter((id) => id.level === 0).map((id) => id.index);
  const nodes = ids.filter((id) => id.level > 0);
  const parts: { sql: string; bindings: Knex.RawBinding[] }[] = [];
  if (leaves.length) {
    parts.push({
      sql: 'SELECT 0::smallint AS level, l.idx, l.leaf_hash AS hash FROM log_leaf l WHERE l.idx = ANY(?::bigint[])',
      bindings: [leaves],
    });
  }
  if (nodes.length) {
    const tiles = new Map<string, { tier: number; tile: number }>();
    for (const id of nodes) {
      const tier = Math.floor(id.level / TILE_HEIGHT);
      const tile = Math.floor((id.index * 2 ** (id.level % TILE_HEIGHT)) / 2 ** TILE_HEIGHT);
      tiles.set(`${tier}/${tile}`, { tier, tile });
    }
    // The tile join drives the index; the key filter keeps only the asked-for nodes of each tile.
    // Keys as decimal strings: level << 56 exceeds a JS number's exact range.
    const keys = nodes.map((id) => ((BigInt(id.level) << 56n) | BigInt(id.index)).toString());
    parts.push({
      sql: `SELECT n.level, n.idx, n.hash
            FROM unnest(?::int[], ?::bigint[]) AS t(tier, tile)
            JOIN tree_node n ON n.level / ${TILE_HEIGHT} = t.tier
              AND ((n.idx << (n.level % ${TILE_HEIGHT})) >> ${TILE_HEIGHT}) = t.tile
            WHERE ((n.level::bigint << 56) | n.idx) = ANY(?::bigint[])`,
      bindings: [[...tiles.values()].map((t) => t.tier), [...tiles.values()].map((t) => t.tile), keys],
    });
  }
  if (parts.length === 0) return undefined;
  return { sql: parts.map((q) => q.sql).join('\nUNION ALL\n'), bindings: parts.flatMap((q) => q.bindings) };
}

/**
 * Node hashes by `${level}/${index}`: level 0 from log_leaf, above from tree_node. `prepared` (only
 * outside a transaction) plans the statement once per connection, as for history pages.
 */
export async function nodeHashes(
  db: Db,
  ids: NodeId[],
  options: { prepared?: boolean } = {},
): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  const statement = nodeStatement(ids);
  if (!statement) return out;
  type Row = { level: number; idx: number; hash: Buffer };
  const rows = options.prepared
    ? await preparedQuery<Row>(db as Knex, db.raw(statement.sql, statement.bindings).toSQL().toNative())
    : (await db.raw<{ rows: Row[] }>(statement.sql, statement.bindings)).rows;
  for (const r of rows) out.set(`${r.level}/${r.idx}`, bytes(r.hash));
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
 * What a citizen's history page shows, in one statement (one round trip, one snapshot): the latest
 * checkpoint, a page of the subject's entries and how many of them still wait for the sequencer.
 * The checkpoint and count ride on every row; a page with no entries is one row of them alone.
 */
export async function accessLogPage(
  db: Knex,
  subjectKey: string,
  filters: AccessLogFilters,
  visibleAt: Date,
  page: { beforeSeq?: number; limit: number },
): Promise<{ checkpoint: { size: number; note: string } | null; rows: AccessLogRow[]; pending: number }> {
  const statement = db
    .raw(
      `WITH page AS (?)
     SELECT c.size AS cp_size, c.note AS cp_note, q.pending, page.*
     FROM (${PENDING_FOR_SUBJECT}) q
     LEFT JOIN LATERAL (SELECT size, note FROM checkpoint ORDER BY id DESC LIMIT 1) c ON true
     LEFT JOIN page ON true
     ORDER BY page.subject_seq DESC`,
      [accessLogPageQuery(db, subjectKey, filters, visibleAt, page), subjectKey, visibleAt],
    )
    .toSQL()
    .toNative();
  // Prepared: planning this join over every monthly partition cost more than running it.
  const rows = await preparedQuery<
    Partial<AccessLogDbRow> & { cp_size: number | null; cp_note: string | null; pending: string }
  >(db, statement);
  const first = rows[0]!;
  return {
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

/** Where one entry sits in the log, if it is sequenced yet, with the organisation that made it. */
export async function entryPlacement(db: Db, entryId: number): Promise<EntryPlacement | undefined> {
  const row = (await db('audit_entry as e')
    .leftJoin('log_leaf as l', 'l.entry_id', 'e.entry_id')
    .where('e.entry_id', entryId)
    .first('e.requester_org', 'e.digest', 'l.idx', 'l.leaf_hash', 'l.leaf_data')) as
    | {
        requester_org: string;
        digest: Buffer;
        idx: number | null;
        leaf_hash: Buffer | null;
        leaf_data: Buffer | null;
      }
    | undefined;
  if (!row) return undefined;
  return {
    requesterOrg: row.requester_org,
    digest: new Uint8Array(row.digest),
    index: row.idx === null ? null : Number(row.idx),
    leaf: row.leaf_data ? new Uint8Array(row.leaf_data) : null,
    leafHash: row.leaf_hash ? new Uint8Array(row.leaf_hash) : null,
  };
}

export interface EntryPlacement {
  requesterOrg: string;
  /** SHA-256 of the entry's canonical body: the digest the requester's answer carries. */
  digest: Uint8Array;
  index: number | null;
  leaf: Uint8Array | null;
  leafHash: Uint8Array | null;
}

// ---- the repository object the service receives ------------------------------------------------------

export function knexAuditRepo(db: Knex) {
  return {
    async append(rows: EntryRow[], trx?: Knex.Transaction, guard?: StatementGuard) {
      return insertEntries(trx ?? db, rows, guard);
    },
    latestHead: () => latestHead(db),
    latestCheckpoint: () => latestCheckpoint(db),
    nodeHashes: (ids: NodeId[]) => nodeHashes(db, ids, { prepared: true }),
    leafBundles: (start: number, count: number) => leafBundles(db, start, count),
    accessLog: (
      subjectKey: string,
      filters: AccessLogFilters,
      visibleAt: Date,
      page: { beforeSeq?: number; limit: number },
    ) => accessLog(db, subjectKey, filters, visibleAt, page),
    accessLogPage: (
      subjectKey: string,
      filters: AccessLogFilters,
      visibleAt: Date,
      page: { beforeSeq?: number; limit: number },
    ) => accessLogPage(db, subjectKey, filters, visibleAt, page),
    entryPlacement: (entryId: number) => entryPlacement(db, entryId),
  };
}
