/**
 * Embargoes that happen: a police investigation (Criminal Procedure Act art. 199, 90-day embargo,
 * from the demo seed) queries Min-jun's record through the real composition — PostgreSQL, the
 * reference registry over HTTP, the sequencer, the portal, the auditor API and a real SMTP server.
 * The auditor sees the access at once; Min-jun sees a gap, then, once the clock passes the embargo,
 * the entry and an e-mail notice.
 */
import { expect } from 'chai';
import request from 'supertest';
import type { ClerkPrincipal } from '../../../server/auth/principal.js';
import { startMailSink, type MailSink } from '../../../server/dev/mail-sink.js';
import {
  ADMIN,
  AUDITOR,
  asPrincipal,
  buildTestApp,
  principalFromTestHeader,
  type TestApp,
} from '../../support/app.js';
import { freshDatabase } from '../../support/database.js';
import { startTestRegistry } from '../../support/registry.js';
import { CLERK, MINJUN_ID, citizen, csrfFrom, seedConsentWorld } from '../consents/consent-fixtures.js';

const DETECTIVE: ClerkPrincipal = {
  kind: 'clerk',
  sub: 'clerk-knpa',
  clerkId: 'clerk-test-knpa-detective',
  orgId: 'org-knpa',
};
const DAY_MS = 86_400_000;

