/**
 * The auditor and administrator consoles over HTTP (supertest) on the real composition and PostgreSQL.
 * Principals come from the test header; the browser walk with real sign-in is test/e2e/staff-consoles.test.ts.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import supertest from 'supertest';
import type { AuditEntryInput } from '../../../server/audit/audit.types.js';
import type { Principal } from '../../../server/auth/principal.js';
import { landingPath } from '../../../server/auth/login.routes.js';
import {
  ADMIN,
  AUDITOR,
  asPrincipal,
  buildTestApp,
  principalFromTestHeader,
  type TestApp,
} from '../../support/app.js';

const request = (app: Parameters<typeof supertest.agent>[0]) =>
  supertest.agent(app).set('Accept-Language', 'en');
const csrfFrom = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
const key = (n: number) => createHash('sha256').update(`staff-subject-${n}`).digest('hex');
const CLERK: Principal = {
  kind: 'clerk',
  sub: 'clerk-jongno',
  clerkId: 'clerk-a',
  orgId: 'org-seoul-jongno',
};
const EC_PUBLIC = {
  kty: 'EC',
  crv: 'P-256',
  kid: 'test-key-1',
  x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
  y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
};

function entry(n: number, clerkRef = 'clerk-a'): AuditEntryInput {
  return {
    requestId: `req-staff-${n}-${Math.random().toString(36).slice(2, 8)}`,
    subjectKey: key(n),
    outcome: 'released',
    requester: { org: 'org-seoul-jongno', clerkRef },
    purposeCode: 'welfare.housing-benefit',
    legalBasis: 'Housing Benefit Act art. 5',
    consent: { id: 'c-1', mode: 'attested' },
    recordType: 'resident.registration-abstract',
    fields: [{ name: 'address', form: 'full' }],
  };
}

describe('staff consoles (auditor and administrator pages)', function () {
  this.timeout(60_000);
  let t: TestApp;
  // 2026-11-20 15:10 in Korea.
  const now = new Date('2026-11-20T06:10:00Z');
  const FLAG = `/audit/flag?kind=harvesting&requester=${encodeURIComponent('clerk:clerk-a')}&start=${encodeURIComponent('2026-11-20T06:00:00.000Z')}`;

  before(async () => {
    t = await buildTestApp({
      authenticate: principalFromTestHeader,
      now: () => now,
      env: { HARVEST_FLAG_SUBJECTS_PER_HOUR: '5' },
    });
    // clerk-a reads 7 different citizens within the hour (threshold 5): harvesting. clerk-b reads 2: no flag.
    await t.composition.audit.service.appendMany([
      ...Array.from({ length: 7 }, (_, i) => entry(i)),
      entry(50, 'clerk-b'),
      entry(51, 'clerk-b'),
    ]);
  });

  const staffLog = async () =>
    (await t.database
      .db('staff_access_log')
      .orderBy('id')
      .select('actor', 'action', 'result_count', 'detail')) as {
      actor: string;
      action: string;
      result_count: number | null;
      detail: Record<string, unknown>;
    }[];

  describe('who may open them', () => {
    it('offers the staff sign-in to a visitor, coming back to the page asked for', async () => {
      const res = await request(t.app).get('/audit');
      expect(res.status).to.equal(401);
      expect(res.type).to.equal('text/html');
      expect(res.text).to.contain('href="/auth/login?as=staff&amp;return_to=%2Faudit"');
    });

    it('answers a clerk with the HTML 403 page, an auditor with 403 on /admin, unknown pages with HTML 404', async () => {
      for (const [path, who] of [
        ['/audit', CLERK],
        ['/admin', AUDITOR],
        ['/admin/policies', AUDITOR],
      ] as const) {
        const res = await request(t.app)
          .get(path)
          .set(...asPrincipal(who));
        expect(res.status, path).to.equal(403);
        expect(res.type).to.equal('text/html');
        expect(res.text).to.contain('You may not open this page.');
      }
      const missing = await request(t.app)
        .get('/admin/organisations/org-nowhere')
        .set(...asPrincipal(ADMIN));
      expect(missing.status).to.equal(404);
      expect(missing.type).to.equal('text/html');
      expect(missing.text).to.contain('This page does not exist.');
    });

    it('sends staff who signed in from the home page to their console and keeps any other return path', () => {
      expect(landingPath(ADMIN, '/')).to.equal('/admin');
      expect(landingPath(AUDITOR, '/')).to.equal('/audit');
      expect(landingPath(AUDITOR, '/audit/entries')).to.equal('/audit/entries');
      expect(landingPath(CLERK, '/')).to.equal('/');
    });
  });

  describe('auditor console', () => {
    it('lists the harvesting flag (7 citizens) and records the read in the staff access log', async () => {
      const before = (await staffLog()).length;
      const res = await request(t.app)
        .get('/audit')
        .set(...asPrincipal(AUDITOR));
      expect(res.status).to.equal(200);
      expect(res.text).to.contain('Possible harvesting');
      expect(res.text).to.contain('Clerk clerk-a');
      expect(res.text).to.contain('7 citizens');
      expect(res.text).not.to.contain('Clerk clerk-b');
      expect(res.text).to.contain(FLAG.replace(/&/g, '&amp;'));
      const log = (await staffLog()).slice(before);
      expect(log.map((l) => [l.actor, l.action, l.result_count])).to.deep.equal([
        ['auditor:auditor', 'anomalies.read', 1],
      ]);
    });

    it('drills down to the flag’s 7 entries and keeps a case note and status (CSRF token required)', async () => {
      const page = await request(t.app)
        .get(FLAG)
        .set(...asPrincipal(AUDITOR));
      expect(page.status).to.equal(200);
      expect(page.text).to.contain('7 access entries, newest first');
      expect(page.text).to.contain('Not reviewed');
      const form = {
        kind: 'harvesting',
        requester: 'clerk:clerk-a',
        start: '2026-11-20T06:00:00.000Z',
        status: 'investigating',
        note: 'Asked Jongno why <7> lookups',
        lang: 'en',
      };

      const forged = await request(t.app)
        .post('/audit/flag/case')
        .set(...asPrincipal(AUDITOR))
        .type('form')
        .send({ ...form, _csrf: 'forged' });
      expect(forged.status).to.equal(403);
      expect(Number((await t.database.db('anomaly_case').count({ n: '*' }).first())!.n)).to.equal(0);

      const saved = await request(t.app)
        .post('/audit/flag/case')
        .set(...asPrincipal(AUDITOR))
        .type('form')
        .send({ ...form, _csrf: csrfFrom(page.text) });
      expect(saved.status).to.equal(303);
      expect(saved.headers.location).to.equal(`${FLAG}&lang=en&saved=1`);
      const after = await request(t.app)
        .get(`${FLAG}&saved=1`)
        .set(...asPrincipal(AUDITOR));
      expect(after.text).to.contain('The case note and status were saved.');
      expect(after.text).to.contain('Asked Jongno why &lt;7&gt; lookups</textarea');
      expect(after.text).to.contain('<option value="investigating" selected>');
      expect(after.text).to.contain('Last changed by auditor:auditor');
      const row = await t.database.db('anomaly_case').first();
      expect(row).to.include({
        kind: 'harvesting',
        requester: 'clerk:clerk-a',
        status: 'investigating',
        updated_by: 'auditor:auditor',
      });
      expect((await staffLog()).map((l) => l.action)).to.include('case.updated');

      const bad = await request(t.app)
        .post('/audit/flag/case')
        .set(...asPrincipal(AUDITOR))
        .type('form')
        .send({ ...form, status: 'forgotten', _csrf: csrfFrom(page.text) });
      expect(bad.status).to.equal(400);
      expect(bad.text).to.contain('/status: open, investigating or closed');
      expect((await t.database.db('anomaly_case').first()).status).to.equal('investigating');
    });

    it('filters entries by clerk and exports them as CSV in Korean time, each export logged', async () => {
      const page = await request(t.app)
        .get('/audit/entries?clerk=clerk-b&from=2026-11-20&to=2026-11-20')
        .set(...asPrincipal(AUDITOR));
      expect(page.status).to.equal(200);
      expect(page.text).to.contain('2 access entries, newest first');
      expect(page.text).to.contain(
        'href="/audit/entries.csv?clerk=clerk-b&amp;from=2026-11-20&amp;to=2026-11-20"',
      );
      const csv = await request(t.app)
        .get('/audit/entries.csv?clerk=clerk-b&from=2026-11-20&to=2026-11-20')
        .set(...asPrincipal(AUDITOR));
      expect(csv.status).to.equal(200);
      expect(csv.type).to.equal('text/csv');
      const lines = csv.text
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n');
      expect(lines[0]).to.equal(
        'entry_id,time_kst,organisation,clerk,client,purpose,record_type,outcome,reason,consent_mode,fields,subject_key',
      );
      expect(lines).to.have.length(3);
      expect(lines[1]).to.contain(
        ',2026-11-20 15:10:00+09:00,org-seoul-jongno,clerk-b,,welfare.housing-benefit,',
      );
      const last = (await staffLog()).at(-1)!;
      expect([last.actor, last.action, last.result_count]).to.deep.equal([
        'auditor:auditor',
        'entries.export',
        2,
      ]);
      expect(last.detail).to.deep.equal({
        filters: { clerk: 'clerk-b', from: '2026-11-19T15:00:00.000Z', to: '2026-11-20T15:00:00.000Z' },
      });
    });

    it('records the JSON auditor API’s reads too', async () => {
      const res = await request(t.app)
        .get('/v1/audit/entries?clerk=clerk-b')
        .set(...asPrincipal(AUDITOR));
      expect(res.status).to.equal(200);
      const last = (await staffLog()).at(-1)!;
      expect([last.actor, last.action, last.result_count]).to.deep.equal([
        'auditor:auditor',
        'entries.read',
        2,
      ]);
    });
  });

  describe('administrator console', () => {
    const post = async (path: string, fields: Record<string, string | string[]>, from = '/admin') => {
      const page = await request(t.app)
        .get(from)
        .set(...asPrincipal(ADMIN));
      const form = new URLSearchParams({ _csrf: csrfFrom(page.text), lang: 'en' });
      for (const [k, v] of Object.entries(fields))
        for (const x of Array.isArray(v) ? v : [v]) form.append(k, x);
      return request(t.app)
        .post(path)
        .set(...asPrincipal(ADMIN))
        .type('form')
        .send(form.toString());
    };
    const events = async (action: string) =>
      (await t.database.db('admin_event').where({ action }).select('actor', 'target_id')) as {
        actor: string;
        target_id: string;
      }[];

    it('registers an organisation through the audited use case, refusing what the contract refuses', async () => {
      const names = {
        nameKo: '부산 해운대구청',
        nameEn: 'Haeundae District Office, Busan',
        nameJa: '釜山海雲台区庁',
      };
      const bad = await post('/admin/organisations', { id: 'busan', class: 'agency', ...names });
      expect(bad.status).to.equal(400);
      expect(bad.text).to.contain('/id: must match pattern');
      expect(bad.text).to.contain('value="부산 해운대구청"');
      const ok = await post('/admin/organisations', { id: 'org-busan-haeundae', class: 'agency', ...names });
      expect(ok.status).to.equal(303);
      expect(ok.headers.location).to.equal(
        '/admin/organisations/org-busan-haeundae?done=organisation&lang=en',
      );
      expect(await events('organisation.created')).to.deep.include({
        actor: 'admin:admin',
        target_id: 'org-busan-haeundae',
      });
    });

    it('adds a clerk and an API client (public JWKS, DPoP) and refuses a private key', async () => {
      const org = '/admin/organisations/org-busan-haeundae';
      const clerk = await post(
        `${org}/clerks`,
        { clerkName: 'Kim Seo-yeon', idpSub: 'clerk-haeundae', idpIssuer: 'https://idp.example.kr' },
        org,
      );
      expect(clerk.status).to.equal(303);
      expect((await events('clerk.created')).map((e) => e.actor)).to.deep.equal(['admin:admin']);
      const privateKey = await post(
        `${org}/clients`,
        {
          clientName: 'Leaky app',
          jwks: JSON.stringify({ keys: [{ ...EC_PUBLIC, d: 'secret' }] }),
          dpopRequired: 'yes',
        },
        org,
      );
      expect(privateKey.status).to.equal(400);
      expect(privateKey.text).to.contain('/jwks/keys/0/d: private key material is not accepted');
      const client = await post(
        `${org}/clients`,
        {
          clientName: 'Haeundae app',
          clientId: 'haeundae-app',
          jwks: JSON.stringify({ keys: [EC_PUBLIC] }),
          dpopRequired: 'yes',
        },
        org,
      );
      expect(client.status).to.equal(303);
      expect(await events('api_client.created')).to.deep.equal([
        { actor: 'admin:admin', target_id: 'haeundae-app' },
      ]);
      const page = await request(t.app)
        .get(org)
        .set(...asPrincipal(ADMIN));
      expect(page.text).to.contain('Kim Seo-yeon');
      expect(page.text).to.contain('<code>haeundae-app</code>');
      expect(page.text).to.contain('test-key-1 EC P-256');
      expect(page.text).to.contain('Required');
    });

    it('registers a purpose with its legal basis and bounds (at most 365 days), and shows the policy files', async () => {
      const recordType = t.composition.services.catalog.list()[0]!.id;
      const purpose = {
        code: 'welfare.test-allowance',
        nameKo: '시험 수당',
        nameEn: 'Test allowance',
        nameJa: '試験手当',
        legalBasis: 'Test Allowance Act art. 4',
        consentBasis: 'consent',
        recordTypes: [recordType],
        maxConsentDays: '400',
        maxUses: '2',
        maxDataRangeDays: '90',
      };
      const tooLong = await post('/admin/purposes', purpose, '/admin/purposes');
      expect(tooLong.status).to.equal(400);
      expect(tooLong.text).to.contain('/bounds/maxConsentDays');
      const ok = await post('/admin/purposes', { ...purpose, maxConsentDays: '30' }, '/admin/purposes');
      expect(ok.status).to.equal(303);
      expect(await events('purpose.created')).to.deep.equal([
        { actor: 'admin:admin', target_id: 'welfare.test-allowance' },
      ]);
      const purposes = await request(t.app)
        .get('/admin/purposes')
        .set(...asPrincipal(ADMIN));
      expect(purposes.text).to.contain('Test Allowance Act art. 4');
      expect(purposes.text).to.contain('Consent at most 30 days, 2 uses; records back 90 days');
      const policies = await request(t.app)
        .get('/admin/policies')
        .set(...asPrincipal(ADMIN));
      expect(policies.status).to.equal(200);
      expect(policies.text).to.match(/<td><code>account\.opening<\/code><\/td>\s*<td>1\.0\.0<\/td>/);
    });
  });
});
