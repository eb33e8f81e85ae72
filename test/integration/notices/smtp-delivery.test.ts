// Access notices sent for real: the gateway's notifier e-mails through a real SMTP server started here
// (smtp-server, via the dev mail sink), over real PostgreSQL. Content in the citizen's language, retries
// and dead letters when the relay refuses, two gateways never sending one notice twice, and what the
// citizen sees on the portal's notifications page.
import { expect } from 'chai';
import request from 'supertest';
import type { AuditEntryInput } from '../../../server/audit/audit.types.js';
import type { CitizenPrincipal } from '../../../server/auth/principal.js';
import { startMailSink, type MailSink } from '../../../server/dev/mail-sink.js';
import { asPrincipal, buildTestApp, principalFromTestHeader, type TestApp } from '../../support/app.js';
import { MINJUN_ID, SEOYEON_ID, citizen, seedConsentWorld } from '../../api/consents/consent-fixtures.js';

const HAEUN_ID = '0311304765439';
const JIHO_ID = '9001011234568';
const SUA_ID = '9502022345675';

let counter = 0;
function access(subjectKey: string): AuditEntryInput {
  counter++;
  return {
    requestId: `notice-test-${process.pid}-${counter}`,
    subjectKey,
    outcome: 'released',
    requester: { org: 'org-bank-hanbit', clientId: 'bank-hanbit-app' },
    purposeCode: 'loan.mortgage-screening',
    legalBasis: 'Credit Information Use and Protection Act, Art. 32',
    consent: { id: '00000000-0000-4000-8000-000000000001', mode: 'citizen' },
    recordType: 'resident.registration-abstract',
    fields: [{ name: 'address', form: 'generalise:district' }],
  };
}

