/**
 * Development only: a local mail relay (smtp-server) that keeps what it receives in memory and shows it
 * on a small web page, so a newcomer running `npm start` sees access notices arrive without a real mail
 * server. Nothing leaves the machine. Tests use it too, as the real SMTP server notices are sent to, and
 * make it refuse (4xx or 5xx at RCPT TO or DATA) to exercise retries and dead letters.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { html, type SafeHtml } from '../web/html.js';

export interface ReceivedMail {
  id: number;
  receivedAt: Date;
  envelopeFrom: string;
  envelopeTo: string[];
  messageId: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  contentLanguage: string;
}

/** An SMTP refusal the sink answers with, at RCPT TO or after DATA, until cleared. */
export interface Refusal {
  at: 'rcpt' | 'data';
  code: number;
  message: string;
}

export interface MailSink {
  smtpUrl: string;
  webUrl: string;
  messages: ReceivedMail[];
  /** How many messages reached DATA (refused ones included). */
  attempts(): number;
  refuse(refusal: Refusal | undefined): void;
  stop(): Promise<void>;
}

const KEEP = 200;

function smtpError(refusal: Refusal): Error {
  return Object.assign(new Error(refusal.message), { responseCode: refusal.code });
}

export async function startMailSink(options: { host?: string; smtpPort?: number; webPort?: number } = {}) {
  const host = options.host ?? '127.0.0.1';
  const messages: ReceivedMail[] = [];
  let refusal: Refusal | undefined;
  let attempts = 0;
  let nextId = 1;
  const smtp = new SMTPServer({
    // A local sink: plain SMTP on loopback, no sign-in; the relay's TLS is the real relay's business.
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    banner: 'joint-use-center dev mail sink',
    onRcptTo(_address, _session, callback) {
      if (refusal?.at === 'rcpt') return callback(smtpError(refusal));
      callback();
    },
    onData(stream, session, callback) {
      attempts++;
      simpleParser(stream)
        .then((parsed) => {
          if (refusal?.at === 'data') return callback(smtpError(refusal));
          const address = (a: typeof parsed.from | typeof parsed.to): string =>
            (Array.isArray(a) ? a : a ? [a] : []).map((x) => x.text).join(', ');
          messages.unshift({
            id: nextId++,
            receivedAt: new Date(),
            envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
            messageId: parsed.messageId ?? '',
            from: address(parsed.from),
            to: address(parsed.to),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            contentLanguage: String(parsed.headers.get('content-language') ?? ''),
          });
          messages.length = Math.min(messages.length, KEEP);
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  await new Promise<void>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(options.smtpPort ?? 0, host, () => resolve());
  });
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  const web: Server = createServer((req, res) => {
    if (req.url === '/messages.json') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(messages));
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    });
    res.end(String(page(messages)));
  });
  await new Promise<void>((resolve) => web.listen(options.webPort ?? 0, host, resolve));
  const webPort = (web.address() as AddressInfo).port;

  const sink: MailSink = {
    smtpUrl: `smtp://${host}:${smtpPort}`,
    webUrl: `http://${host}:${webPort}/`,
    messages,
    attempts: () => attempts,
    refuse(value) {
      refusal = value;
    },
    async stop() {
      web.closeAllConnections();
      await Promise.all([
        new Promise<void>((resolve) => web.close(() => resolve())),
        new Promise<void>((resolve) => smtp.close(() => resolve())),
      ]);
    },
  };
  return sink;
}

function page(messages: ReceivedMail[]): SafeHtml {
  return html`<!doctype html>
    <html lang="ko">
      <head>
        <meta charset="utf-8" />
        <title>개발용 메일함 · Dev mail sink</title>
        <style>
          body {
            font-family: system-ui, sans-serif;
            margin: 2rem;
            max-width: 60rem;
          }
          article {
            border-top: 1px solid #ccc;
            padding: 1rem 0;
          }
          pre {
            white-space: pre-wrap;
          }
        </style>
      </head>
      <body>
        <h1>개발용 메일함 · Dev mail sink</h1>
        <p>
          이 개발 서버가 보낸 메일(외부로 나가지 않음) · Mail this development server sent (nothing left the
          machine). ${messages.length} message(s); reload to see new ones.
        </p>
        ${messages.map(
          (m) =>
            html`<article lang="${m.contentLanguage || 'ko'}">
              <h2>${m.subject}</h2>
              <p>
                <strong>To</strong> ${m.to} · <strong>From</strong> ${m.from} ·
                <time datetime="${m.receivedAt.toISOString()}">${m.receivedAt.toISOString()}</time>
              </p>
              <pre>${m.text}</pre>
            </article>`,
        )}
      </body>
    </html>`;
}
