/** knex only: consent records, their events, the webhook outbox and registered redirect URIs. */
import type { Knex } from 'knex';
import { withTransaction, type Transaction } from '../db/unit-of-work.js';
import type { StatementGuard } from '../db/statement-guard.js';
import type { ConsentEvent, ConsentEventType, ConsentRecord, ConsentStatus } from './consents.types.js';
import { eventFromRow, fromRow, toRow, type ConsentRow, type EventRow } from './consents.rows.js';

export interface NewEvent {
  consentId: string;
  version: number;
  at: Date;
  type: ConsentEventType;
  state: ConsentStatus;
  actor: string;
  reason: string | null;
  detail: Record<string, unknown>;
}

export interface Delivery {
  id: number;
  consentId: string;
  eventId: number;
  url: string;
  audience: string;
  payload: Record<string, unknown>;
  attempts: number;
}

export interface SubjectPageCursor {
  rank: number;
  createdAt: string;
  id: string;
}

const RANK = `CASE status WHEN 'ACTIVE' THEN 0 WHEN 'PAUSED' THEN 1 WHEN 'REQUESTED' THEN 2 ELSE 3 END`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** One use of a consent, counted only while it is usable (see consents.service, authorizeUse step 6). */
function countUseStatement(
  id: string,
  version: number,
  now: Date,
  options: { lastUseAllowed: boolean; returning: string },
): StatementGuard {
  const remaining = options.lastUseAllowed ? 'use_count < max_uses' : 'use_count + 1 < max_uses';
  return {
    sql: `UPDATE consent SET use_count = use_count + 1, last_used_at = ?
           WHERE id = ? AND version = ? AND status = 'ACTIVE' AND ${remaining}
             AND valid_from <= ? AND valid_until > ?
           RETURNING ${options.returning}`,
    bindings: [now, id, version, now, now],
  };
}