describe('access notices by e-mail through a real SMTP server', function () {
  this.timeout(60_000);
  let t: TestApp;
  let mail: MailSink;
  let clock = Date.now();
  const now = () => new Date(clock);

  async function appendAndSequence(...subjectKeys: string[]) {
    for (const key of subjectKeys) await t.composition.audit.service.append(access(key));
    await t.composition.audit.sequencer.runOnce();
  }

  async function emailRow(subjectKey: string) {
    return t.database
      .db('notification_event')
      .where({ subject_key: subjectKey, channel: 'email' })
      .first() as Promise<{
      id: string;
      status: string;
      attempts: number;
      next_attempt_at: Date;
      last_error: string | null;
      message_id: string | null;
    }>;
  }

  async function subscribe(who: CitizenPrincipal, email: string, language?: 'ko' | 'en' | 'ja') {
    const fromIdx = await t.composition.portal.repo.logSize();
    // Without a language the column's default applies: a citizen who never chose hears in Korean.
    await t.database.db('notification_preference').insert({
      subject_key: who.subjectKey,
      email,
      from_idx: fromIdx,
      ...(language ? { language } : {}),
    });
  }

  before(async () => {
    mail = await startMailSink();
    t = await buildTestApp({
      authenticate: principalFromTestHeader,
      now,
      env: { SMTP_URL: mail.smtpUrl, NOTICE_MAX_ATTEMPTS: '3' },
    });
    await seedConsentWorld(t);
  });

  after(async () => {
    await mail?.stop();
  });

  it('sends each notice to the citizen’s own address only, in their language (Korean unless they chose), without their ID', async () => {
    const minjun = citizen(t, MINJUN_ID, 'citizen-minjun');
    const seoyeon = citizen(t, SEOYEON_ID, 'citizen-seoyeon');
    const haeun = citizen(t, HAEUN_ID, 'citizen-haeun');
    await subscribe(minjun, 'minjun@example.com');
    await subscribe(seoyeon, 'seoyeon@example.jp', 'ja');
    await subscribe(haeun, 'haeun@example.com', 'en');
    await appendAndSequence(minjun.subjectKey, seoyeon.subjectKey, haeun.subjectKey);

    expect(await t.composition.portal.notifier.runOnce()).to.deep.equal({ enqueued: 3, attempted: 3 });
    expect(mail.messages).to.have.length(3);
    const to = (address: string) => mail.messages.find((m) => m.to === address)!;

    const ko = to('minjun@example.com');
    expect(ko.envelopeTo).to.deep.equal(['minjun@example.com']);
    expect(ko.envelopeFrom).to.equal('no-reply@joint-use-center.localhost');
    expect(ko.subject).to.equal('회원님의 기록이 열람되었습니다: 주민등록표 등본');
    expect(ko.contentLanguage).to.equal('ko');
    expect(ko.text).to.contain('한빛은행에서');
    expect(ko.text).to.contain('주택담보대출 심사');
    expect(ko.text).to.contain('http://127.0.0.1:3000/portal/history#entry-');
    expect(ko.messageId).to.match(/^<access-notice-\d+@127\.0\.0\.1>$/);

    const ja = to('seoyeon@example.jp');
    expect(ja.envelopeTo).to.deep.equal(['seoyeon@example.jp']);
    expect(ja.subject).to.equal('あなたの記録が閲覧されました：住民登録票謄本（世帯）');
    expect(ja.text).to.contain('ハンビット銀行が');
    expect(ja.contentLanguage).to.equal('ja');

    const en = to('haeun@example.com');
    expect(en.envelopeTo).to.deep.equal(['haeun@example.com']);
    expect(en.subject).to.equal('Your records were accessed: Resident registration abstract (household)');
    expect(en.text).to.contain('Hanbit Bank asked for your record');

    for (const [m, id, who] of [
      [ko, MINJUN_ID, minjun],
      [ja, SEOYEON_ID, seoyeon],
      [en, HAEUN_ID, haeun],
    ] as const) {
      const whole = `${m.subject}\n${m.text}\n${m.to}`;
      expect(whole).not.to.contain(id);
      expect(whole).not.to.contain(id.slice(0, 6)); // not even the date-of-birth half
      expect(whole).not.to.contain(who.subjectKey);
      const row = await emailRow(who.subjectKey);
      expect(row).to.include({ status: 'delivered', attempts: 1, last_error: null, message_id: m.messageId });
    }
  });

  it('retries a relay that answers 4xx with growing delays, then keeps the notice as a dead letter', async () => {
    const jiho = citizen(t, JIHO_ID, 'citizen-jiho');
    await subscribe(jiho, 'jiho@example.com', 'en');
    await appendAndSequence(jiho.subjectKey);
    mail.refuse({ at: 'data', code: 451, message: '4.3.0 Mail server busy, try later' });
    const before = { attempts: mail.attempts(), received: mail.messages.length };
    try {
      const { notifier } = t.composition.portal;
      expect(await notifier.runOnce()).to.deep.equal({ enqueued: 1, attempted: 1 });
      let row = await emailRow(jiho.subjectKey);
      expect(row).to.include({ status: 'pending', attempts: 1 });
      expect(row.last_error).to.contain('SMTP 451');
      // First retry 5 s later, ±20 % jitter.
      const wait = row.next_attempt_at.getTime() - clock;
      expect(wait).to.be.within(4_000, 6_000);

      const page = await request(t.app)
        .get('/portal/notifications?lang=en')
        .set(...asPrincipal(jiho));
      expect(page.text).to.contain('Retrying (attempt 2, next try');
      const pageKo = await request(t.app)
        .get('/portal/notifications?lang=ko')
        .set(...asPrincipal(jiho));
      expect(pageKo.text).to.contain('2번째 시도');

      expect(await notifier.deliverOnce()).to.equal(0); // not due yet
      clock += wait + 1;
      expect(await notifier.deliverOnce()).to.equal(1);
      row = await emailRow(jiho.subjectKey);
      expect(row).to.include({ status: 'pending', attempts: 2 });
      const secondWait = row.next_attempt_at.getTime() - clock;
      expect(secondWait).to.be.within(8_000, 12_000); // doubled

      clock += secondWait + 1;
      expect(await notifier.deliverOnce()).to.equal(1);
      row = await emailRow(jiho.subjectKey);
      expect(row).to.include({ status: 'dead', attempts: 3 });
      expect(row.last_error).to.contain('SMTP 451');
      expect(mail.attempts() - before.attempts).to.equal(3);
      expect(mail.messages.length).to.equal(before.received);

      clock += 86_400_000;
      expect(await notifier.deliverOnce()).to.equal(0); // a dead letter is not tried again

      const logged = t.logs
        .records()
        .filter((r) => r.msg === 'access notification dead letter' && r.notificationId === Number(row.id));
      expect(logged).to.have.length(1);
      expect(logged[0]).to.include({ channel: 'email', attempts: 3, permanent: false, level: 50 });
      const metrics = (await request(t.app).get('/metrics')).text;
      expect(metrics).to.contain('notification_dead_letters{channel="email"} 1');
      expect(metrics).to.contain('notification_deliveries_total{channel="email",outcome="retry"} 2');
      expect(metrics).to.contain('notification_deliveries_total{channel="email",outcome="dead"} 1');

      const failed = await request(t.app)
        .get('/portal/notifications?lang=en')
        .set(...asPrincipal(jiho));
      expect(failed.text).to.match(/<td>E-mail<\/td>[\s\S]*?<td>Failed<\/td>/);
      const failedKo = await request(t.app)
        .get('/portal/notifications?lang=ko')
        .set(...asPrincipal(jiho));
      expect(failedKo.text).to.contain('발송 실패');
    } finally {
      mail.refuse(undefined);
    }
  });

  it('gives up at once when the relay refuses the recipient for good (5xx at RCPT TO)', async () => {
    const sua = citizen(t, SUA_ID, 'citizen-sua');
    await subscribe(sua, 'nobody@example.com', 'ko');
    await appendAndSequence(sua.subjectKey);
    mail.refuse({ at: 'rcpt', code: 550, message: '5.1.1 No such user here' });
    try {
      expect(await t.composition.portal.notifier.runOnce()).to.deep.equal({ enqueued: 1, attempted: 1 });
      const row = await emailRow(sua.subjectKey);
      expect(row).to.include({ status: 'dead', attempts: 1 });
      expect(row.last_error).to.contain('SMTP 550');
      const logged = t.logs
        .records()
        .filter((r) => r.msg === 'access notification dead letter' && r.notificationId === Number(row.id));
      expect(logged[0]).to.include({ permanent: true, attempts: 1 });
      const page = await request(t.app)
        .get('/portal/notifications?lang=ja')
        .set(...asPrincipal(sua));
      expect(page.text).to.contain('<td>失敗</td>');
    } finally {
      mail.refuse(undefined);
    }
  });

  it('refuses e-mail on the notifications form where e-mail notices are off (EMAIL_NOTICES=false)', async () => {
    const off = await buildTestApp({ env: { EMAIL_NOTICES: 'false' } });
    const minjun = citizen(off, MINJUN_ID, 'citizen-minjun');
    const form = { emailOn: true, email: 'minjun@example.com', webhookOn: false, webhookUrl: '' };
    const result = await off.composition.portal.service.saveNotificationPreference(minjun, form, 'en');
    expect(result).to.deep.include({ ok: false, errors: { email: 'notify.emailUnavailable' } });
    expect(await off.database.db('notification_preference')).to.have.length(0);
    // The same form where e-mail notices are on is stored.
    expect(await t.composition.portal.service.saveNotificationPreference(minjun, form, 'en')).to.include({
      ok: true,
    });
  });

  it('shows a sent notice as sent, in the citizen’s language', async () => {
    const minjun = citizen(t, MINJUN_ID, 'citizen-minjun');
    const page = await request(t.app)
      .get('/portal/notifications?lang=ko')
      .set(...asPrincipal(minjun));
    expect(page.text).to.match(/<td>이메일<\/td>[\s\S]*?<td>발송 완료<\/td>/);
    const en = await request(t.app)
      .get('/portal/notifications?lang=en')
      .set(...asPrincipal(minjun));
    expect(en.text).to.match(/<td>E-mail<\/td>[\s\S]*?<td>Sent<\/td>/);
  });
});
