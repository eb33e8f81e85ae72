/**
 * Portal tables, knex only: notification preferences (keyed by subject key, never a national ID), the
 * notification outbox (claimed and settled by server/notices/delivery.repo.ts) and the notifier's cursor
 * over the log. The query hot path never
 * touches these: the notifier reads sequenced entries from `subject_index` in the background.
 */
import type { Knex } from 'knex';
import type { Lang } from '../shared/types.js';

export interface NotificationPreference {
  subjectKey: string;
  email: string | null;
  webhookUrl: string | null;
  language: Lang;
  fromIdx: number;
  createdAt: Date;
  updatedAt: Date;
}

export type NotificationChannel = 'email' | 'webhook';
/** `sending`: claimed by a gateway (server/notices/delivery.repo.ts); `dead`: given up on. */
export type NotificationStatus = 'pending' | 'sending' | 'delivered' | 'dead';

/** What a notification says: no national ID, no record values; names are rendered by each adapter. */
export interface AccessNotificationPayload {
  type: 'access';
  logIndex: number;
  subjectSeq: number;
  at: string;
  organisation: string;
  clerkRef: string | null;
  purpose: string;
  recordType: string;
  outcome: string;
  reasonCode: string | null;
  fields: string[];
  /** The entry was under embargo until this instant (the notification waited for it). */
  embargoUntil: string | null;
}

