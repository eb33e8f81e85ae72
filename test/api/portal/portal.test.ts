import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createLocalJWKSet, jwtVerify } from 'jose';
import request from 'supertest';
import type { AuditEntryInput } from '../../../server/audit/audit.types.js';
import type { CitizenPrincipal } from '../../../server/auth/principal.js';
import { startMailSink, type MailSink } from '../../../server/dev/mail-sink.js';
import { ACCESS_EVENT_URI } from '../../../server/portal/notifications.js';
import { messageKeys } from '../../../server/web/i18n.js';
import { asPrincipal, buildTestApp, principalFromTestHeader, type TestApp } from '../../support/app.js';
import {
  CLERK,
  HANBIT,
  MINJUN_ID,
  SEOYEON_ID,
  citizen,
  csrfFrom,
  decideOnScreen,
  mortgageRequest,
  seedConsentWorld,
} from '../consents/consent-fixtures.js';

const PAGES = ['/portal', '/portal/history', '/portal/consents', '/portal/notifications'];
let counter = 0;

function access(subjectKey: string, overrides: Partial<AuditEntryInput> = {}): AuditEntryInput {
  counter++;
  return {
    requestId: `portal-test-${process.pid}-${counter}`,
    subjectKey,
    outcome: 'released',
    requester: { org: 'org-bank-hanbit', clientId: 'bank-hanbit-app' },
    purposeCode: 'loan.mortgage-screening',
    legalBasis: 'Credit Information Use and Protection Act, Art. 32',
    consent: { id: '00000000-0000-4000-8000-000000000001', mode: 'citizen' },
    recordType: 'resident.registration-abstract',
    fields: [
      { name: 'address', form: 'generalise:district' },
      { name: 'householdHeadName', form: 'full' },
    ],
    ...overrides,
  };
}

