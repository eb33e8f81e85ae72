/**
 * Signed webhooks to requesters. Every consent change writes an outbox row in its own transaction; this
 * background task sends due rows as Security Event Tokens (RFC 8417, pushed as in RFC 8935): a compact JWS
 * with `typ: secevent+jwt`, signed with our response-signature key (verifiable at /.well-known/jwks.json),
 * POSTed as `application/secevent+jwt`. Any 2xx is delivery; anything else is retried with exponential
 * backoff and jitter until `maxAttempts`, then the row is marked failed (the requester can still poll).
 * The URL is the requester's choice, so it is called through the SSRF guard (notices/outbound.ts): only
 * public addresses, the connection pinned to the address that was checked.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { signJwt } from '../keys/jws.js';
import type { KeyStore } from '../keys/key-store.js';
import { fetchPost, guardedPost, type OutboundPost } from '../notices/outbound.js';
import type { ConsentsRepo, Delivery } from './consents.repo.js';
import type { ConsentEvent, ConsentRecord } from './consents.types.js';

export const WEBHOOK_TOKEN_TYPE = 'secevent+jwt';
export const CONSENT_EVENT_URI = 'urn:joint-use-center:event:consent-status';

/** The event as enqueued (and later signed): no personal data beyond the consent's own identifiers. */
export function webhookEvent(record: ConsentRecord, event: ConsentEvent | Omit<ConsentEvent, 'id'>) {
  return {
    cid: record.id,
    cver: record.version,
    status: record.status,
    event: event.type,
    reason: event.reason,
    at: event.at.toISOString(),
    purpose: record.purposeCode,
    valid_until: record.validUntil ? record.validUntil.toISOString() : null,
  };
}

export async function signWebhook(
  keys: KeyStore,
  input: { issuer: string; audience: string; eventId: number; payload: Record<string, unknown>; now: Date },
): Promise<string> {
  const key = keys.current('response-signature');
  return signJwt(
    key,
    { typ: WEBHOOK_TOKEN_TYPE },
    {
      toe: Math.floor(Date.parse(String(input.payload.at)) / 1000),
      events: { [CONSENT_EVENT_URI]: input.payload },
      iss: input.issuer,
      aud: input.audience,
      iat: Math.floor(input.now.getTime() / 1000),
      // Stable across retries, so a receiver can drop duplicates.
      jti: `consent-event-${input.eventId}`,
    },
  );
}

export interface OutboxOptions {
  repo: Pick<ConsentsRepo, 'transaction' | 'anyDueDelivery' | 'claimDueDeliveries' | 'markDelivery'>;
  keys: KeyStore;
  issuer: string;
  logger: Logger;
  now?: () => Date;
  /** The guarded sender; default: public addresses only. */
  post?: OutboundPost;
  /** Tests that fake the network: replaces `post` (no address check). */
  fetch?: typeof fetch;
  intervalMs?: number;
  batchSize?: number;
  maxAttempts?: number;
  /** First retry delay; doubles per attempt up to maxBackoffMs, with ±20 % jitter. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  timeoutMs?: number;
}

export interface WebhookOutbox {
  name: string;
  start(): void;
  stop(): Promise<void>;
  /** Sends every due delivery once; returns how many were attempted. For tests and the loop. */
  drainOnce(): Promise<number>;
}

export function backoffMs(attempt: number, base: number, max: number, random = Math.random): number {
  const raw = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.8 + 0.4 * random()));
}

export function createWebhookOutbox(options: OutboxOptions): WebhookOutbox {
  const now = options.now ?? (() => new Date());
  const send: OutboundPost =
    options.post ?? (options.fetch ? fetchPost(options.fetch) : guardedPost({ allowPrivate: false }));
  const intervalMs = options.intervalMs ?? 500;
  const batchSize = options.batchSize ?? 20;
  const maxAttempts = options.maxAttempts ?? 10;
  const base = options.baseBackoffMs ?? 2_000;
  const max = options.maxBackoffMs ?? 10 * 60_000;
  const timeoutMs = options.timeoutMs ?? 5_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;

  async function attempt(
    d: Delivery,
  ): Promise<{ ok: true; status: number } | { ok: false; status: number | null; error: string }> {
    try {
      const jws = await signWebhook(options.keys, {
        issuer: options.issuer,
        audience: d.audience,
        eventId: d.eventId,
        payload: d.payload,
        now: now(),
      });
      const response = await send(d.url, {
        headers: {
          'content-type': 'application/secevent+jwt',
          accept: 'application/json',
          'x-request-id': randomUUID(),
        },
        body: jws,
        timeoutMs,
      });
      if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
      return { ok: false, status: response.status, error: `HTTP ${response.status}` };
    } catch (err) {
      return { ok: false, status: null, error: (err as Error).message || String(err) };
    }
  }

  async function drainOnce(): Promise<number> {
    // Most looks find nothing: one statement, not a transaction around an empty claim.
    if (!(await options.repo.anyDueDelivery(now()))) return 0;
    // Claim and send inside one transaction: the row lock keeps other instances off it meanwhile.
    return options.repo.transaction(async (trx) => {
      const due = await options.repo.claimDueDeliveries(now(), batchSize, trx);
      await Promise.all(
        due.map(async (d) => {
          const result = await attempt(d);
          if (result.ok) {
            await options.repo.markDelivery(
              d.id,
              { status: 'delivered', httpStatus: result.status, at: now() },
              trx,
            );
            return;
          }
          const attempts = d.attempts + 1;
          const failed = attempts >= maxAttempts;
          options.logger.warn(
            { deliveryId: d.id, consentId: d.consentId, attempts, error: result.error, failed },
            'consent webhook not delivered',
          );
          await options.repo.markDelivery(
            d.id,
            {
              status: failed ? 'failed' : 'pending',
              error: result.error,
              httpStatus: result.status,
              nextAttemptAt: new Date(now().getTime() + backoffMs(attempts, base, max)),
            },
            trx,
          );
        }),
      );
      return due.length;
    });
  }

  const loop = () => {
    if (stopped) return;
    running = drainOnce()
      .catch((err: unknown) => options.logger.error({ err }, 'consent webhook outbox failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, intervalMs);
      });
  };

  return {
    name: 'consent-webhooks',
    drainOnce,
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