export interface NotificationEvent {
  id: number;
  subjectKey: string;
  logIdx: number;
  channel: NotificationChannel;
  target: string;
  language: Lang;
  payload: AccessNotificationPayload;
  status: NotificationStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

/** A sequenced log entry about a citizen who asked to be notified. */
export interface SubscribedEntry {
  subjectKey: string;
  subjectSeq: number;
  idx: number;
  body: string;
  embargoUntil: Date | null;
  email: string | null;
  webhookUrl: string | null;
  language: Lang;
}

interface PreferenceRow {
  subject_key: string;
  email: string | null;
  webhook_url: string | null;
  language: Lang;
  from_idx: string | number;
  created_at: Date;
  updated_at: Date;
}

interface EventRow {
  id: string | number;
  subject_key: string;
  log_idx: string | number;
  channel: NotificationChannel;
  target: string;
  language: Lang;
  payload: AccessNotificationPayload;
  status: NotificationStatus;
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
}

const preference = (r: PreferenceRow): NotificationPreference => ({
  subjectKey: r.subject_key,
  email: r.email,
  webhookUrl: r.webhook_url,
  language: r.language,
  fromIdx: Number(r.from_idx),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const event = (r: EventRow): NotificationEvent => ({
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
});

export type Db = Knex | Knex.Transaction;

export const ANYTHING_AFTER_CURSOR = `SELECT (SELECT max(idx) FROM subject_index) >
  (SELECT last_idx FROM notification_cursor WHERE id) AS due`;

export function createPortalRepo(db: Knex) {
  return {
    db,
    transaction: <T>(work: (trx: Knex.Transaction) => Promise<T>) => db.transaction(work),

    async getPreference(subjectKey: string): Promise<NotificationPreference | undefined> {
      const row = (await db('notification_preference').where({ subject_key: subjectKey }).first()) as
        PreferenceRow | undefined;
      return row ? preference(row) : undefined;
    },

    /** Stores the preference; `fromIdx` applies only when the row is new (switching on). */
    async savePreference(input: {
      subjectKey: string;
      email: string | null;
      webhookUrl: string | null;
      language: Lang;
      fromIdx: number;
      now: Date;
    }): Promise<NotificationPreference> {
      const result = await db.raw<{ rows: PreferenceRow[] }>(
        `INSERT INTO notification_preference (subject_key, email, webhook_url, language, from_idx, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (subject_key) DO UPDATE
           SET email = EXCLUDED.email, webhook_url = EXCLUDED.webhook_url, language = EXCLUDED.language,
               updated_at = EXCLUDED.updated_at
         RETURNING *`,
        [
          input.subjectKey,
          input.email,
          input.webhookUrl,
          input.language,
          input.fromIdx,
          input.now,
          input.now,
        ],
      );
      return preference(result.rows[0]!);
    },

    async deletePreference(subjectKey: string): Promise<boolean> {
      return (await db('notification_preference').where({ subject_key: subjectKey }).delete()) > 0;
    },

    async recentEvents(subjectKey: string, limit: number): Promise<NotificationEvent[]> {
      const rows = (await db('notification_event')
        .where({ subject_key: subjectKey })
        .orderBy('id', 'desc')
        .limit(limit)) as EventRow[];
      return rows.map(event);
    },

    /** The log size now (the next index the sequencer will assign). */
    async logSize(): Promise<number> {
      const row = (await db('tree_head').max({ size: 'size' }).first()) as { size: string | number | null };
      return Number(row?.size ?? 0);
    },

    /** Organisations and record types among the citizen's visible entries (filter choices). */
    async historyFacets(
      subjectKey: string,
      visibleAt: Date,
    ): Promise<{ organisations: string[]; recordTypes: string[] }> {
      const rows = (await db('subject_index as si')
        .join('log_leaf as l', 'l.idx', 'si.idx')
        .join('audit_entry as e', (on) =>
          on.on('e.entry_id', 'l.entry_id').andOn('e.created_at', 'l.entry_created_at'),
        )
        .where('si.subject_key', subjectKey)
        .andWhere((w) => w.whereNull('e.embargo_until').orWhere('e.embargo_until', '<=', visibleAt))
        .distinct('e.requester_org', 'e.record_type')) as { requester_org: string; record_type: string }[];
      return {
        organisations: [...new Set(rows.map((r) => r.requester_org))].sort(),
        recordTypes: [...new Set(rows.map((r) => r.record_type))].sort(),
      };
    },

    // ---- the notifier's scan ---------------------------------------------------------------------------

    /**
     * Whether any entry was sequenced past the cursor: one statement, no transaction or lock, so an
     * idle look costs one round trip instead of four (BEGIN, lock, scan, COMMIT). The highest index
     * is one probe at the end of subject_index's unique index; `EXISTS (… WHERE idx > cursor)` was
     * planned as a sequential scan and read the whole log (1 s at 10 M entries) to find nothing.
     */
    async anythingAfterCursor(): Promise<boolean> {
      const result = await db.raw<{ rows: { due: boolean | null }[] }>(ANYTHING_AFTER_CURSOR);
      return result.rows[0]?.due === true;
    },

    /** Locks the cursor row, or returns undefined when another process holds it. */
    async lockCursor(trx: Knex.Transaction): Promise<number | undefined> {
      const result = await trx.raw<{ rows: { last_idx: string | number }[] }>(
        'SELECT last_idx FROM notification_cursor WHERE id FOR UPDATE SKIP LOCKED',
      );
      const row = result.rows[0];
      return row ? Number(row.last_idx) : undefined;
    },

    async setCursor(trx: Knex.Transaction, lastIdx: number): Promise<void> {
      await trx('notification_cursor').where({ id: true }).update({ last_idx: lastIdx });
    },

    /**
     * The highest log index among the next `limit` sequenced entries after `after` (all citizens), and
     * among them the entries of citizens with a preference, from the index they switched on at.
     */
    async scanAfter(
      trx: Knex.Transaction,
      after: number,
      limit: number,
    ): Promise<{ highest: number | null; entries: SubscribedEntry[] }> {
      const top = await trx.raw<{ rows: { highest: string | number | null }[] }>(
        `SELECT max(idx) AS highest FROM (
           SELECT idx FROM subject_index WHERE idx > ? ORDER BY idx LIMIT ?) AS next`,
        [after, limit],
      );
      const highest = top.rows[0]?.highest;
      if (highest === null || highest === undefined) return { highest: null, entries: [] };
      const rows = await trx.raw<{
        rows: {
          subject_key: string;
          subject_seq: number;
          idx: string | number;
          body: string;
          embargo_until: Date | null;
          email: string | null;
          webhook_url: string | null;
          language: Lang;
        }[];
      }>(
        `SELECT si.subject_key, si.subject_seq, si.idx, e.body, e.embargo_until, p.email, p.webhook_url, p.language
         FROM subject_index si
         JOIN notification_preference p ON p.subject_key = si.subject_key AND si.idx >= p.from_idx
         JOIN log_leaf l ON l.idx = si.idx
         JOIN audit_entry e ON e.entry_id = l.entry_id AND e.created_at = l.entry_created_at
         WHERE si.idx > ? AND si.idx <= ?
         ORDER BY si.idx`,
        [after, Number(highest)],
      );
      return {
        highest: Number(highest),
        entries: rows.rows.map((r) => ({
          subjectKey: r.subject_key,
          subjectSeq: r.subject_seq,
          idx: Number(r.idx),
          body: r.body,
          embargoUntil: r.embargo_until,
          email: r.email,
          webhookUrl: r.webhook_url,
          language: r.language,
        })),
      };
    },

    async enqueue(
      trx: Knex.Transaction,
      rows: {
        subjectKey: string;
        logIdx: number;
        channel: NotificationChannel;
        target: string;
        language: Lang;
        payload: AccessNotificationPayload;
        nextAttemptAt: Date;
        now: Date;
      }[],
    ): Promise<number> {
      if (!rows.length) return 0;
      const inserted = (await trx('notification_event')
        .insert(
          rows.map((r) => ({
            subject_key: r.subjectKey,
            log_idx: r.logIdx,
            channel: r.channel,
            target: r.target,
            language: r.language,
            payload: JSON.stringify(r.payload),
            next_attempt_at: r.nextAttemptAt,
            created_at: r.now,
          })),
        )
        .onConflict(['subject_key', 'log_idx', 'channel'])
        .ignore()
        .returning('id')) as unknown[];
      return inserted.length;
    },
  };
}

export type PortalRepo = ReturnType<typeof createPortalRepo>;
