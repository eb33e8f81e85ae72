/**
 * knex only: claiming and settling access-notification outbox rows (`notification_event`). A claim is one
 * statement: due rows are locked FOR UPDATE SKIP LOCKED (two gateways never pick the same row), counted as
 * an attempt and leased (`sending` until `next_attempt_at`), so the message goes out with no transaction
 * open. Settling checks the lease is still ours: a gateway that overran its lease cannot overwrite the
 * outcome of the one that took the row over.
 */
import type { Knex } from 'knex';
import type {
  AccessNotificationPayload,
  NotificationChannel,
  NotificationEvent,
} from '../portal/portal.repo.js';
import type { Lang } from '../shared/types.js';

interface ClaimedRow {
  id: string | number;
  subject_key: string;
  log_idx: string | number;
  channel: NotificationChannel;
  target: string;
  language: Lang;
  payload: AccessNotificationPayload;
  status: NotificationEvent['status'];
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
}

/** A claimed row: the lease is the fencing token its outcome is written under. */
export interface ClaimedNotification extends NotificationEvent {
  leaseUntil: Date;
}

export type DeliveryOutcome =
  | { status: 'delivered'; at: Date; messageId: string | null }
  | { status: 'pending'; error: string; nextAttemptAt: Date }
  | { status: 'dead'; error: string; at: Date };

export function createDeliveryRepo(db: Knex) {
  return {
    /** Up to `limit` due rows (pending, or sending past their lease), claimed until `leaseUntil`. */
    async claim(now: Date, leaseUntil: Date, limit: number): Promise<ClaimedNotification[]> {
      const result = await db.raw<{ rows: ClaimedRow[] }>(
        `UPDATE notification_event e
            SET status = 'sending', next_attempt_at = :leaseUntil, attempts = e.attempts + 1
          WHERE e.id IN (
            SELECT id FROM notification_event
             WHERE status IN ('pending', 'sending') AND next_attempt_at <= :now
             ORDER BY next_attempt_at
             LIMIT :limit
             FOR UPDATE SKIP LOCKED)
          RETURNING e.*`,
        { now, leaseUntil, limit },
      );
      return result.rows.map((r) => ({
        id: Number(r.id),
        subjectKey: r.subject_key,
        logIdx: Number(r.log_idx),
        channel: r.channel,
        target: r.target,
        language: r.language,
        payload: r.payload,
        status: r.status,
        attempts: r.attempts,
        nextAttemptAt: r.next_attempt_at,
        lastError: r.last_error,
        createdAt: r.created_at,
        deliveredAt: r.delivered_at,
        leaseUntil: r.next_attempt_at,
      }));
    },

    /** Writes the outcome if the lease is still ours; false when another gateway took the row over. */
    async settle(claimed: ClaimedNotification, outcome: DeliveryOutcome): Promise<boolean> {
      const changes =
        outcome.status === 'delivered'
          ? {
              status: 'delivered',
              delivered_at: outcome.at,
              last_error: null,
              message_id: outcome.messageId?.slice(0, 250) ?? null,
            }
          : outcome.status === 'pending'
            ? {
                status: 'pending',
                last_error: outcome.error.slice(0, 500),
                next_attempt_at: outcome.nextAttemptAt,
              }
            : { status: 'dead', last_error: outcome.error.slice(0, 500), next_attempt_at: outcome.at };
      const updated = await db('notification_event')
        .where({ id: claimed.id, status: 'sending', next_attempt_at: claimed.leaseUntil })
        .update(changes);
      return updated === 1;
    },

    /** Dead letters by channel (the operators' metric). */
    async deadLetters(): Promise<Record<NotificationChannel, number>> {
      const rows = (await db('notification_event')
        .where({ status: 'dead' })
        .groupBy('channel')
        .select('channel')
        .count({ n: '*' })) as { channel: NotificationChannel; n: string | number }[];
      const counts: Record<NotificationChannel, number> = { email: 0, webhook: 0 };
      for (const r of rows) counts[r.channel] = Number(r.n);
      return counts;
    },
  };
}

export type DeliveryRepo = ReturnType<typeof createDeliveryRepo>;
