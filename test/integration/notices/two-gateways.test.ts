// Two gateways share one outbox: each notice is claimed by one of them only (FOR UPDATE SKIP LOCKED and a
// lease), so the real SMTP server receives every notice exactly once; a gateway that overran its lease
// cannot overwrite the outcome of the one that took the row over; and a webhook whose host name resolves
// to 127.0.0.1 is refused by the SSRF guard at delivery and becomes a dead letter.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import knexFactory, { type Knex } from 'knex';
import { startMailSink, type MailSink } from '../../../server/dev/mail-sink.js';
import { createLogger } from '../../../server/http/logger.js';
import { createDeliveryRepo } from '../../../server/notices/delivery.repo.js';
import { createSmtpMailer, type Mailer } from '../../../server/notices/mailer.js';
import { guardedPost } from '../../../server/notices/outbound.js';
import { emailSink, webhookSink, type DescribeAccess } from '../../../server/notices/sinks.js';
import { createNotifier } from '../../../server/portal/notifications.js';
import { createPortalRepo } from '../../../server/portal/portal.repo.js';
import { LogCapture, buildTestApp, type TestApp } from '../../support/app.js';

const describeAccess: DescribeAccess = async () => ({
  organisation: '한빛은행',
  recordType: '주민등록표 등본',
  purpose: '주택담보대출 심사',
});

function payload(logIndex: number) {
  return {
    type: 'access',
    logIndex,
    subjectSeq: 1,
    at: '2026-12-07T09:00:00.000Z',
    organisation: 'org-bank-hanbit',
    clerkRef: null,
    purpose: 'loan.mortgage-screening',
    recordType: 'resident.registration-abstract',
    outcome: 'released',
    reasonCode: null,
    fields: ['address'],
    embargoUntil: null,
  };
}

async function insertRows(db: Knex, channel: 'email' | 'webhook', targets: string[], firstIdx: number) {
  const rows = targets.map((target, i) => ({
    subject_key: (firstIdx + i).toString(16).padStart(64, '0'),
    log_idx: firstIdx + i,
    channel,
    target,
    language: 'ko',
    payload: JSON.stringify(payload(firstIdx + i)),
    next_attempt_at: new Date(Date.now() - 1000),
  }));
  return (await db('notification_event').insert(rows).returning('id')).map((r: { id: string }) =>
    Number(r.id),
  );
}

