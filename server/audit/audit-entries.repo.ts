/**
 * Audit entries, knex only: the append statement (entries and their queue rows in one statement, unnest()
 * so a batch is one statement) and where one entry sits once sequenced. `audit_entry` is partitioned by
 * month (see retention.ts); reads by entry id use its own index.
 */
import type { Knex } from 'knex';
import { numbered, preparedQuery } from '../db/prepared.js';
import type { StatementGuard } from '../db/statement-guard.js';
import type { Db } from './audit-db.js';

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

/**
 * Entries and their queue rows; `guard` (another domain's conditional write, see StatementGuard)
 * runs first in the same statement and the entries are inserted only if it returned a row.
 */
const insertEntriesSql = (guard?: StatementGuard) => `
  WITH durable AS (SELECT set_config('synchronous_commit', 'on', true) AS sc),
  ${guard ? `guard AS (${guard.sql}),` : ''}
  ${guard?.alongside ? `${guard.alongside.sql},` : ''}
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
  const sql = guard ? insertEntriesSql(guard) : INSERT_ENTRIES;
  const bindings = [...(guard?.bindings ?? []), ...(guard?.alongside?.bindings ?? []), ...columns];
  // Outside a caller's transaction (the query's one-statement commit) as a named prepared
  // statement: planning this statement cost as much PostgreSQL CPU as running it (~0.7 ms).
  const inserted = (db as Knex.Transaction).isTransaction
    ? (
        await (db.raw(sql, bindings as Knex.RawBinding[]) as unknown as Promise<{
          rows: { entry_id: number; digest: string }[];
        }>)
      ).rows
    : await preparedQuery<{ entry_id: number; digest: string }>(db, numbered(sql, bindings));
  return inserted.map((r) => ({ entryId: r.entry_id, digestHex: r.digest }));
}

export interface EntryPlacement {
  requesterOrg: string;
  /** SHA-256 of the entry's canonical body: the digest the requester's answer carries. */
  digest: Uint8Array;
  index: number | null;
  leaf: Uint8Array | null;
  leafHash: Uint8Array | null;
}

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