describe('embargoed investigation queries', function () {
  this.timeout(60_000);
  let t: TestApp;
  let mail: MailSink;
  let clock = new Date('2026-12-01T01:00:00Z');

  before(async () => {
    mail = await startMailSink();
    const database = await freshDatabase();
    const registry = await startTestRegistry(database);
    t = await buildTestApp({
      database,
      registry,
      authenticate: principalFromTestHeader,
      now: () => clock,
      env: { SMTP_URL: mail.smtpUrl },
    });
    await seedConsentWorld(t);
  });

  after(async () => {
    await mail?.stop();
  });

  const minjun = () => citizen(t, MINJUN_ID, 'citizen-minjun');

  async function sequence() {
    const { sequencer, checkpointer } = t.composition.audit;
    await sequencer.runOnce();
    await checkpointer.publish(true);
  }

  const query = (who: ClerkPrincipal, purpose: string) =>
    request(t.app)
      .post('/v1/queries')
      .set(...asPrincipal(who))
      .send({
        purpose,
        subject: { scheme: 'rrn', id: MINJUN_ID },
        mode: 'full',
        records: [{ recordType: 'resident.registration-abstract-individual' }],
        consent: { mode: 'statutory' },
      });

  const history = () =>
    request(t.app)
      .get('/portal/history')
      .set(...asPrincipal(minjun()));

  it('the demo purpose carries the embargo, shown to administrators', async () => {
    const res = await request(t.app)
      .get('/v1/purposes/police.criminal-investigation')
      .set(...asPrincipal(ADMIN));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.bounds.embargoDays).to.equal(90);
    expect(res.body.bounds.embargoLegalBasis).to.equal(
      'Criminal Procedure Act art. 198; Personal Information Protection Act art. 35',
    );
  });

  it('writes the entry at once for the auditor, hides it from the citizen for 90 days, then shows and notifies it', async () => {
    // Min-jun asks for e-mail notices before anything happens.
    const page = await request(t.app)
      .get('/portal/notifications')
      .set(...asPrincipal(minjun()));
    const saved = await request(t.app)
      .post('/portal/notifications')
      .set(...asPrincipal(minjun()))
      .type('form')
      .send(
        new URLSearchParams({
          _csrf: csrfFrom(page.text),
          lang: 'ko',
          email_on: 'yes',
          email: 'minjun@example.com',
        }).toString(),
      );
    expect(saved.status, saved.text.slice(0, 300)).to.equal(303);

    const before = await query(CLERK, 'resident.move-in-report');
    expect(before.status, JSON.stringify(before.body)).to.equal(200);
    const investigation = await query(DETECTIVE, 'police.criminal-investigation');
    expect(investigation.status, JSON.stringify(investigation.body)).to.equal(200);
    expect(investigation.body.records[0].outcome).to.equal('released');
    // The household is withheld by the policy; past addresses reach back a year at most (none here).
    expect(Object.keys(investigation.body.records[0].released).sort()).to.deep.equal([
      'address',
      'movedInDate',
      'name',
      'residentRegistrationNumber',
    ]);
    const after = await query(CLERK, 'resident.move-in-report');
    expect(after.status).to.equal(200);

    // The entry is written now, embargoed until 2027-03-01T01:00Z (90 days after the clock).
    const rows = await t.database.db('audit_entry').where({ request_id: investigation.body.queryId });
    expect(rows).to.have.length(1);
    expect(new Date(rows[0].embargo_until).toISOString()).to.equal('2027-03-01T01:00:00.000Z');
    expect(JSON.parse(rows[0].body).embargoUntil).to.equal('2027-03-01T01:00:00.000Z');
    await sequence();

    // The auditor sees it at once, with its date.
    const audited = await request(t.app)
      .get('/v1/audit/entries?organisation=org-knpa')
      .set(...asPrincipal(AUDITOR));
    expect(audited.status, JSON.stringify(audited.body)).to.equal(200);
    expect(audited.body.items).to.have.length(1);
    expect(audited.body.items[0].purpose).to.equal('police.criminal-investigation');
    expect(audited.body.items[0].requester.clerkRef).to.equal('clerk-test-knpa-detective');
    expect(audited.body.items[0].embargoUntil).to.equal('2027-03-01T01:00:00.000Z');

    // The citizen sees a gap of one access between the two counter queries, in Korean, and no entry.
    const hidden = await history();
    expect(hidden.status).to.equal(200);
    expect(hidden.text.match(/<li\s+class="access /g)).to.have.length(2);
    expect(hidden.text).to.contain('이 사이의 열람 1건은 법에 따른 공개 유예');
    expect(hidden.text).not.to.contain('경찰청');
    expect(hidden.text).not.to.contain('clerk-test-knpa-detective');
    const api = await request(t.app)
      .get('/v1/me/access-log?limit=100')
      .set(...asPrincipal(minjun()));
    expect(JSON.stringify(api.body)).not.to.contain('org-knpa');

    // Notices: the two counter queries go now; the investigation's waits for its embargo.
    const { notifier } = t.composition.portal;
    const first = await notifier.runOnce();
    expect(first.enqueued).to.equal(3);
    expect(first.attempted).to.equal(2);
    expect(mail.messages).to.have.length(2);
    expect(mail.messages.some((m) => m.text.includes('경찰청'))).to.equal(false);
    expect(mail.messages.some((m) => m.text.includes('경찰청'))).to.equal(false);
    const held = await t.database.db('notification_event').where({ status: 'pending' });
    expect(held).to.have.length(1);
    expect(new Date(held[0].next_attempt_at).toISOString()).to.equal('2027-03-01T01:00:00.000Z');

    // A day before the end, still hidden and still held.
    clock = new Date(clock.getTime() + 89 * DAY_MS);
    expect((await notifier.runOnce()).attempted).to.equal(0);
    expect((await history()).text).not.to.contain('경찰청');

    // After the end: the entry shows in place of the gap, and the notice goes.
    clock = new Date(clock.getTime() + DAY_MS + 1000);
    const shown = await history();
    expect(shown.text.match(/<li\s+class="access /g)).to.have.length(3);
    expect(shown.text).to.contain('경찰청');
    expect(shown.text).to.contain('범죄 수사');
    // The clerk appears as the office's counter clerk with a short reference, never the staff id.
    expect(shown.text).not.to.contain('clerk-test-knpa-detective');
    expect(shown.text).not.to.contain('이 사이의 열람');
    expect(shown.text).to.contain('2027년 3월 1일 10:00 (KST)까지 공개가 유예됩니다');
    const second = await notifier.runOnce();
    expect(second.attempted).to.equal(1);
    expect(mail.messages).to.have.length(3);
    const told = mail.messages.filter((m) => m.text.includes('경찰청'));
    expect(told).to.have.length(1);
    expect(told[0]!.envelopeTo).to.deep.equal(['minjun@example.com']);
    expect(told[0]!.text).to.contain('기록을 요청했습니다: 범죄 수사');
  });

  it('refuses an embargo on a purpose a citizen consents to, or without its law', async () => {
    const base = {
      names: { en: 'Test', ko: '시험', ja: '試験' },
      legalBasis: 'Criminal Procedure Act art. 199',
      recordTypes: ['resident.registration-abstract-individual'],
      procedure: false,
    };
    const create = (body: Record<string, unknown>) =>
      request(t.app)
        .post('/v1/admin/purposes')
        .set(...asPrincipal(ADMIN))
        .send({ ...base, ...body });
    const consented = await create({
      code: 'police.consented-test',
      consentBasis: 'consent',
      bounds: {
        maxConsentDays: 1,
        maxUses: 1,
        maxDataRangeDays: 30,
        embargoDays: 30,
        embargoLegalBasis: 'X',
      },
    });
    expect(consented.status, JSON.stringify(consented.body)).to.equal(400);
    expect(consented.body.errors).to.deep.include({
      pointer: '/consentBasis',
      message: 'only a statutory purpose can carry an embargo',
    });
    const lawless = await create({
      code: 'police.lawless-test',
      consentBasis: 'statutory',
      bounds: { maxConsentDays: 1, maxUses: 1, maxDataRangeDays: 30, embargoDays: 30 },
    });
    expect(lawless.status, JSON.stringify(lawless.body)).to.equal(400);
    const tooLong = await create({
      code: 'police.too-long-test',
      consentBasis: 'statutory',
      bounds: {
        maxConsentDays: 1,
        maxUses: 1,
        maxDataRangeDays: 30,
        embargoDays: 366,
        embargoLegalBasis: 'X',
      },
    });
    expect(tooLong.status, JSON.stringify(tooLong.body)).to.equal(400);
    const fine = await create({
      code: 'police.fine-test',
      consentBasis: 'statutory',
      bounds: {
        maxConsentDays: 1,
        maxUses: 1,
        maxDataRangeDays: 30,
        embargoDays: 30,
        embargoLegalBasis: 'Criminal Procedure Act art. 198',
      },
    });
    expect(fine.status, JSON.stringify(fine.body)).to.equal(201);
    expect(fine.body.bounds.embargoDays).to.equal(30);
  });
});
