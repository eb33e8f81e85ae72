// GET /v1/policy/explain over the shipped policies for nested paths and data-range bounds, through
// the real app (contract-validated responses); expected values written by hand from policies/.
import { expect } from 'chai';
import request from 'supertest';
import { seedOrganisations } from '../../../server/organisations/seed.js';
import { buildTestApp, type TestApp } from '../../support/app.js';

interface Field {
  name: string;
  outcome: string;
  form?: Record<string, unknown>;
  reason?: string;
  detail: string;
  dataRange?: Record<string, unknown>;
}

describe('GET /v1/policy/explain: nested paths and data range', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp();
    await seedOrganisations(t.composition.services.organisations);
  });

  const explain = async (query: Record<string, string>): Promise<Field[]> => {
    const res = await request(t.app).get('/v1/policy/explain').query(query);
    expect(res.status, res.text.slice(0, 300)).to.equal(200);
    return res.body.fields as Field[];
  };

  it("lists a household member's number under members, masked to the birth date for a clerk", async () => {
    const fields = await explain({
      class: 'agency',
      purpose: 'welfare.housing-benefit',
      recordType: 'resident.registration-abstract',
    });
    expect(fields.map((f) => f.name)).to.deep.equal([
      'householdHeadName',
      'address',
      'householdFormedDate',
      'members',
      '/members/*/residentRegistrationNumber',
      'addressHistory',
    ]);
    const rrn = fields[4];
    expect(rrn).to.deep.include({ outcome: 'released' });
    expect(rrn?.form).to.deep.equal({ form: 'mask', keepStart: 6, keepEnd: 0, char: '*', preserve: '-' });
    expect(rrn?.detail).to.match(/most specific path/);
  });

  it('gives the full number only where the move-in report needs it, and says how far back the history reaches', async () => {
    const fields = await explain({
      class: 'agency',
      purpose: 'resident.move-in-report',
      recordType: 'resident.registration-abstract',
    });
    const byName = Object.fromEntries(fields.map((f) => [f.name, f]));
    expect(byName['/members/*/residentRegistrationNumber']?.form).to.deep.equal({ form: 'full' });
    expect(byName['addressHistory']?.dataRange).to.deep.equal({
      reason: 'outside_data_range',
      datedBy: ['/addressHistory/*/movedInDate'],
      maxDays: 30,
    });
    expect(byName['addressHistory']?.detail).to.contain('outside 30 days back or the consent range');
    expect(byName['members']?.dataRange).to.equal(undefined);
  });

  it('gives a bank no household entries at all, so no nested path is listed', async () => {
    const fields = await explain({
      class: 'bank',
      purpose: 'loan.jeonse-deposit',
      recordType: 'resident.registration-abstract',
    });
    const members = fields.find((f) => f.name === 'members');
    expect(members).to.deep.include({ outcome: 'withheld', reason: 'policy_denied' });
    expect(fields.filter((f) => f.name.startsWith('/'))).to.deep.equal([]);
  });

  it("masks every person's number on a family certificate for a public institution", async () => {
    const fields = await explain({
      class: 'public-institution',
      purpose: 'health.insurance-dependant',
      recordType: 'family.relations-certificate',
    });
    const nested = fields.filter((f) => f.name.startsWith('/'));
    expect(nested.map((f) => `${f.name} ${String(f.form?.['form'])}`)).to.deep.equal([
      '/subject/residentRegistrationNumber mask',
      '/parents/*/residentRegistrationNumber mask',
      '/spouse/residentRegistrationNumber mask',
      '/children/*/residentRegistrationNumber mask',
    ]);
  });
});
