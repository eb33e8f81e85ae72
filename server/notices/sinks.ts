/**
 * Delivery adapters of access notifications (one per channel). Each sends one outbox row and throws when
 * it was not delivered; a PermanentMailError or OutboundRefusedError means retrying cannot help.
 * - e-mail: the message rendered in the citizen's language, to their own address only, through the relay;
 * - webhook: a signed Security Event Token (RFC 8417 JWS, `application/secevent+jwt`) POSTed to the
 *   citizen's URL through the SSRF guard (outbound.ts); no e-mail address or national ID in it;
 * - log: a line per notification (development, and the channel nobody configured).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { signJwt } from '../keys/jws.js';
import type { KeyStore } from '../keys/key-store.js';
import type {
  AccessNotificationPayload,
  NotificationChannel,
  NotificationEvent,
} from '../portal/portal.repo.js';
import { formatDateTime, t, type Lang } from '../web/i18n.js';
import type { Mailer } from './mailer.js';
import type { OutboundPost } from './outbound.js';
import '../portal/portal.messages.js';

export const ACCESS_EVENT_URI = 'urn:joint-use-center:event:record-access';
export const NOTIFICATION_TOKEN_TYPE = 'secevent+jwt';

/** One delivery channel. Throws when the notification was not delivered. */
export interface NotificationSink {
  readonly channel: NotificationChannel;
  deliver(event: NotificationEvent): Promise<{ messageId?: string } | void>;
}

/** Display names for a notification, in its language (organisation, record type, purpose). */
export type DescribeAccess = (
  payload: AccessNotificationPayload,
  lang: Lang,
) => Promise<{ organisation: string; recordType: string; purpose: string }>;

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

/** Stable per outbox row: a retried notice is the same message to the relay and the mail client. */
export function noticeMessageId(eventId: number, portalUrl: string): string {
  return `<access-notice-${eventId}@${new URL(portalUrl).hostname}>`;
}

export function emailSink(options: {
  mailer: Mailer;
  describe: DescribeAccess;
  portalUrl: string;
}): NotificationSink {
  return {
    channel: 'email',
    async deliver(event) {
      const mail = await renderAccessMail(event, options.describe, options.portalUrl);
      return options.mailer.send({
        to: event.target,
        subject: mail.subject,
        text: mail.body,
        language: event.language,
        messageId: noticeMessageId(event.id, options.portalUrl),
      });
    },
  };
}

/** E-mail notices switched off (EMAIL_NOTICES=false) or no relay: nothing is pretended sent. */
export function unavailableSink(channel: NotificationChannel, reason: string): NotificationSink {
  return {
    channel,
    async deliver() {
      throw new Error(reason);
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

/** Webhook adapter: POSTs a signed SET through the SSRF guard; any 2xx is delivery. */
export function webhookSink(options: {
  keys: KeyStore;
  issuer: string;
  post: OutboundPost;
  now?: () => Date;
  timeoutMs?: number;
}): NotificationSink {
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
      const { status } = await options.post(event.target, {
        headers: {
          'content-type': 'application/secevent+jwt',
          accept: 'application/json',
          'x-request-id': randomUUID(),
        },
        body: jws,
        timeoutMs: options.timeoutMs ?? 5_000,
      });
      if (status < 200 || status > 299) throw new Error(`HTTP ${status}`);
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
