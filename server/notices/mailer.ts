/**
 * E-mail through the operator's mail relay (nodemailer, SMTP). One message per notice, to one address:
 * the citizen's own, from their preference; no copies. The Message-ID is derived from the outbox row, so
 * a retried notice carries the same one and a relay's log can be matched to the row.
 */
import nodemailer from 'nodemailer';
import type { SmtpSettings } from '../config.js';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  language: string;
  messageId: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  close(): void;
}

/** The relay refused this message for good (5xx to its recipient or content): retrying cannot help. */
export class PermanentMailError extends Error {
  override readonly name = 'PermanentMailError';
}

interface SmtpFailure extends Error {
  responseCode?: number;
  command?: string;
  response?: string;
}

/**
 * 4xx and connection failures are transient (RFC 5321 §4.2.1): retried. A 5xx to RCPT TO or DATA
 * refuses this recipient or message for good. A 5xx elsewhere (authentication, MAIL FROM) is the
 * relay's set-up, which an operator fixes: retried, so the notices wait rather than die.
 */
export function isPermanent(err: unknown): boolean {
  const e = err as SmtpFailure;
  return (
    typeof e?.responseCode === 'number' &&
    e.responseCode >= 500 &&
    (e.command === 'RCPT TO' || e.command === 'DATA')
  );
}

export function createSmtpMailer(options: {
  smtp: SmtpSettings;
  from: string;
  /** Tests shorten these; a lease of the outbox row outlasts their sum. */
  timeouts?: { connectionMs?: number; greetingMs?: number; socketMs?: number };
}): Mailer {
  const timeouts = {
    connectionTimeout: options.timeouts?.connectionMs ?? 10_000,
    greetingTimeout: options.timeouts?.greetingMs ?? 10_000,
    socketTimeout: options.timeouts?.socketMs ?? 30_000,
  };
  const smtp = options.smtp;
  const transport =
    'url' in smtp
      ? // The URL's own settings (host, port, TLS, auth) win over the options beside it.
        nodemailer.createTransport({ url: smtp.url, ...timeouts })
      : nodemailer.createTransport({
          host: smtp.host,
          port: smtp.port,
          secure: smtp.secure,
          ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
          ...timeouts,
        });
  return {
    async send(mail) {
      try {
        const info = await transport.sendMail({
          from: options.from,
          to: mail.to,
          // Only the citizen's address in the envelope, whatever the headers say.
          envelope: { from: addressOf(options.from), to: [mail.to] },
          subject: mail.subject,
          text: mail.text,
          messageId: mail.messageId,
          headers: {
            'Content-Language': mail.language,
            // RFC 3834: an automatic message; auto-responders should not answer it.
            'Auto-Submitted': 'auto-generated',
          },
        });
        return { messageId: info.messageId };
      } catch (err) {
        const e = err as SmtpFailure;
        const detail = e.responseCode ? `SMTP ${e.responseCode} ${e.response ?? e.message}` : e.message;
        if (isPermanent(err)) throw new PermanentMailError(detail);
        throw new Error(detail);
      }
    },
    close: () => transport.close(),
  };
}

/** The bare address of a "Name <address>" sender. */
function addressOf(from: string): string {
  const match = /<([^<>]+)>\s*$/.exec(from);
  return match ? match[1]! : from.trim();
}
