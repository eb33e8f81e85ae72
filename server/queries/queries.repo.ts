/** knex only: request budgets, harvesting counters and idempotency records for queries. */
import type { Knex } from 'knex';
import { preparedQuery } from '../db/prepared.js';
import { claimProofIdSql, proofIdColumns } from '../auth/sessions.repo.js';
import { consentJoinSql } from '../consents/consents.rows.js';
import { countInWindowSql } from '../limits/rate-windows.repo.js';
import { orderInForceSql } from '../protections/protections.repo.js';

export interface AdmissionCounts {
  /** Requests by this requester in the current minute, this one included. */
  requestsThisMinute: number;
  /** Distinct subjects this hour, when this request added a new one; otherwise null. */
  distinctSubjectsThisHour: number | null;
}

/** An answer kept for replay, as stored: sealed (server/at-rest/envelope.ts), never in clear. */
export interface SealedAnswer {
  dataKeyId: string;
  sealed: Uint8Array;
}

export interface IdempotencyRecord {
  requestHash: string;
  statusCode: number | null;
  /** Null while the first attempt is still running. */
  answer: SealedAnswer | null;
}

/**
 * The admission statement, a named prepared statement (server/db/prepared.ts) planned once per
 * connection. Parameters: $1 requester, $2 now, $3 subject key or null, $4–$6 the DPoP proof id
 * (jkt, jti, expiry; jti null: none to claim), $7 organisation and $8 clerk a protection order
 * could name, $9 the consent the request names (uuid or null). One round trip claims the proof
 * id, counts the request and a new subject this hour, consults the protection orders and reads
 * the consent row, whose columns follow the `adm_` ones.
 */
const ADMIT_SQL = `WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true) AS sc), budget AS (
    ${countInWindowSql('$1::text', '$2', 'minute')}
  ), seen AS (
    INSERT INTO subject_access_hour (requester, hour, subject_key)
    SELECT $1::text, date_trunc('hour', $2::timestamptz), $3::text WHERE $3::text IS NOT NULL
    ON CONFLICT DO NOTHING
    RETURNING 1
  ), hourly AS (
    INSERT INTO requester_hour (requester, hour, distinct_subjects)
    SELECT $1::text, date_trunc('hour', $2::timestamptz), 1 FROM seen
    ON CONFLICT (requester, hour) DO UPDATE SET distinct_subjects = requester_hour.distinct_subjects + 1
    RETURNING distinct_subjects
  ), proof AS (
    ${claimProofIdSql({ jkt: '$4::text', jti: '$5::text', expiresAt: '$6::timestamptz', now: '$2::timestamptz' })}
  )
  SELECT (SELECT count FROM budget) AS adm_requests,
    (SELECT distinct_subjects FROM hourly) AS adm_distinct_subjects,
    (SELECT count(*) FROM proof)::int AS adm_proof_claimed,
    ${orderInForceSql('$3::text', '$7::text', '$8::text', 'NULL::text')} AS adm_barred,
    c.*
  FROM relaxed ${consentJoinSql('c', '$9::uuid')}`;

// As consents.repo.ts reads ids: lower case only.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface AdmissionRead extends AdmissionCounts {
  /** Null when no proof id was given; false when it was claimed before (a replay). */
  proofClaimed: boolean | null;
  barred: boolean;
  /** The consent row (null: no such consent), when a consent id was given. */
  consentRow?: Record<string, unknown> | null;
}