async function startReceiver(): Promise<{ url: string; server: Server; bodies: string[] }> {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/access`, server, bodies };
}

describe('citizen portal pages', function () {
  this.timeout(30_000);
  let t: TestApp;
  let minjun: CitizenPrincipal;
  let seoyeon: CitizenPrincipal;
  let mail: MailSink;

  // The pages speak Korean by default; these checks read the English text, so the browser asks for English.
  const get = (path: string, who?: CitizenPrincipal | typeof CLERK) => {
    const r = request(t.app).get(path).set('Accept-Language', 'en');
    return who ? r.set(...asPrincipal(who)) : r;
  };

  async function sequence() {
    const { sequencer, checkpointer } = t.composition.audit;
    await sequencer.runOnce();
    await checkpointer.publish(true);
  }

  before(async () => {
    // A real SMTP server receives the e-mail notices; webhooks go to a receiver on 127.0.0.1.
    mail = await startMailSink();
    t = await buildTestApp({
      authenticate: principalFromTestHeader,
      env: { SMTP_URL: mail.smtpUrl, WEBHOOK_ALLOW_PRIVATE: 'true' },
    });
    await seedConsentWorld(t);
    minjun = citizen(t, MINJUN_ID, 'citizen-minjun');
    seoyeon = citizen(t, SEOYEON_ID, 'citizen-seoyeon');
    const { service } = t.composition.audit;
    await service.append(access(minjun.subjectKey));
    // Under embargo until tomorrow: hidden now, and leaves a gap in Min-jun's chain.
    await service.append(
      access(minjun.subjectKey, {
        requester: { org: 'org-mois', clerkRef: 'clerk-investigator-9' },
        purposeCode: 'welfare.housing-benefit',
        consent: null,
        legalBasis: 'Criminal Procedure Act, Art. 199',
        embargoUntil: new Date(Date.now() + 86_400_000),
      }),
    );
    await service.append(
      access(minjun.subjectKey, {
        outcome: 'denied',
        reasonCode: 'consent_revoked',
        requester: { org: 'org-seoul-jongno', clerkRef: 'clerk-test-jongno' },
        recordType: 'land.ledger',
        consent: { mode: 'attested' },
        fields: [],
      }),
    );
    await service.append(
      access(seoyeon.subjectKey, {
        requester: { org: 'org-bank-gaon', clerkRef: 'clerk-only-seoyeon' },
        recordType: 'tax.income-amount-certificate',
      }),
    );
    await sequence();
  });

  after(async () => {
    await mail?.stop();
  });

  it('offers a sign-in link to visitors and refuses other kinds of principal', async () => {
    for (const path of PAGES) {
      const anonymous = await get(path);
      expect(anonymous.status, path).to.equal(200);
      expect(anonymous.text).to.contain(
        `href="/auth/login?as=citizen&amp;return_to=${encodeURIComponent(path)}"`,
      );
      expect(anonymous.text).not.to.contain('access-list');
      const clerk = await get(path, CLERK);
      expect(clerk.status, path).to.equal(403);
      expect(clerk.text).to.contain('The citizen portal is for citizens');
    }
    expect((await get('/portal/history/export.json')).text).not.to.contain('"entries"');
  });

  it('renders every page without inline script or style, with a language switch, in Korean (the default), English and Japanese', async () => {
    for (const path of PAGES) {
      const ko = await request(t.app)
        .get(path)
        .set(...asPrincipal(minjun));
      expect(ko.text, path).to.match(/<html lang="ko">/);
      expect(ko.text).to.contain('열람 이력');
      expect(ko.text).to.contain('로그아웃');
      expect(ko.text).to.contain('<span aria-current="true" lang="ko">한국어</span>');
      const en = await get(path, minjun);
      expect(en.status, path).to.equal(200);
      expect(en.headers['cache-control']).to.equal('no-store');
      expect(en.text).to.match(/<html lang="en">/);
      expect(en.text).not.to.match(/<script(?![^>]*\ssrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/);
      expect(en.text).to.contain('<script src="/assets/portal/portal.js" defer></script>');
      const ja = await get(`${path}?lang=ja`, minjun);
      expect(ja.text).to.match(/<html lang="ja">/);
      expect(ja.text).to.contain('アクセス履歴');
      expect(ja.text).to.contain('ログアウト');
    }
    const ja = await get('/portal/history?lang=ja', minjun);
    expect(ja.text).to.contain('確認番号');
    expect(ja.text).to.contain('提供済み');
    expect(ja.text).to.contain('拒否');
  });

  it('shows all and only the citizen’s visible accesses, in plain words, with the gap an embargo leaves', async () => {
    const res = await get('/portal/history', minjun);
    const items = res.text.match(/<li\s+class="access /g) ?? [];
    expect(items).to.have.length(2);
    expect(res.text).to.contain('Hanbit Bank');
    expect(res.text).to.contain('Mortgage loan screening');
    expect(res.text).to.contain('Resident registration abstract');
    expect(res.text).to.contain('approximately');
    expect(res.text).to.contain('Refused');
    expect(res.text).to.contain('you had revoked or paused the consent');
    // A clerk is the office's counter clerk with a short reference (sha256 of the clerk id), never the id.
    expect(res.text).to.contain('Counter clerk (reference 9707AF)');
    expect(res.text).not.to.contain('clerk-test-jongno');
    expect(res.text).to.contain('signed paper form');
    expect(res.text).to.contain('Some entries are not shown yet: 1 access between these');
    // Never another citizen's entries, never an embargoed one.
    expect(res.text).not.to.contain('clerk-only-seoyeon');
    expect(res.text).not.to.contain('clerk-investigator-9');
    expect(res.text).not.to.contain('Ministry of the Interior');
    // The integrity check hooks: one badge per entry and the API page it checks.
    expect(res.text.match(/data-verify-index="\d+"/g)).to.have.length(2);
    expect(res.text).to.contain('data-verify-api="/v1/me/access-log?limit=100"');
    const theirs = await get('/portal/history', seoyeon);
    expect(theirs.text).to.contain('Counter clerk (reference A1BFB5)');
    expect(theirs.text).not.to.contain('9707AF');
  });

  it('filters by organisation, record type and date, and ties bad dates to their field', async () => {
    const byType = await get('/portal/history?record_type=land.ledger', minjun);
    expect(byType.text.match(/<li\s+class="access /g)).to.have.length(1);
    expect(byType.text).to.contain('<option value="land.ledger" selected');
    expect(byType.text).not.to.contain('Some entries are not shown yet');
    expect(byType.text).to.contain('/v1/me/access-log.csv?record_type=land.ledger');
    const byOrg = await get('/portal/history?organisation=org-bank-hanbit', minjun);
    expect(byOrg.text.match(/<li\s+class="access /g)).to.have.length(1);
    expect(byOrg.text).to.contain('Hanbit Bank');
    // Filter choices come from the citizen's visible entries only.
    expect(byOrg.text).not.to.contain('value="org-mois"');
    expect(byOrg.text).not.to.contain('value="org-bank-gaon"');
    const future = await get('/portal/history?from=2099-01-01', minjun);
    expect(future.text).to.contain('No accesses match.');
    const today = new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 10);
    const todays = await get(`/portal/history?from=${today}&to=${today}`, minjun);
    expect(todays.text.match(/<li\s+class="access /g)).to.have.length(2);
    const bad = await get('/portal/history?from=2026-02-31&to=yesterday', minjun);
    expect(bad.status).to.equal(200);
    expect(bad.text).to.contain('id="f-from-error"');
    expect(bad.text).to.match(
      /id="f-from"[^>]*aria-describedby="f-from-hint f-from-error"[^>]*aria-invalid="true"/s,
    );
    expect(bad.text).to.contain('Enter a date as YYYY-MM-DD.');
    const range = await get('/portal/history?from=2026-03-02&to=2026-03-01', minjun);
    expect(range.text).to.contain('must not be after');
    const cursor = await get('/portal/history?cursor=not-a-cursor', minjun);
    expect(cursor.status).to.equal(200);
    expect(cursor.text).to.contain('This page link is not valid any more');
  });

  it('exports the citizen’s own entries as JSON and links the CSV export', async () => {
    const res = await get('/portal/history/export.json', minjun).expect(200);
    expect(res.headers['content-disposition']).to.contain('attachment');
    const body = JSON.parse(res.text) as { entries: { entry: { subjectKey: string } }[] };
    expect(body.entries).to.have.length(2);
    expect(body.entries.every((e) => e.entry.subjectKey === minjun.subjectKey)).to.equal(true);
    const csv = await get('/v1/me/access-log.csv', minjun).expect(200);
    expect(csv.text.trim().split('\r\n')).to.have.length(3);
  });

  it('pages through a long history with a stable cursor', async () => {
    const jihoon = citizen(t, '0105053123454', 'citizen-jihoon');
    await t.composition.audit.service.appendMany(Array.from({ length: 23 }, () => access(jihoon.subjectKey)));
    await sequence();
    const first = await get('/portal/history', jihoon);
    expect(first.text.match(/<li\s+class="access /g)).to.have.length(20);
    const next = /href="\/portal\/history\?cursor=([^"]+)" rel="next"/.exec(first.text)?.[1];
    expect(next).to.be.a('string');
    const second = await get(`/portal/history?cursor=${next}`, jihoon);
    expect(second.text.match(/<li\s+class="access /g)).to.have.length(3);
    expect(second.text).to.contain('Newest accesses');
    expect(second.text).not.to.contain('rel="next"');
  });

  it('serves the bundled verifier script', async () => {
    const res = await request(t.app).get('/assets/portal/portal.js').expect(200);
    expect(res.headers['content-type']).to.match(/javascript/);
    expect(res.text).to.contain('verify-summary');
    expect(res.text).not.to.match(/\brequire\(|from\s*["']node:/);
    const again = await request(t.app)
      .get('/assets/portal/portal.js')
      .set('If-None-Match', res.headers.etag as string);
    expect(again.status).to.equal(304);
    await request(t.app).get('/assets/portal.css').expect(200);
  });

  describe('consents', () => {
    async function approvedConsent(who: CitizenPrincipal, nationalId: string): Promise<string> {
      const created = await request(t.app)
        .post('/v1/consent-requests')
        .set(...asPrincipal(HANBIT))
        .send(mortgageRequest({ subject: { scheme: 'rrn', id: nationalId } }));
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      const id = created.body.id as string;
      await decideOnScreen(t, id, who, 'approve', []);
      return id;
    }

    const post = (path: string, who: CitizenPrincipal, form: Record<string, string>) =>
      request(t.app)
        .post(path)
        .set(...asPrincipal(who))
        .set('Accept-Language', 'en')
        .type('form')
        .send(new URLSearchParams(form).toString());

    it('lists the citizen’s consents, active first, with details and event history; others get 404', async () => {
      const id = await approvedConsent(minjun, MINJUN_ID);
      const other = await approvedConsent(seoyeon, SEOYEON_ID);
      const list = await get('/portal/consents', minjun);
      expect(list.text).to.contain(`data-consent-id="${id}"`);
      expect(list.text).not.to.contain(other);
      expect(list.text).to.match(
        /<button\s+type="submit"\s+class="danger"\s+aria-describedby="c-[^"]+-title"\s*>\s*Revoke\s*<\/button>/,
      );
      const details = await get(`/portal/consents/${id}`, minjun);
      expect(details.status).to.equal(200);
      expect(details.text).to.contain('Hanbit Bank');
      expect(details.text).to.contain('History of this consent');
      expect(details.text).to.contain('Approved');
      expect(details.text).to.contain('Requested');
      expect((await get(`/portal/consents/${other}`, minjun)).status).to.equal(404);
      expect((await get('/portal/consents/not-a-uuid', minjun)).status).to.equal(404);
      const ja = await get(`/portal/consents/${id}?lang=ja`, minjun);
      expect(ja.text).to.contain('この同意の履歴');
      expect(ja.text).to.contain('撤回');
    });

    it('pauses, resumes and revokes with CSRF and a confirmation step, with immediate effect', async () => {
      const id = await approvedConsent(minjun, MINJUN_ID);
      const other = await approvedConsent(seoyeon, SEOYEON_ID);
      const csrf = csrfFrom((await get(`/portal/consents/${id}`, minjun)).text);

      const forged = await post(`/portal/consents/${id}/revoke`, minjun, { confirm: 'yes', lang: 'en' });
      expect(forged.status).to.equal(403);
      expect(forged.text).to.contain('The form expired');

      const confirm = await post(`/portal/consents/${id}/pause`, minjun, { _csrf: csrf, lang: 'en' });
      expect(confirm.status).to.equal(200);
      expect(confirm.text).to.contain('Pause this consent?');
      expect(confirm.text).to.contain('name="confirm" value="yes"');
      expect(confirm.text).to.contain('Yes, pause');
      expect((await t.database.db('consent').where({ id }).first()).status).to.equal('ACTIVE');

      const paused = await post(`/portal/consents/${id}/pause`, minjun, { _csrf: csrf, confirm: 'yes' });
      expect(paused.status).to.equal(303);
      expect(paused.headers.location).to.equal(`/portal/consents/${id}?done=pause`);
      const token = await request(t.app)
        .post(`/v1/consents/${id}/token`)
        .set(...asPrincipal(HANBIT));
      expect(token.status).to.equal(403);

      const resumed = await post(`/portal/consents/${id}/resume`, minjun, { _csrf: csrf, confirm: 'yes' });
      expect(resumed.status).to.equal(303);
      expect((await t.database.db('consent').where({ id }).first()).status).to.equal('ACTIVE');

      const stolen = await post(`/portal/consents/${other}/revoke`, minjun, { _csrf: csrf, confirm: 'yes' });
      expect(stolen.status).to.equal(404);
      expect((await t.database.db('consent').where({ id: other }).first()).status).to.equal('ACTIVE');

      const revoked = await post(`/portal/consents/${id}/revoke`, minjun, { _csrf: csrf, confirm: 'yes' });
      expect(revoked.status).to.equal(303);
      const done = await get(revoked.headers.location as string, minjun);
      expect(done.text).to.contain('The consent is revoked. Hanbit Bank can no longer use it.');
      expect(done.text).to.contain('Revoked');
      expect(done.text).not.to.match(/>\s*Revoke\s*<\/button>/);
      const afterRevoke = await request(t.app)
        .post(`/v1/consents/${id}/token`)
        .set(...asPrincipal(HANBIT));
      expect(afterRevoke.status).to.equal(403);
      expect(afterRevoke.body.code).to.equal('consent_revoked');
      const twice = await post(`/portal/consents/${id}/revoke`, minjun, { _csrf: csrf, confirm: 'yes' });
      expect(twice.status).to.equal(409);
      const events = (await t.database.db('consent_event').where({ consent_id: id }).orderBy('id')).map(
        (e: { type: string; actor: string }) => `${e.type}:${e.actor}`,
      );
      expect(events.slice(-3)).to.deep.equal(['paused:citizen', 'resumed:citizen', 'revoked:citizen']);
    });
  });

  describe('notifications', () => {
    const save = (who: CitizenPrincipal, csrf: string, form: Record<string, string>) =>
      request(t.app)
        .post('/portal/notifications')
        .set(...asPrincipal(who))
        .type('form')
        .send(new URLSearchParams({ _csrf: csrf, lang: 'en', ...form }).toString());

    it('validates the preference, ties errors to their fields and stores it keyed by subject key only', async () => {
      const page = await get('/portal/notifications', minjun);
      expect(page.text).to.contain('Notifications are off.');
      const csrf = csrfFrom(page.text);

      const forged = await save(minjun, 'wrong', { email_on: 'yes', email: 'minjun@example.com' });
      expect(forged.status).to.equal(403);

      const bad = await save(minjun, csrf, {
        email_on: 'yes',
        email: 'not an address',
        webhook_on: 'yes',
        webhook_url: 'ftp://example.com/x',
      });
      expect(bad.status).to.equal(400);
      expect(bad.text).to.match(/class="error-summary"\s+role="alert"/);
      expect(bad.text).to.contain('<a href="#email">Enter an e-mail address like name@example.com.</a>');
      expect(bad.text).to.match(
        /id="email"[^>]*aria-describedby="email-hint email-error"[^>]*aria-invalid="true"/s,
      );
      expect(bad.text).to.match(/id="webhookUrl"[^>]*aria-invalid="true"/s);
      expect(bad.text).to.contain('value="not an address"');
      const missing = await save(minjun, csrf, { webhook_on: 'yes', webhook_url: '' });
      expect(missing.text).to.contain('Enter the webhook URL to call.');
      const internal = await save(minjun, csrf, { webhook_on: 'yes', webhook_url: 'https://10.0.0.8/hook' });
      expect(internal.status).to.equal(400);
      expect(await t.database.db('notification_preference')).to.have.length(0);

      const ok = await save(minjun, csrf, { email_on: 'yes', email: 'minjun@example.com' });
      expect(ok.status).to.equal(303);
      expect(ok.headers.location).to.equal('/portal/notifications?saved=on');
      const rows = await t.database.db('notification_preference');
      expect(rows).to.have.length(1);
      expect(rows[0]).to.include({
        subject_key: minjun.subjectKey,
        email: 'minjun@example.com',
        webhook_url: null,
      });
      expect(JSON.stringify(rows[0])).not.to.contain(MINJUN_ID);
      const shown = await get('/portal/notifications?saved=on', minjun);
      expect(shown.text).to.contain('Your notification settings are saved.');
      expect(shown.text).to.match(/id="email-on"[^>]*checked/s);

      const off = await save(minjun, csrf, {});
      expect(off.headers.location).to.equal('/portal/notifications?saved=off');
      expect(await t.database.db('notification_preference')).to.have.length(0);
    });

    it('notifies each new access by e-mail and signed webhook, holding embargoed ones', async () => {
      const receiver = await startReceiver();
      try {
        const haeun = citizen(t, '0311304765439', 'citizen-haeun');
        const { service } = t.composition.audit;
        await service.append(access(haeun.subjectKey)); // before switching on: not notified
        await sequence();
        const csrf = csrfFrom((await get('/portal/notifications', haeun)).text);
        const saved = await save(haeun, csrf, {
          email_on: 'yes',
          email: 'haeun@example.com',
          webhook_on: 'yes',
          webhook_url: receiver.url,
          lang: 'ja',
        });
        expect(saved.status).to.equal(303);

        await service.append(
          access(haeun.subjectKey, { requester: { org: 'org-seoul-jongno', clerkRef: 'clerk-3' } }),
        );
        await service.append(
          access(haeun.subjectKey, { embargoUntil: new Date(Date.now() + 3_600_000), consent: null }),
        );
        await service.append(access(minjun.subjectKey)); // nobody asked: no notification
        await sequence();
        const { notifier } = t.composition.portal;
        const first = await notifier.runOnce();
        expect(first.enqueued).to.equal(4); // two entries × two channels
        expect(first.attempted).to.equal(2); // the embargoed entry waits

        const events = await t.database.db('notification_event').orderBy('id');
        expect(events.every((e: { subject_key: string }) => e.subject_key === haeun.subjectKey)).to.equal(
          true,
        );
        const statuses = events.map((e: { channel: string; status: string }) => `${e.channel}:${e.status}`);
        expect(statuses.sort()).to.deep.equal([
          'email:delivered',
          'email:pending',
          'webhook:delivered',
          'webhook:pending',
        ]);
        expect(mail.messages).to.have.length(1);
        expect(mail.messages[0]!.envelopeTo).to.deep.equal(['haeun@example.com']);
        expect(mail.messages[0]!.subject).to.contain('あなたの記録が閲覧されました');
        expect(mail.messages[0]!.text).to.contain('ソウル特別市鍾路区庁');
        expect(mail.messages[0]!.text).to.contain('/portal/history#entry-');

        expect(receiver.bodies).to.have.length(1);
        const jwks = (await request(t.app).get('/.well-known/jwks.json')).body;
        const { payload, protectedHeader } = await jwtVerify(receiver.bodies[0]!, createLocalJWKSet(jwks), {
          audience: receiver.url,
        });
        expect(protectedHeader.typ).to.equal('secevent+jwt');
        const event = (payload.events as Record<string, Record<string, unknown>>)[ACCESS_EVENT_URI]!;
        expect(event).to.include({ type: 'access', organisation: 'org-seoul-jongno', outcome: 'released' });
        expect(JSON.stringify(payload)).not.to.contain(haeun.subjectKey);
        expect(receiver.bodies[0]).not.to.contain('haeun@example.com');
        expect(Buffer.from(receiver.bodies[0]!.split('.')[1]!, 'base64url').toString()).not.to.contain(
          'haeun@',
        );

        // Idempotent: a second run finds nothing new to enqueue or deliver.
        expect(await notifier.runOnce()).to.deep.equal({ enqueued: 0, attempted: 0 });
        const page = await get('/portal/notifications', haeun);
        expect(page.text).to.contain('Recent notifications');
        expect(page.text).to.contain('Sent');
        expect(page.text).to.contain('Waiting');
      } finally {
        receiver.server.close();
      }
    });
  });

  it('has every portal message in English and Japanese', () => {
    const en = messageKeys('en').filter((k) =>
      /^(portal|history|verify|consents|action|notify|form|reason|mode)\./.test(k),
    );
    const ja = messageKeys('ja').filter((k) =>
      /^(portal|history|verify|consents|action|notify|form|reason|mode)\./.test(k),
    );
    expect(en.length).to.be.greaterThan(100);
    expect([...ja].sort()).to.deep.equal([...en].sort());
  });
});
