/**
 * Access notifications. A background task (the notifier) follows the log: it scans newly sequenced
 * entries by log index (a cursor row, not the query path, so appends stay as cheap as before), and for
 * citizens with a preference writes one outbox row per channel. Delivery goes through pluggable
 * adapters (NotificationSink): the e-mail adapter renders the message into `notification_mail_outbox`
 * (there is no SMTP relay in this project: a relay would send those rows), the webhook adapter POSTs a
 * signed Security Event Token (RFC 8417 JWS, `application/secevent+jwt`), and a log adapter only logs
 * (for development). Entries under embargo are held until the embargo ends. Failed deliveries are retried
 * with exponential backoff and jitter, then marked failed.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { AuditEntryBody } from '../audit/audit.types.js';
import { backoffMs } from '../consents/webhooks.js';
import { signJwt } from '../keys/jws.js';
import type { KeyStore } from '../keys/key-store.js';
import { formatDateTime, t, type Lang } from '../web/i18n.js';
import type {
  AccessNotificationPayload,
  NotificationChannel,
  NotificationEvent,
  PortalRepo,
  SubscribedEntry,
} from './portal.repo.js';
import './portal.messages.js';

export const ACCESS_EVENT_URI = 'urn:joint-use-center:event:record-access';
export const NOTIFICATION_TOKEN_TYPE = 'secevent+jwt';

/** One delivery channel. Throws when the notification was not delivered (it is retried). */
export interface NotificationSink {
  readonly channel: NotificationChannel;
  deliver(event: NotificationEvent, trx: Knex.Transaction): Promise<void>;
}

/** Display names for a notification, in its language (organisation, record type, purpose). */
export type DescribeAccess = (
  payload: AccessNotificationPayload,
  lang: Lang,
) => Promise<{ organisation: string; recordType: string; purpose: string }>;

export function payloadOf(entry: SubscribedEntry): AccessNotificationPayload {
  const body = JSON.parse(entry.body) as AuditEntryBody;
  return {
    type: 'access',
    logIndex: entry.idx,
    subjectSeq: entry.subjectSeq,
    at: body.createdAt,
    organisation: body.requester.org,
    clerkRef: body.requester.clerkRef ?? null,
    purpose: body.purpose,
    recordType: body.recordType,
    outcome: body.outcome,
    reasonCode: body.reasonCode ?? null,
    fields: body.fields.map((f) => f.name),
    embargoUntil: entry.embargoUntil ? entry.embargoUntil.toISOString() : null,
  };
}

/** The e-mail text (plain), in the citizen's language. */
export async function renderAccessMail(
  event: NotificationEvent,
  describe: DescribeAccess,
  portalUrl: string,
): Promise<{ subject: string; body: string }> {
  const lang = event.language;
  const p = event.payload;
  const names = await describe(p, lang);
  const subject = t(lang, p.outcome === 'denied' ? 'notify.mail.subjectDenied' : 'notify.mail.subject', {
    record: names.recordType,
  });
  const body = t(lang, 'notify.mail.body', {
    org: names.organisation,
    record: names.recordType,
    time: formatDateTime(lang, new Date(p.at)),
    purpose: names.purpose,
    outcome: t(lang, `history.outcome.${p.outcome}`),
    url: `${portalUrl}/portal/history#entry-${p.logIndex}`,
    settings: `${portalUrl}/portal/notifications`,
  });
  return { subject, body };
}

/** E-mail adapter: writes the rendered message to the mail outbox (in the delivery transaction). */
export function emailOutboxSink(options: {
  repo: Pick<PortalRepo, 'insertMail'>;
  describe: DescribeAccess;
  portalUrl: string;
}): NotificationSink {
  return {
    channel: 'email',
    async deliver(event, trx) {
      const mail = await renderAccessMail(event, options.describe, options.portalUrl);
      await options.repo.insertMail(trx, {
        eventId: event.id,
        to: event.target,
        subject: mail.subject,
        body: mail.body,
        language: event.language,
      });
    },
  };
}

export async function signAccessNotification(
  keys: KeyStore,
  input: { issuer: string; audience: string; eventId: number; payload: AccessNotificationPayload; now: Date },
): Promise<string> {
  const key = keys.current('response-signature');
  return signJwt(
    key,
    { typ: NOTIFICATION_TOKEN_TYPE },
    {
      toe: Math.floor(Date.parse(input.payload.at) / 1000),
      events: { [ACCESS_EVENT_URI]: input.payload },
      iss: input.issuer,
      aud: input.audience,
      iat: Math.floor(input.now.getTime() / 1000),
      // Stable across retries, so a receiver can drop duplicates.
      jti: `access-notification-${input.eventId}`,
    },
  );
}

/** Webhook adapter: POSTs a signed SET; any 2xx is delivery. Redirects are not followed. */
export function webhookSink(options: {
  keys: KeyStore;
  issuer: string;
  now?: () => Date;
  fetch?: typeof fetch;
  timeoutMs?: number;
}): NotificationSink {
  const send = options.fetch ?? fetch;
  const now = options.now ?? (() => new Date());
  return {
    channel: 'webhook',
    async deliver(event) {
      const jws = await signAccessNotification(options.keys, {
        issuer: options.issuer,
        audience: event.target,
        eventId: event.id,
        payload: event.payload,
        now: now(),
      });
      const response = await send(event.target, {
        method: 'POST',
        headers: {
          'content-type': 'application/secevent+jwt',
          accept: 'application/json',
          'x-request-id': randomUUID(),
        },
        body: jws,
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      });
      await response.body?.cancel();
      if (response.status < 200 || response.status > 299) throw new Error(`HTTP ${response.status}`);
    },
  };
}

