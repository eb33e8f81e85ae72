/**
 * Sensitive information and unique identifiers asked for apart (PIPA arts. 23, 24), through the real
 * composition: PostgreSQL, the reference registry over HTTP, the shipped policies, the approval screen
 * in Korean, real consent tokens and the audit log.
 */
import { expect } from 'chai';
import { decodeJwt } from 'jose';
import request from 'supertest';
import { asPrincipal, buildTestApp, principalFromTestHeader, type TestApp } from '../../support/app.js';
import { freshDatabase } from '../../support/database.js';
import { startTestRegistry } from '../../support/registry.js';
import { CLERK, HANBIT, MINJUN_ID, citizen, csrfFrom, seedConsentWorld } from './consent-fixtures.js';

const INDIVIDUAL = 'resident.registration-abstract-individual';

describe('separate consent to sensitive information and unique identifiers', function () {
  this.timeout(60_000);
  let t: TestApp;

  before(async () => {
    const database = await freshDatabase();
    const registry = await startTestRegistry(database);
    t = await buildTestApp({ database, registry, authenticate: principalFromTestHeader });
    await seedConsentWorld(t);
  });

  const minjun = () => citizen(t, MINJUN_ID, 'citizen-minjun');

  /** Hanbit Bank asks to open an account: name and resident registration number needed, address optional. */
  async function accountRequest(): Promise<string> {
    const created = await request(t.app)
      .post('/v1/consent-requests')
      .set(...asPrincipal(HANBIT))
      .send({
        subject: { scheme: 'rrn', id: MINJUN_ID },
        purpose: 'account.opening',
        records: [
          {
            recordType: INDIVIDUAL,
            fields: { required: ['name', 'residentRegistrationNumber'], optional: ['address'] },
          },
        ],
        durationDays: 1,
        usage: { fetch: 'once' },
        dataLife: { unit: 'day', value: 30 },
      });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    return created.body.id as string;
  }

  /** Opens the screen in Korean (no language asked) and approves, ticking the given separate boxes. */
  async function approve(id: string, separate: string[]) {
    const page = await request(t.app)
      .get(`/consent/${id}`)
      .set(...asPrincipal(minjun()));
    expect(page.status).to.equal(200);
    const form = new URLSearchParams({ _csrf: csrfFrom(page.text), decision: 'approve', lang: 'ko' });
    form.append('keep', `${INDIVIDUAL}|address`);
    for (const kind of separate) form.append('separate', kind);
    const res = await request(t.app)
      .post(`/consent/${id}`)
      .set(...asPrincipal(minjun()))
      .type('form')
      .send(form.toString());
    expect(res.status, res.text.slice(0, 300)).to.equal(303);
  }

  async function token(id: string): Promise<string> {
    const res = await request(t.app)
      .post(`/v1/consents/${id}/token`)
      .set(...asPrincipal(HANBIT));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body.token as string;
  }

  const bankQuery = (consentToken: string, fields?: string[]) =>
    request(t.app)
      .post('/v1/queries')
      .set(...asPrincipal(HANBIT))
      .send({
        purpose: 'account.opening',
        subject: { scheme: 'rrn', id: MINJUN_ID },
        mode: 'full',
        records: [{ recordType: INDIVIDUAL, ...(fields ? { fields } : {}) }],
        consent: { token: consentToken },
      });

  it('shows unique identifiers as a separate step, in Korean, naming each item, never ticked in advance', async () => {
    const id = await accountRequest();
    const page = await request(t.app)
      .get(`/consent/${id}`)
      .set(...asPrincipal(minjun()));
    expect(page.status).to.equal(200);
    expect(page.text).to.match(/<html lang="ko">/);
    const step = /<fieldset class="record separate" id="step-unique-identifier">([\s\S]*?)<\/fieldset>/.exec(
      page.text,
    );
    expect(step, 'the separate step').not.to.equal(null);
    expect(step![1]).to.contain('고유식별정보 처리에 대한 별도 동의');
    expect(step![1]).to.contain('「개인정보 보호법」 제24조');
    expect(step![1]).to.contain('주민등록번호');
    expect(step![1]).to.contain('위 고유식별정보를 한빛은행에 제공하는 데 동의합니다.');
    expect(step![1]).to.match(
      /<input type="checkbox" id="separate-unique-identifier" name="separate" value="unique-identifier" \/>/,
    );
    // The number is asked for only there, not in the ordinary list; no sensitive step for this request.
    const ordinary = /<fieldset class="record">([\s\S]*?)<\/fieldset>/.exec(page.text)![1]!;
    expect(ordinary).not.to.contain('주민등록번호');
    expect(ordinary).to.match(/name="keep"\s+value="resident.registration-abstract-individual\|address"/);
    expect(step![1]).to.match(/<span lang="ko">\s*주민등록번호\s*<\/span>/);
    expect(page.text).not.to.contain('step-sensitive');
    // In English when asked.
    const en = await request(t.app)
      .get(`/consent/${id}?lang=en`)
      .set(...asPrincipal(minjun()));
    expect(en.text).to.contain('Separate consent: unique identifiers');
  });

  it('approving without ticking the separate box does not grant the identifier; the rest stands', async () => {
    const id = await accountRequest();
    await approve(id, []);
    const row = await t.database.db('consent').where({ id }).first();
    expect(row.status).to.equal('ACTIVE');
    expect(row.fields_granted).to.deep.equal({ [INDIVIDUAL]: ['name', 'address'] });
    expect(row.separate_agreement).to.equal(null);
    const approved = await t.database.db('consent_event').where({ consent_id: id, type: 'approved' }).first();
    expect(approved.detail.separatelyDeclined).to.deep.equal({
      [INDIVIDUAL]: ['residentRegistrationNumber'],
    });

    const consentToken = await token(id);
    const claims = decodeJwt(consentToken) as { authorization_details: Record<string, unknown>[] };
    expect(claims.authorization_details[0]).not.to.have.property('separate_agreement');
    // Asking for the number itself: the consent does not cover it.
    const asked = await bankQuery(consentToken, ['name', 'residentRegistrationNumber']);
    expect(asked.status, JSON.stringify(asked.body)).to.equal(403);
    expect(asked.body.code).to.equal('forbidden');
    // Asking for everything: released without it.
    const released = await bankQuery(await token(id));
    expect(released.status, JSON.stringify(released.body)).to.equal(200);
    expect(Object.keys(released.body.records[0].released).sort()).to.deep.equal(['address', 'name']);
  });

  it('with the box ticked, records the agreement in the consent, its event and its token, and releases the identifier', async () => {
    const id = await accountRequest();
    await approve(id, ['unique-identifier']);
    const row = await t.database.db('consent').where({ id }).first();
    expect(row.fields_granted).to.deep.equal({
      [INDIVIDUAL]: ['name', 'residentRegistrationNumber', 'address'],
    });
    expect(row.separate_agreement.uniqueIdentifier).to.deep.equal({
      [INDIVIDUAL]: ['residentRegistrationNumber'],
    });
    expect(row.separate_agreement.sensitive).to.deep.equal({});
    expect(row.separate_agreement.by).to.equal('citizen');
    const approved = await t.database.db('consent_event').where({ consent_id: id, type: 'approved' }).first();
    expect(approved.detail.separateAgreement).to.deep.equal({
      sensitive: {},
      uniqueIdentifier: { [INDIVIDUAL]: ['residentRegistrationNumber'] },
    });
    expect(approved.detail).not.to.have.property('separatelyDeclined');

    const consentToken = await token(id);
    const claims = decodeJwt(consentToken) as { authorization_details: Record<string, unknown>[] };
    expect(claims.authorization_details[0]!.separate_agreement).to.deep.equal({
      unique_identifier: ['residentRegistrationNumber'],
    });
    const res = await bankQuery(consentToken);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const record = res.body.records[0];
    expect(Object.keys(record.released).sort()).to.deep.equal([
      'address',
      'name',
      'residentRegistrationNumber',
    ]);
    // The bank's policy gives it a pairwise hash, never the number itself.
    expect(record.released.residentRegistrationNumber).not.to.contain(MINJUN_ID.slice(6));
  });

  describe('at the counter (attested paper forms)', () => {
    const attested = (separateAgreement: boolean, mode: 'full' | 'fact-check' = 'full') =>
      request(t.app)
        .post('/v1/queries')
        .set(...asPrincipal(CLERK))
        .send({
          purpose: 'welfare.disability-services',
          subject: { scheme: 'rrn', id: MINJUN_ID },
          mode,
          records: [{ recordType: 'welfare.disability-certificate' }],
          consent: {
            mode: 'attested',
            documentReference: 'JONGNO-2026-000901',
            ...(separateAgreement ? { separateAgreement: true } : {}),
          },
        });

    it('refuses a release of health data when the form does not state the separate agreement, and audits it', async () => {
      for (const mode of ['full', 'fact-check'] as const) {
        const res = await attested(false, mode);
        expect(res.status, JSON.stringify(res.body)).to.equal(403);
        expect(res.body.code).to.equal('separate_consent_required');
        expect(res.body.recordType).to.equal('welfare.disability-certificate');
        expect(res.body.fields, mode).to.include.members(
          mode === 'full' ? ['disabilityType', 'severity'] : ['disability_registered', 'disability_severe'],
        );
        const rows = await t.database.db('audit_entry').where({ request_id: res.headers['x-request-id'] });
        expect(rows.map((r) => [r.outcome, r.reason_code, r.record_type])).to.deep.equal([
          ['denied', 'separate_consent_required', 'welfare.disability-certificate'],
        ]);
      }
    });

    it('releases it when the clerk attests the separate agreement on the signed form', async () => {
      const res = await attested(true);
      expect(res.status, JSON.stringify(res.body)).to.not.equal(403);
      const consent = await t.database.db('consent').where({ id: res.body.consent.id }).first();
      expect(consent.separate_agreement).to.deep.include({
        sensitive: { 'welfare.disability-certificate': ['disabilityType', 'severity'] },
        uniqueIdentifier: {},
        by: 'attested-form',
      });
      const record = res.body.records[0];
      if (record.outcome === 'released') expect(record.released).to.have.property('disabilityType');
      else expect(record.outcome).to.equal('provider_error');
    });
  });
});
