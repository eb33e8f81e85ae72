/**
 * Access notifications. A background task (the notifier) follows the log: it scans newly sequenced
 * entries by log index (a cursor row, not the query path, so appends stay as cheap as before), and for
 * citizens with a preference writes one outbox row per channel. Delivery goes through pluggable adapters
 * (server/notices/sinks.ts): e-mail through the mail relay, a signed webhook through the SSRF guard, or a
 * log line. Entries under embargo are held until the embargo ends.
 *
 * Delivery claims due rows in one statement (FOR UPDATE SKIP LOCKED, then a lease: server/notices/
 * delivery.repo.ts), so two gateways never send the same notice, and sends with no transaction open. A
 * failure is retried with exponential backoff and jitter (attempt count and next time on the row, shown
 * to the citizen); after `maxAttempts`, or at once when retrying cannot help (a relay's 5xx to the
 * recipient, a webhook to a private address), the row becomes a dead letter: status `dead` with its last
 * error, an error log line and the `notification_dead_letters` gauge for operators.
 */
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { AuditEntryBody } from '../audit/audit.types.js';
import { backoffMs } from '../consents/webhooks.js';
import type { ClaimedNotification, DeliveryRepo } from '../notices/delivery.repo.js';
import { PermanentMailError } from '../notices/mailer.js';
import { OutboundRefusedError } from '../notices/outbound.js';
import type { NotificationSink } from '../notices/sinks.js';
import type {
  AccessNotificationPayload,
  NotificationChannel,
  PortalRepo,
  SubscribedEntry,
} from './portal.repo.js';

export {
  ACCESS_EVENT_URI,
  NOTIFICATION_TOKEN_TYPE,
  emailSink,
  logSink,
  renderAccessMail,
  signAccessNotification,
  webhookSink,
  type DescribeAccess,
  type NotificationSink,
} from '../notices/sinks.js';

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

export interface NotifierOptions {
  repo: PortalRepo;
  delivery: DeliveryRepo;
  sinks: NotificationSink[];
  logger: Logger;
  /** Where the delivery counter and the dead-letter gauge are registered (the /metrics registry). */
  registry?: Registry;
  now?: () => Date;
  /** How long a claimed row is ours: longer than any one delivery's timeouts together. */
  leaseMs?: number;
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
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  const metrics = options.registry ? notifierMetrics(options.registry, options.delivery) : undefined;
  const sinks = new Map(options.sinks.map((s) => [s.channel, s]));
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;

  /** One batch; undefined when another process holds the cursor or nothing new was sequenced. */
  async function scanBatchOnce(): Promise<{ enqueued: number; more: boolean } | undefined> {
    // Look before locking: most looks find nothing new. The locked scan below decides again.
    if (!(await repo.anythingAfterCursor())) return undefined;
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

  /** Sends one claimed row and settles it: delivered, retried later, or a dead letter. */
  async function deliver(event: ClaimedNotification): Promise<void> {
    const sink = sinks.get(event.channel);
    try {
      if (!sink) throw new Error(`no adapter for ${event.channel}`);
      const sent = await sink.deliver(event);
      await options.delivery.settle(event, {
        status: 'delivered',
        at: now(),
        messageId: (sent && sent.messageId) ?? null,
      });
      metrics?.deliveries.inc({ channel: event.channel, outcome: 'delivered' });
    } catch (err) {
      const error = (err as Error).message || String(err);
      const permanent = err instanceof PermanentMailError || err instanceof OutboundRefusedError;
      const log = { notificationId: event.id, channel: event.channel, attempts: event.attempts, error };
      if (permanent || event.attempts >= maxAttempts) {
        // The operators' signal: nothing more will be tried for this notice.
        logger.error({ ...log, permanent }, 'access notification dead letter');
        await options.delivery.settle(event, { status: 'dead', error, at: now() });
        metrics?.deliveries.inc({ channel: event.channel, outcome: 'dead' });
        return;
      }
      logger.warn(log, 'access notification not delivered, will retry');
      await options.delivery.settle(event, {
        status: 'pending',
        error,
        nextAttemptAt: new Date(now().getTime() + backoffMs(event.attempts, base, max)),
      });
      metrics?.deliveries.inc({ channel: event.channel, outcome: 'retry' });
    }
  }

  async function deliverOnce(): Promise<number> {
    const at = now();
    const due = await options.delivery.claim(at, new Date(at.getTime() + leaseMs), deliverBatch);
    await Promise.all(due.map(deliver));
    return due.length;
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

function notifierMetrics(registry: Registry, delivery: DeliveryRepo) {
  const deliveries = new Counter({
    name: 'notification_deliveries_total',
    help: 'Access notice delivery attempts by channel and outcome (delivered, retry, dead), in this process',
    labelNames: ['channel', 'outcome'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'notification_dead_letters',
    help: 'Access notices given up on (status dead, all gateways), by channel',
    labelNames: ['channel'] as const,
    registers: [registry],
    async collect() {
      const counts = await delivery.deadLetters();
      for (const channel of Object.keys(counts) as NotificationChannel[])
        this.set({ channel }, counts[channel]);
    },
  });
  return { deliveries };
}