/** Log adapter: records that a notification would be sent (development; no personal data logged). */
export function logSink(logger: Logger, channel: NotificationChannel): NotificationSink {
  return {
    channel,
    async deliver(event) {
      logger.info(
        { notificationId: event.id, channel, logIndex: event.logIdx, outcome: event.payload.outcome },
        'access notification',
      );
    },
  };
}

export interface NotifierOptions {
  repo: PortalRepo;
  sinks: NotificationSink[];
  logger: Logger;
  now?: () => Date;
  intervalMs?: number;
  scanBatch?: number;
  deliverBatch?: number;
  maxAttempts?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface Notifier {
  name: string;
  start(): void;
  stop(): Promise<void>;
  /** Turns newly sequenced entries into outbox rows; returns how many rows were written. */
  scanOnce(): Promise<number>;
  /** Delivers due notifications once; returns how many were attempted. */
  deliverOnce(): Promise<number>;
  /** Scans until caught up, then delivers what is due. For tests and the loop. */
  runOnce(): Promise<{ enqueued: number; attempted: number }>;
}

export function createNotifier(options: NotifierOptions): Notifier {
  const { repo, logger } = options;
  const now = options.now ?? (() => new Date());
  const intervalMs = options.intervalMs ?? 1_000;
  const scanBatch = options.scanBatch ?? 1_000;
  const deliverBatch = options.deliverBatch ?? 20;
  const maxAttempts = options.maxAttempts ?? 8;
  const base = options.baseBackoffMs ?? 5_000;
  const max = options.maxBackoffMs ?? 30 * 60_000;
  const sinks = new Map(options.sinks.map((s) => [s.channel, s]));
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;

  /** One batch; undefined when another process holds the cursor or nothing new was sequenced. */
  async function scanBatchOnce(): Promise<{ enqueued: number; more: boolean } | undefined> {
    return repo.transaction(async (trx) => {
      const cursor = await repo.lockCursor(trx);
      if (cursor === undefined) return undefined;
      const { highest, entries } = await repo.scanAfter(trx, cursor, scanBatch);
      if (highest === null) return undefined;
      const at = now();
      const rows = entries.flatMap((entry) => {
        const payload = payloadOf(entry);
        const due = entry.embargoUntil && entry.embargoUntil > at ? entry.embargoUntil : at;
        const targets: [NotificationChannel, string | null][] = [
          ['email', entry.email],
          ['webhook', entry.webhookUrl],
        ];
        return targets
          .filter((pair): pair is [NotificationChannel, string] => pair[1] !== null)
          .map(([channel, target]) => ({
            subjectKey: entry.subjectKey,
            logIdx: entry.idx,
            channel,
            target,
            language: entry.language,
            payload,
            nextAttemptAt: due,
            now: at,
          }));
      });
      const enqueued = await repo.enqueue(trx, rows);
      await repo.setCursor(trx, highest);
      return { enqueued, more: highest - cursor >= scanBatch };
    });
  }

  async function scanOnce(): Promise<number> {
    let total = 0;
    for (let round = 0; round < 100; round++) {
      const result = await scanBatchOnce();
      if (!result) break;
      total += result.enqueued;
      if (!result.more) break;
    }
    return total;
  }

  async function deliverOnce(): Promise<number> {
    return repo.transaction(async (trx) => {
      const due = await repo.claimDue(trx, now(), deliverBatch);
      for (const event of due) {
        const sink = sinks.get(event.channel);
        try {
          if (!sink) throw new Error(`no adapter for ${event.channel}`);
          // A savepoint per delivery: one adapter's failed write does not undo the others.
          await trx.transaction(async (inner) => sink.deliver(event, inner));
          await repo.markEvent(trx, event.id, { status: 'delivered', at: now() });
        } catch (err) {
          const attempts = event.attempts + 1;
          const failed = attempts >= maxAttempts;
          const error = (err as Error).message || String(err);
          logger.warn(
            { notificationId: event.id, channel: event.channel, attempts, error, failed },
            'access notification not delivered',
          );
          await repo.markEvent(trx, event.id, {
            status: failed ? 'failed' : 'pending',
            error,
            nextAttemptAt: new Date(now().getTime() + backoffMs(attempts, base, max)),
          });
        }
      }
      return due.length;
    });
  }

  async function runOnce() {
    const enqueued = await scanOnce();
    const attempted = await deliverOnce();
    return { enqueued, attempted };
  }

  const loop = () => {
    if (stopped) return;
    running = runOnce()
      .catch((err: unknown) => logger.error({ err }, 'access notifier failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, intervalMs);
      });
  };

  return {
    name: 'access-notifications',
    scanOnce,
    deliverOnce,
    runOnce,
    start() {
      if (!stopped) return;
      stopped = false;
      timer = setTimeout(loop, 0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
