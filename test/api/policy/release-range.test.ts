// Nested forms and data-range bounds on real records: POST /v1/queries as a clerk against the
// reference registry (the synthetic population), the shipped policies, PostgreSQL and the audit log.
// The clock is fixed so the window is too; expected values are written out by hand.
import { expect } from 'chai';
import request from 'supertest';
import { asPrincipal, buildTestApp, principalFromTestHeader, type TestApp } from '../../support/app.js';
import { freshDatabase } from '../../support/database.js';
import { startTestRegistry } from '../../support/registry.js';
import { CLERK, MINJUN_ID, seedConsentWorld } from '../consents/consent-fixtures.js';

interface RecordResult {
  recordType: string;
  outcome: string;
  released: Record<string, unknown>;
  fields: { name: string; form: string }[];
  withheld: { name: string; reason: string }[];
}

describe('release of nested entries and dated entries (real records)', function () {
  this.timeout(60_000);
  let t: TestApp;
  before(async () => {
    const database = await freshDatabase();
    const registry = await startTestRegistry(database);
    t = await buildTestApp({
      database,
      registry,
      authenticate: principalFromTestHeader,
      now: () => new Date('2026-12-07T03:00:00Z'),
    });
    await seedConsentWorld(t);
  });

  async function query(purpose: string, recordTypes: string[], consent: Record<string, unknown>) {
    const res = await request(t.app)
      .post('/v1/queries')
      .set(...asPrincipal(CLERK))
      .send({
        purpose,
        subject: { scheme: 'rrn', id: MINJUN_ID },
        mode: 'full',
        records: recordTypes.map((recordType) => ({ recordType })),
        consent,
      });
    expect(res.status, res.text.slice(0, 400)).to.equal(200);
    return { body: res.body as { queryId: string; records: RecordResult[] }, text: res.text };
  }

  const attested = { mode: 'attested', documentReference: 'JONGNO-2026-000777' };

  it("masks every family member's number to the birth date for a livelihood clerk, and audits the nested forms", async () => {
    const { body, text } = await query(
      'welfare.basic-livelihood',
      ['family.relations-certificate'],
      attested,
    );
    const [family] = body.records;
    expect(family?.released['subject']).to.deep.equal({
      name: '김민준',
      birthDate: '1985-03-14',
      residentRegistrationNumber: '850314*******',
      sex: 'male',
    });
    expect(family?.released['parents']).to.deep.equal([
      { name: '이하은', birthDate: '1952-10-22', residentRegistrationNumber: '521022*******', sex: 'female' },
      { name: '김건빈', birthDate: '1960-10-29', residentRegistrationNumber: '601029*******', sex: 'male' },
    ]);
    expect(family?.released['children']).to.deep.equal([
      { name: '김윤원', birthDate: '2011-12-12', residentRegistrationNumber: '111212*******', sex: 'female' },
      { name: '김민우', birthDate: '2021-10-20', residentRegistrationNumber: '211020*******', sex: 'male' },
    ]);
    for (const whole of ['8503141234562', '5210222000031', '1112124000011', '2110203000029']) {
      expect(text).to.not.contain(whole);
    }
    expect(family?.fields.map((f) => `${f.name} ${f.form}`)).to.include.members([
      '/subject/residentRegistrationNumber mask',
      '/parents/*/residentRegistrationNumber mask',
      '/children/*/residentRegistrationNumber mask',
    ]);
    const row = await t.database.db('audit_entry').where({ request_id: body.queryId }).first();
    const audited = (JSON.parse(row.body) as { fields: { name: string }[] }).fields.map((f) => f.name);
    expect(audited).to.include('/parents/*/residentRegistrationNumber');
  });

  it('gives the full numbers on the move-in report (art. 16) and names the path that allows it', async () => {
    const { body } = await query('resident.move-in-report', ['resident.registration-abstract'], {
      mode: 'statutory',
    });
    const [abstract] = body.records;
    const members = abstract?.released['members'] as { residentRegistrationNumber: string }[];
    expect(members.map((m) => m.residentRegistrationNumber)).to.deep.equal([
      '8503141234562',
      '1112124000011',
      '2110203000029',
      '5210222000031',
    ]);
    expect(abstract?.fields).to.deep.include({ name: '/members/*/residentRegistrationNumber', form: 'full' });
  });

  it("withholds employment periods that ended before the purpose's 365 days, with the reason", async () => {
    const { body } = await query(
      'welfare.basic-livelihood',
      ['social-insurance.employment-insurance-history'],
      attested,
    );
    const [history] = body.records;
    // Window: 2025-12-07 .. 2026-12-07. Only the open period (since 2021-03-05) reaches into it.
    expect(history?.released['periods']).to.deep.equal([
      { workplaceName: '한결로지스', acquisitionDate: '2021-03-05' },
    ]);
    expect(history?.withheld).to.deep.include({ name: '/periods/*', reason: 'outside_data_range' });
    expect(history?.released['currently_employed']).to.equal(true);
  });
});
