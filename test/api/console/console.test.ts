/**
 * The clerk console over HTTP (supertest) on the real composition: PostgreSQL, the reference registry, the
 * shipped policies, consents and the audit log. Principals come from the test header; the browser flow with
 * real sign-in is test/e2e/counter-flow.test.ts.
 */
import { expect } from 'chai';
import supertest from 'supertest';
import type { ClerkPrincipal, Principal } from '../../../server/auth/principal.js';
import { asPrincipal, buildTestApp, principalFromTestHeader, type TestApp } from '../../support/app.js';
import { freshDatabase } from '../../support/database.js';
import { startTestRegistry } from '../../support/registry.js';
import {
  CLERK,
  MINJUN_ID,
  citizen,
  csrfFrom,
  decideOnScreen,
  seedConsentWorld,
} from '../consents/consent-fixtures.js';

/** The pages speak Korean by default; these checks read the English text, so each request asks for English. */
const request = (app: Parameters<typeof supertest.agent>[0]) =>
  supertest.agent(app).set('Accept-Language', 'en');

const HOUSING = 'welfare.housing-benefit';

describe('clerk console pages', function () {
  this.timeout(60_000);
  let t: TestApp;

  before(async () => {
    const database = await freshDatabase();
    const registry = await startTestRegistry(database);
    t = await buildTestApp({ database, registry, authenticate: principalFromTestHeader });
    await seedConsentWorld(t);
  });

  const auditCount = async () =>
    Number(((await t.database.db('audit_entry').count({ n: '*' }).first()) as { n: string }).n);
  const consentCount = async () =>
    Number(((await t.database.db('consent').count({ n: '*' }).first()) as { n: string }).n);

  async function formPage(purpose: string, who: Principal = CLERK) {
    const page = await request(t.app)
      .get(`/console/query?purpose=${encodeURIComponent(purpose)}`)
      .set(...asPrincipal(who));
    expect(page.status, page.text.slice(0, 300)).to.equal(200);
    return page;
  }

  function post(fields: Record<string, string | string[]>, who: Principal = CLERK) {
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(fields)) {
      for (const v of Array.isArray(value) ? value : [value]) form.append(key, v);
    }
    return request(t.app)
      .post('/console/query')
      .set(...asPrincipal(who))
      .type('form')
      .send(form.toString());
  }

  describe('access control', () => {
    it('offers the agency sign-in to a visitor who is not signed in', async () => {
      const res = await request(t.app).get('/console');
      expect(res.status).to.equal(401);
      expect(res.text).to.contain('href="/auth/login?as=clerk&amp;return_to=%2Fconsole"');
      expect(res.text).not.to.contain('name="purpose"');
    });

    it('refuses a citizen the console, the form and the form post (403, no data)', async () => {
      const minjun = citizen(t, MINJUN_ID, 'citizen-minjun');
      for (const res of [
        await request(t.app)
          .get('/console')
          .set(...asPrincipal(minjun)),
        await request(t.app)
          .get(`/console/query?purpose=${HOUSING}`)
          .set(...asPrincipal(minjun)),
        await post(
          { purpose: HOUSING, subjectId: MINJUN_ID, records: 'resident.registration-abstract' },
          minjun,
        ),
      ]) {
        expect(res.status).to.equal(403);
        expect(res.text).to.contain('for agency clerks');
        expect(res.text).not.to.contain('name="subjectId"');
      }
    });

    it('lists only the purposes the agency is entitled to, and 404s any other', async () => {
      const res = await request(t.app)
        .get('/console')
        .set(...asPrincipal(CLERK));
      expect(res.status).to.equal(200);
      expect(res.text).to.contain(`value="${HOUSING}"`);
      expect(res.text).to.contain('value="resident.move-in-report"');
      expect(res.text).not.to.contain('value="loan.mortgage-screening"'); // a bank purpose
      const other = await request(t.app)
        .get('/console/query?purpose=loan.mortgage-screening')
        .set(...asPrincipal(CLERK));
      expect(other.status).to.equal(404);
      expect(other.text).not.to.contain('name="subjectId"');
    });

    it('refuses a form post without the CSRF token', async () => {
      const before = await auditCount();
      const res = await post({
        purpose: HOUSING,
        step: 'start',
        records: 'resident.registration-abstract',
        subjectScheme: 'rrn',
        subjectId: MINJUN_ID,
        consentMode: 'attested',
        documentReference: 'FORM-2026-0001',
      });
      expect(res.status).to.equal(403);
      expect(await auditCount()).to.equal(before);
    });
  });

  describe('the counter form', () => {
    it('offers the statutory basis only where the purpose allows it', async () => {
      const consentOnly = await formPage(HOUSING);
      expect(consentOnly.text).to.contain('id="consent-citizen"');
      expect(consentOnly.text).to.contain('id="consent-attested"');
      expect(consentOnly.text).not.to.contain('id="consent-statutory"');
      const statutory = await formPage('resident.move-in-report');
      expect(statutory.text).to.contain('id="consent-statutory"');
      expect(statutory.text).not.to.contain('id="consent-citizen"');
    });

    it('ties a bad identifier to its field, and fetches, records and releases nothing', async () => {
      const page = await formPage(HOUSING);
      const [audits, consents] = [await auditCount(), await consentCount()];
      const res = await post({
        _csrf: csrfFrom(page.text),
        step: 'start',
        purpose: HOUSING,
        records: ['resident.registration-abstract', 'tax.income-amount-certificate'],
        subjectScheme: 'rrn',
        subjectId: '850314-1234567', // wrong check digit
        mode: 'full',
        consentMode: 'attested',
        documentReference: '',
      });
      expect(res.status).to.equal(400);
      // The error summary links to the field; the field points at its message and is marked invalid.
      expect(res.text).to.match(/class="error-summary" role="alert"/);
      expect(res.text).to.contain('href="#subjectId"');
      expect(res.text).to.match(
        /id="subjectId"[^>]*aria-describedby="subjectId-hint subjectId-check error-subjectId"/,
      );
      expect(res.text).to.match(/id="subjectId"[^>]*aria-invalid="true"/);
      expect(res.text).to.match(
        /id="error-subjectId">[\s\S]*?This is not a valid Resident registration number/,
      );
      // The missing paper-form reference is a second error, on its own field.
      expect(res.text).to.match(
        /id="documentReference"[^>]*aria-describedby="documentReference-hint error-documentReference"/,
      );
      // The form keeps what was typed, and nothing happened.
      expect(res.text).to.match(/value="tax.income-amount-certificate"\s+data-modes="[^"]*"\s+checked/);
      expect(res.text).not.to.contain('Released fields');
      expect(await auditCount()).to.equal(audits);
      expect(await consentCount()).to.equal(consents);
    });

    it('asks for at least one record and a consent mode', async () => {
      const page = await formPage(HOUSING);
      const res = await post({
        _csrf: csrfFrom(page.text),
        step: 'start',
        purpose: HOUSING,
        subjectId: MINJUN_ID,
      });
      expect(res.status).to.equal(400);
      expect(res.text).to.contain('id="error-records"');
      expect(res.text).to.contain('id="error-consentMode"');
      expect(res.text).to.match(/<fieldset class="group" aria-describedby="records-hint error-records"/);
    });
  });

  describe('queries', () => {
    it('runs an attested query in-process: released fields with their forms, withheld fields, provenance, audit receipt', async () => {
      const page = await formPage(HOUSING);
      const before = await auditCount();
      const res = await post({
        _csrf: csrfFrom(page.text),
        step: 'start',
        purpose: HOUSING,
        records: ['resident.registration-abstract', 'tax.income-amount-certificate'],
        subjectScheme: 'rrn',
        subjectId: '850314-1234562',
        mode: 'full',
        consentMode: 'attested',
        documentReference: 'FORM-2026-0001',
        // The form also states the separate agreement to the resident number (PIPA art. 24).
        separateAgreement: 'yes',
      });
      expect(res.status, res.text.slice(0, 500)).to.equal(200);
      expect(res.text).to.contain('Verification result');
      expect(res.text).to.contain('Signed paper form');
      expect(res.text).to.contain('850314-1******'); // masked, never the whole number
      expect(res.text).not.to.contain('8503141234562');
      expect(res.text).to.match(/<tr data-field="[^"]+">/);
      const entries = [...res.text.matchAll(/data-testid="audit-entry">#(\d+)</g)].map((m) => Number(m[1]));
      expect(entries).to.have.length(2);
      expect(await auditCount()).to.equal(before + 2);
      const rows = await t.database
        .db('audit_entry')
        .whereIn('entry_id', entries)
        .select('clerk_ref', 'outcome');
      expect(rows.map((r: { clerk_ref: string }) => r.clerk_ref)).to.deep.equal([
        CLERK.clerkId,
        CLERK.clerkId,
      ]);
      expect(res.text).to.contain('Print verification slip');

      const home = await request(t.app)
        .get('/console')
        .set(...asPrincipal(CLERK));
      for (const id of entries) expect(home.text).to.contain(`#${id}`);
      expect(home.text).to.contain('Housing benefit');
    });

    it('runs on the statutory basis where the purpose has one', async () => {
      const page = await formPage('resident.move-in-report');
      const res = await post({
        _csrf: csrfFrom(page.text),
        step: 'start',
        purpose: 'resident.move-in-report',
        records: ['resident.registration-abstract'],
        subjectScheme: 'rrn',
        subjectId: MINJUN_ID,
        mode: 'full',
        consentMode: 'statutory',
      });
      expect(res.status, res.text.slice(0, 500)).to.equal(200);
      expect(res.text).to.contain('Statutory basis');
      expect(res.text).to.match(/<tr data-field="[^"]+">/);
      // The same choice on a consent-only purpose is refused at the form, before anything is fetched.
      const housing = await formPage(HOUSING);
      const refused = await post({
        _csrf: csrfFrom(housing.text),
        step: 'start',
        purpose: HOUSING,
        records: ['resident.registration-abstract'],
        subjectScheme: 'rrn',
        subjectId: MINJUN_ID,
        consentMode: 'statutory',
      });
      expect(refused.status).to.equal(400);
      expect(refused.text).to.contain('id="error-consentMode"');
    });

    it('shows another clerk none of this clerk’s recent queries', async () => {
      const other: ClerkPrincipal = { ...CLERK, clerkId: 'clerk-test-other', sub: 'clerk-other' };
      const home = await request(t.app)
        .get('/console')
        .set(...asPrincipal(other));
      expect(home.status).to.equal(200);
      expect(home.text).to.contain('You have made no queries yet.');
    });

    it('citizen mode: QR code and short link, approval, then the query; a revoked consent is refused', async () => {
      const page = await formPage(HOUSING);
      const fields = {
        _csrf: csrfFrom(page.text),
        purpose: HOUSING,
        records: ['resident.registration-abstract'],
        subjectScheme: 'rrn',
        subjectId: MINJUN_ID,
        mode: 'full',
        consentMode: 'citizen',
        documentReference: '',
      };
      const waiting = await post({ ...fields, step: 'start' });
      expect(waiting.status, waiting.text.slice(0, 500)).to.equal(200);
      expect(waiting.text).to.match(
        /<svg [^>]*role="img" aria-label="QR code for the link [^"]+\/consent\/c\/[0-9A-Za-z]{8}"/,
      );
      const consentId = /name="consentId" value="([0-9a-f-]{36})"/.exec(waiting.text)![1]!;
      expect(waiting.text).to.contain('data-status="REQUESTED"');
      expect(waiting.text).to.match(/id="run-query"[^>]*\shidden[\s>]/);

      const decided = await decideOnScreen(
        t,
        consentId,
        citizen(t, MINJUN_ID, 'citizen-minjun'),
        'approve',
        [],
      );
      expect(decided.status).to.be.oneOf([200, 303]);
      const ready = await post({ ...fields, consentId, step: 'check' });
      expect(ready.text).to.contain('data-status="ACTIVE"');
      expect(ready.text).to.contain('The citizen approved');
      expect(ready.text).not.to.match(/id="run-query"[^>]*\shidden[\s>]/);

      const result = await post({ ...fields, consentId, step: 'run' });
      expect(result.status, result.text.slice(0, 500)).to.equal(200);
      expect(result.text).to.contain('Citizen’s approval');
      expect(result.text).to.contain(consentId);
      expect(result.text).to.contain('Query again with the same consent');

      await t.composition.services.consents.revoke(
        citizen(t, MINJUN_ID, 'citizen-minjun'),
        consentId,
        'test',
      );
      const refused = await post({ ...fields, consentId, step: 'run' });
      expect(refused.status).to.equal(403);
      expect(refused.text).to.contain('The query was refused');
      expect(refused.text).to.contain('The citizen revoked the consent.');
      expect(refused.text).to.contain('data-testid="reason-code">consent_revoked<');
      expect(refused.text).not.to.contain('data-field=');
    });

    it('renders the console in Japanese', async () => {
      const res = await request(t.app)
        .get('/console?lang=ja')
        .set(...asPrincipal(CLERK));
      expect(res.text).to.contain('<html lang="ja">');
      expect(res.text).to.contain('窓口コンソール');
      expect(res.text).to.contain('住居給付の受給資格調査');
      const form = await request(t.app)
        .get(`/console/query?purpose=${HOUSING}`)
        .set('Cookie', 'juc_lang=ja')
        .set(...asPrincipal(CLERK));
      expect(form.text).to.contain('本人の同意の方法');
      expect(form.text).to.contain('住民登録番号');
    });
  });

  describe('landing page', () => {
    it('links the clerk console, the citizen portal and the API docs, in Korean (the default), English and Japanese', async () => {
      const ko = await supertest(t.app).get('/');
      expect(ko.text).to.match(/<html lang="ko">/);
      expect(ko.text).to.contain('민원 창구 콘솔');
      expect(ko.text).to.contain('국민 포털');
      const form = await supertest(t.app)
        .get(`/console/query?purpose=${HOUSING}`)
        .set(...asPrincipal(CLERK));
      expect(form.text).to.match(/<html lang="ko">/);
      expect(form.text).to.contain(
        '주거급여법 제5조; 사회보장급여의 이용·제공 및 수급권자 발굴에 관한 법률 제7조',
      );
      expect(form.text).to.contain('주민등록번호');
      const en = await request(t.app).get('/');
      expect(en.status).to.equal(200);
      for (const href of ['/console', '/portal', '/docs']) expect(en.text).to.contain(`href="${href}"`);
      const ja = await request(t.app).get('/?lang=ja');
      expect(ja.text).to.contain('窓口コンソール');
      expect(ja.text).to.contain('住民ポータル');
    });
  });
});