export function createConsentsRepo(db: Knex) {
  const q = (trx?: Transaction): Knex => trx ?? db;

  return {
    transaction<T>(work: (trx: Transaction) => Promise<T>): Promise<T> {
      return withTransaction(db, work);
    },

    async insert(record: ConsentRecord, trx?: Transaction): Promise<void> {
      await q(trx)('consent').insert(toRow(record));
    },

    async get(id: string, trx?: Transaction): Promise<ConsentRecord | undefined> {
      if (!UUID.test(id)) return undefined;
      const row = (await q(trx)('consent').where({ id }).first()) as ConsentRow | undefined;
      return row ? fromRow(row) : undefined;
    },

    /** Locks the row until the transaction ends. */
    async getForUpdate(id: string, trx: Transaction): Promise<ConsentRecord | undefined> {
      if (!UUID.test(id)) return undefined;
      const row = (await q(trx)('consent').where({ id }).forUpdate().first()) as ConsentRow | undefined;
      return row ? fromRow(row) : undefined;
    },

    async findByShortCode(code: string): Promise<ConsentRecord | undefined> {
      const row = (await db('consent').where({ short_code: code }).first()) as ConsentRow | undefined;
      return row ? fromRow(row) : undefined;
    },

    /** Writes a new version; the caller holds the row lock (getForUpdate) in the same transaction. */
    async replace(record: ConsentRecord, trx: Transaction): Promise<void> {
      const { id, ...rest } = toRow(record);
      await q(trx)('consent').where({ id }).update(rest);
    },

    /**
     * Counts one use, atomically with the check: the row must still be ACTIVE, at this version, inside its
     * validity and below its maximum. A concurrent revocation either committed first (the WHERE no longer
     * matches after PostgreSQL re-reads the row) or waits for this transaction to end.
     */
    async countUse(
      id: string,
      version: number,
      now: Date,
      trx?: Transaction,
    ): Promise<ConsentRecord | undefined> {
      const use = countUseStatement(id, version, now, { lastUseAllowed: true, returning: '*' });
      const rows = (await q(trx).raw(use.sql, use.bindings as Knex.RawBinding[])) as { rows: ConsentRow[] };
      return rows.rows[0] ? fromRow(rows.rows[0]) : undefined;
    },

    /**
     * countUse as a guard for another write in the same statement (see StatementGuard): the same
     * condition, for a use that does not exhaust the consent (exhausting needs its event and webhook
     * in the same transaction, so the caller takes countUse's path for the last use).
     */
    useGuard(id: string, version: number, now: Date): StatementGuard {
      return countUseStatement(id, version, now, { lastUseAllowed: false, returning: 'id' });
    },

    /**
     * The use that exhausts the consent as a guard (see StatementGuard): the count, the next version
     * (`next`, written by the caller from the checked one: status EXHAUSTED, its hash), its event and,
     * for an API requester with a webhook, the outbox row — all only if the row is still the checked
     * version with exactly one use left. What transition() writes for the last use in a transaction.
     */
    exhaustGuard(
      next: ConsentRecord,
      event: { type: string; actor: string; reason: string | null; at: Date },
      webhook: { url: string; audience: string; payload: object } | null,
    ): StatementGuard {
      const at = event.at;
      return {
        sql: `UPDATE consent SET use_count = use_count + 1, last_used_at = ?, status = ?, status_reason = ?,
                version = ?, rec_hash = ?, updated_at = ?
              WHERE id = ? AND version = ? AND status = 'ACTIVE' AND use_count + 1 = max_uses
                AND valid_from <= ? AND valid_until > ?
              RETURNING id, version, status`,
        bindings: [
          at,
          next.status,
          next.statusReason,
          next.version,
          next.recHash,
          at,
          next.id,
          next.version - 1,
          at,
          at,
        ],
        alongside: {
          sql: `use_event AS (
                  INSERT INTO consent_event (consent_id, version, at, type, state, actor, reason, detail)
                  SELECT id, version, ?::timestamptz, ?, status, ?, ?, '{}'::jsonb FROM guard
                  RETURNING id, consent_id),
                use_webhook AS (
                  INSERT INTO consent_webhook_delivery (consent_id, event_id, url, audience, payload, next_attempt_at, created_at)
                  SELECT consent_id, id, ?, ?, ?::jsonb, ?::timestamptz, ?::timestamptz FROM use_event WHERE ?::boolean)`,
          bindings: [
            at,
            event.type,
            event.actor,
            event.reason,
            webhook?.url ?? '',
            webhook?.audience ?? '',
            JSON.stringify(webhook?.payload ?? {}),
            at,
            at,
            webhook !== null,
          ],
        },
      };
    },

    async insertEvent(event: NewEvent, trx?: Transaction): Promise<number> {
      const [row] = (await q(trx)('consent_event')
        .insert({
          consent_id: event.consentId,
          version: event.version,
          at: event.at,
          type: event.type,
          state: event.state,
          actor: event.actor,
          reason: event.reason,
          detail: JSON.stringify(event.detail),
        })
        .returning('id')) as { id: string | number }[];
      return Number(row!.id);
    },

    async events(consentId: string, trx?: Transaction): Promise<ConsentEvent[]> {
      const rows = (await q(trx)('consent_event')
        .where({ consent_id: consentId })
        .orderBy('id')) as EventRow[];
      return rows.map(eventFromRow);
    },

    async enqueueDelivery(
      d: { consentId: string; eventId: number; url: string; audience: string; payload: object; at: Date },
      trx?: Transaction,
    ): Promise<void> {
      await q(trx)('consent_webhook_delivery').insert({
        consent_id: d.consentId,
        event_id: d.eventId,
        url: d.url,
        audience: d.audience,
        payload: JSON.stringify(d.payload),
        next_attempt_at: d.at,
        created_at: d.at,
      });
    },

    /** Whether any delivery is due: one statement, no lock (the outbox's look before it claims). */
    async anyDueDelivery(now: Date): Promise<boolean> {
      const row = (await db('consent_webhook_delivery')
        .where('status', 'pending')
        .andWhere('next_attempt_at', '<=', now)
        .first(db.raw('1 AS due'))) as { due: number } | undefined;
      return row !== undefined;
    },

    /** Due deliveries, locked (SKIP LOCKED) so several instances never send the same one twice at once. */
    async claimDueDeliveries(now: Date, limit: number, trx: Transaction): Promise<Delivery[]> {
      const rows = (await q(trx)('consent_webhook_delivery')
        .where('status', 'pending')
        .andWhere('next_attempt_at', '<=', now)
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked()) as {
        id: string | number;
        consent_id: string;
        event_id: string | number;
        url: string;
        audience: string;
        payload: Record<string, unknown>;
        attempts: number;
      }[];
      return rows.map((r) => ({
        id: Number(r.id),
        consentId: r.consent_id,
        eventId: Number(r.event_id),
        url: r.url,
        audience: r.audience,
        payload: r.payload,
        attempts: r.attempts,
      }));
    },

    async markDelivery(
      id: number,
      result:
        | { status: 'delivered'; httpStatus: number; at: Date }
        | { status: 'pending' | 'failed'; error: string; httpStatus: number | null; nextAttemptAt: Date },
      trx?: Transaction,
    ): Promise<void> {
      await q(trx)('consent_webhook_delivery')
        .where({ id })
        .update({
          status: result.status,
          attempts: db.raw('attempts + 1'),
          last_status: result.httpStatus,
          ...(result.status === 'delivered'
            ? { delivered_at: result.at, last_error: null }
            : { last_error: result.error.slice(0, 500), next_attempt_at: result.nextAttemptAt }),
        });
    },

    async deliveries(consentId: string): Promise<{ status: string; attempts: number; eventId: number }[]> {
      const rows = (await db('consent_webhook_delivery').where({ consent_id: consentId }).orderBy('id')) as {
        status: string;
        attempts: number;
        event_id: string | number;
      }[];
      return rows.map((r) => ({ status: r.status, attempts: r.attempts, eventId: Number(r.event_id) }));
    },

    /** Consents naming a subject: active first, then paused, pending, and the rest; newest first within. */
    async listForSubject(
      subjectKey: string,
      page: { limit: number; after?: SubjectPageCursor | undefined },
    ): Promise<(ConsentRecord & { rank: number })[]> {
      const params: Knex.RawBinding[] = [subjectKey];
      let where = '';
      if (page.after) {
        const { rank, createdAt, id } = page.after;
        where = `AND (${RANK} > ? OR (${RANK} = ? AND (created_at < ? OR (created_at = ? AND id < ?))))`;
        params.push(rank, rank, createdAt, createdAt, id);
      }
      params.push(page.limit + 1);
      const result = (await db.raw(
        `SELECT *, ${RANK} AS rank FROM consent WHERE subject_key = ? ${where}
          ORDER BY rank, created_at DESC, id DESC LIMIT ?`,
        params,
      )) as { rows: (ConsentRow & { rank: number })[] };
      return result.rows.map((r) => ({ ...fromRow(r), rank: r.rank }));
    },

    /** Ids of consents whose validity or pending request has run out. */
    async dueForExpiry(now: Date, limit: number): Promise<string[]> {
      const result = (await db.raw(
        `SELECT id FROM consent
          WHERE (status IN ('ACTIVE', 'PAUSED') AND valid_until <= ?)
             OR (status = 'REQUESTED' AND request_expires_at <= ?)
          ORDER BY id LIMIT ?`,
        [now, now, limit],
      )) as { rows: { id: string }[] };
      return result.rows.map((r) => r.id);
    },

    async redirectUris(clientId: string): Promise<string[]> {
      return (await db('api_client_redirect_uri').where({ client_id: clientId }).pluck('uri')) as string[];
    },

    async addRedirectUri(clientId: string, uri: string): Promise<void> {
      await db('api_client_redirect_uri').insert({ client_id: clientId, uri }).onConflict().ignore();
    },
  };
}

export type ConsentsRepo = ReturnType<typeof createConsentsRepo>;