describe('notice delivery across two gateways, leases and the SSRF guard', function () {
  this.timeout(60_000);
  let t: TestApp;
  let mail: MailSink;
  const pools: Knex[] = [];
  const mailers: Mailer[] = [];

  before(async () => {
    mail = await startMailSink();
    t = await buildTestApp({ env: { SMTP_URL: mail.smtpUrl } });
  });

  after(async () => {
    for (const m of mailers) m.close();
    for (const p of pools) await p.destroy();
    await mail?.stop();
  });

  /** A second process's view: its own connection pool, mail relay connection and notifier. */
  function gateway(name: string) {
    const db = knexFactory({ client: 'pg', connection: t.database.url, pool: { min: 0, max: 4 } });
    pools.push(db);
    const mailer = createSmtpMailer({ smtp: { url: mail.smtpUrl }, from: 'Test <no-reply@test.example>' });
    mailers.push(mailer);
    const logs = new LogCapture();
    return createNotifier({
      repo: createPortalRepo(db),
      delivery: createDeliveryRepo(db),
      sinks: [emailSink({ mailer, describe: describeAccess, portalUrl: 'https://juc.example' })],
      logger: createLogger('info', logs).child({ gateway: name }),
      deliverBatch: 3,
    });
  }

  it('sends each of 40 notices exactly once while two gateways drain the outbox at the same time', async () => {
    const targets = Array.from({ length: 40 }, (_, i) => `citizen${i}@example.com`);
    const ids = await insertRows(t.database.db, 'email', targets, 10_000);
    const before = mail.messages.length;
    const [a, b] = [gateway('a'), gateway('b')];
    const drain = async (n: ReturnType<typeof gateway>) => {
      let sent = 0;
      for (let k = await n.deliverOnce(); k > 0; k = await n.deliverOnce()) sent += k;
      return sent;
    };
    const [byA, byB] = await Promise.all([drain(a), drain(b)]);
    expect(byA + byB).to.equal(40);

    const received = mail.messages.slice(0, mail.messages.length - before);
    expect(received).to.have.length(40);
    expect(new Set(received.map((m) => m.messageId)).size).to.equal(40);
    expect(received.map((m) => m.envelopeTo.join()).sort()).to.deep.equal([...targets].sort());
    const rows = (await t.database.db('notification_event').whereIn('id', ids)) as {
      status: string;
      attempts: number;
    }[];
    expect(rows.every((r) => r.status === 'delivered' && r.attempts === 1)).to.equal(true);
  });

  it('lets a lapsed lease be taken over, and refuses the late outcome of the gateway that lost it', async () => {
    const [id] = await insertRows(t.database.db, 'email', ['late@example.com'], 20_000);
    const delivery = createDeliveryRepo(t.database.db);
    const start = new Date();
    const first = (await delivery.claim(start, new Date(start.getTime() + 60_000), 100)).find(
      (c) => c.id === id,
    )!;
    expect(first).to.include({ status: 'sending', attempts: 1 });
    // Within the lease nobody else gets it.
    const meanwhile = await delivery.claim(
      new Date(start.getTime() + 30_000),
      new Date(start.getTime() + 90_000),
      100,
    );
    expect(meanwhile.map((c) => c.id)).not.to.include(id);
    // The lease lapses (the first gateway hangs or died): another claims it, as a second attempt.
    const later = new Date(start.getTime() + 61_000);
    const second = (await delivery.claim(later, new Date(later.getTime() + 60_000), 100)).find(
      (c) => c.id === id,
    )!;
    expect(second).to.include({ status: 'sending', attempts: 2 });
    expect(await delivery.settle(first, { status: 'dead', error: 'late failure', at: later })).to.equal(
      false,
    );
    expect(await delivery.settle(second, { status: 'delivered', at: later, messageId: '<x@y>' })).to.equal(
      true,
    );
    const row = await t.database.db('notification_event').where({ id }).first();
    expect(row).to.include({ status: 'delivered', attempts: 2, message_id: '<x@y>', last_error: null });
  });

  it('refuses a webhook whose host name resolves to 127.0.0.1 and keeps it as a dead letter', async () => {
    const hits: string[] = [];
    const receiver: Server = createServer((req, res) => {
      hits.push(req.url ?? '');
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const port = (receiver.address() as AddressInfo).port;
      const target = `https://hooks.citizen.example:${port}/access`;
      const [id] = await insertRows(t.database.db, 'webhook', [target], 30_000);
      const logs = new LogCapture();
      const notifier = createNotifier({
        repo: createPortalRepo(t.database.db),
        delivery: createDeliveryRepo(t.database.db),
        sinks: [
          webhookSink({
            keys: t.composition.keys,
            issuer: 'https://juc.example',
            post: guardedPost({
              allowPrivate: false,
              resolve: async (host) =>
                host === 'hooks.citizen.example' ? [{ address: '127.0.0.1', family: 4 }] : [],
            }),
          }),
        ],
        logger: createLogger('info', logs),
      });
      expect(await notifier.deliverOnce()).to.equal(1);
      const row = await t.database.db('notification_event').where({ id }).first();
      expect(row).to.include({
        status: 'dead',
        attempts: 1,
        last_error: 'hooks.citizen.example resolves to 127.0.0.1 (loopback), not a public address',
      });
      expect(hits).to.deep.equal([]);
      expect(logs.records().find((r) => r.msg === 'access notification dead letter')).to.include({
        permanent: true,
        channel: 'webhook',
      });
    } finally {
      receiver.close();
    }
  });
});