export function createQueriesRepo(db: Knex) {
  return {
    /**
     * One round trip (ADMIT_SQL). Every request of a requester updates the same counter rows, so
     * the statement commits without waiting for the WAL flush: the row locks are held for
     * microseconds instead of an fsync (with synchronous commit these rows serialise a requester's
     * queries). A crash can forget the last ≤ 3 × wal_writer_delay of counts and proof ids (as the
     * replay store's own statement always could); the audit log, not these rows, is the record.
     */
    async admit(input: {
      requester: string;
      subjectKey: string | null;
      now: Date;
      proof?: { key: string; expiresAt: Date } | undefined;
      parties?: { orgId: string; clerkId?: string | undefined } | undefined;
      consentId?: string | undefined;
    }): Promise<AdmissionRead> {
      const proof = input.proof ? proofIdColumns(input.proof.key) : undefined;
      // A consent id that is not a uuid names no consent (and would fail the statement's cast).
      const consentId = input.consentId && UUID.test(input.consentId) ? input.consentId : null;
      const [row] = await preparedQuery<Record<string, unknown>>(db, {
        sql: ADMIT_SQL,
        bindings: [
          input.requester,
          input.now.toISOString(),
          input.subjectKey,
          proof?.jkt ?? null,
          proof?.jti ?? null,
          input.proof?.expiresAt.toISOString() ?? null,
          input.parties?.orgId ?? null,
          input.parties?.clerkId ?? null,
          consentId,
        ],
      });
      const r = row!;
      return {
        requestsThisMinute: r.adm_requests as number,
        distinctSubjectsThisHour: r.adm_distinct_subjects as number | null,
        proofClaimed: proof ? r.adm_proof_claimed === 1 : null,
        barred: r.adm_barred === true,
        ...(input.consentId !== undefined ? { consentRow: r.id ? r : null } : {}),
      };
    },

    /** Marks the requester's hour as flagged; true only the first time (so it is reported once). */
    async flagHour(requester: string, now: Date): Promise<boolean> {
      const updated = await db('requester_hour')
        .where({ requester })
        .andWhere('hour', db.raw(`date_trunc('hour', ?::timestamptz)`, [now.toISOString()]))
        .whereNull('flagged_at')
        .update({ flagged_at: now });
      return updated > 0;
    },

    /**
     * Claims the key for a first attempt, or returns what is stored under it. A row past its expiry
     * counts as free, so an answer is never replayed beyond its time, whether or not the cleanup ran.
     */
    async claimIdempotencyKey(
      requester: string,
      key: string,
      requestHash: string,
      expiresAt: Date,
      now: Date = new Date(),
    ) {
      // One statement, as before expiry was checked: a row past its expiry is taken over in place.
      const inserted = await db('query_idempotency')
        .insert({ requester, key, request_hash: requestHash, expires_at: expiresAt, created_at: now })
        .onConflict(['requester', 'key'])
        .merge({
          request_hash: requestHash,
          status_code: null,
          data_key_id: null,
          response_sealed: null,
          created_at: now,
          expires_at: expiresAt,
        })
        .where('query_idempotency.expires_at', '<=', now)
        .returning('key');
      if (inserted.length) return { claimed: true as const };
      const row = await db('query_idempotency').where({ requester, key }).first();
      return {
        claimed: false as const,
        existing: row
          ? ({
              requestHash: row.request_hash,
              statusCode: row.status_code,
              answer: row.response_sealed
                ? { dataKeyId: row.data_key_id, sealed: new Uint8Array(row.response_sealed as Buffer) }
                : null,
            } as IdempotencyRecord)
          : undefined,
      };
    },
    async completeIdempotencyKey(requester: string, key: string, statusCode: number, answer: SealedAnswer) {
      await db('query_idempotency')
        .where({ requester, key })
        .update({
          status_code: statusCode,
          data_key_id: answer.dataKeyId,
          response_sealed: Buffer.from(answer.sealed),
        });
    },
    async releaseIdempotencyKey(requester: string, key: string) {
      await db('query_idempotency').where({ requester, key }).whereNull('status_code').delete();
    },
    async purgeExpired(now: Date): Promise<number> {
      const idem = await db('query_idempotency').where('expires_at', '<', now).delete();
      await db('rate_window')
        .where('window_start', '<', new Date(now.getTime() - 3_600_000))
        .delete();
      await db('subject_access_hour')
        .where('hour', '<', new Date(now.getTime() - 2 * 3_600_000))
        .delete();
      return idem;
    },
  };
}

export type QueriesRepo = ReturnType<typeof createQueriesRepo>;
