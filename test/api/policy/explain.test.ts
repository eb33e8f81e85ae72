import { expect } from 'chai';
import request from 'supertest';
import { seedOrganisations } from '../../../server/organisations/seed.js';
import { buildTestApp, type TestApp } from '../../support/app.js';

describe('GET /v1/policy/explain', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp();
    await seedOrganisations(t.composition.services.organisations);
  });

  const explain = (query: Record<string, string>) => request(t.app).get('/v1/policy/explain').query(query);

  it('explains each field for a class: form, reason and the deciding rule, publicly', async () => {
    const res = await explain({
      class: 'bank',
      purpose: 'loan.mortgage-screening',
      recordType: 'tax.income-amount-certificate',
    });
    expect(res.status).to.equal(200);
    expect(res.body.policy).to.deep.equal({ id: 'loan.mortgage-screening', version: '1.1.0' });
    expect(res.body.rule).to.deep.include({ id: 'bank.tax.income-amount-certificate' });
    expect(res.body.rule.file).to.match(/policies\/loan\.mortgage-screening\.yaml$/);
    const byName = Object.fromEntries(res.body.fields.map((f: { name: string }) => [f.name, f]));
    expect(Object.keys(byName)).to.deep.equal([
      'taxpayerName',
      'residentRegistrationNumber',
      'attributionYear',
      'incomeType',
      'payers',
      'totalIncome',
      'determinedTax',
    ]);
    expect(byName.residentRegistrationNumber).to.deep.include({
      outcome: 'withheld',
      reason: 'policy_denied',
    });
    expect(byName.totalIncome).to.deep.include({ outcome: 'released' });
    expect(byName.totalIncome.form).to.deep.include({ form: 'generalise', to: 'bracket' });
    expect(byName.totalIncome.rule).to.deep.equal(res.body.rule);
  });

  it('takes an organisation, looks up its class and lists predicate outputs', async () => {
    const res = await explain({
      org: 'org-bank-saebom',
      purpose: 'loan.jeonse-deposit',
      recordType: 'family.relations-certificate',
    });
    expect(res.status).to.equal(200);
    expect(res.body.requester).to.deep.equal({ class: 'bank', orgId: 'org-bank-saebom' });
    const hasChildren = res.body.fields.find((f: { name: string }) => f.name === 'has_children');
    expect(hasChildren).to.deep.include({ outcome: 'released', sources: ['children'] });
    expect(hasChildren.form).to.deep.include({ form: 'predicate', name: 'count_gte' });
  });

  it('says no_rule for a record type the purpose does not use', async () => {
    const res = await explain({
      class: 'bank',
      purpose: 'account.opening',
      recordType: 'welfare.disability-certificate',
    });
    expect(res.status).to.equal(200);
    expect(res.body.rule).to.equal(null);
    for (const f of res.body.fields)
      expect(f).to.deep.include({ outcome: 'withheld', reason: 'no_rule', rule: null });
  });

  it('404s an unknown purpose, record type or organisation as problem+json', async () => {
    const purpose = await explain({ class: 'bank', purpose: 'loan.nothing', recordType: 'land.ledger' });
    expect(purpose.status).to.equal(404);
    expect(purpose.type).to.equal('application/problem+json');
    expect(purpose.body.code).to.equal('not_found');
    const recordType = await explain({
      class: 'bank',
      purpose: 'loan.mortgage-screening',
      recordType: 'land.nothing',
    });
    expect(recordType.status).to.equal(404);
    expect(recordType.body.code).to.equal('record_type_unknown');
    const org = await explain({
      org: 'org-nobody',
      purpose: 'loan.mortgage-screening',
      recordType: 'land.ledger',
    });
    expect(org.status).to.equal(404);
  });

  it('400s bad parameters', async () => {
    const cases: Record<string, string>[] = [
      { purpose: 'loan.mortgage-screening', recordType: 'land.ledger' }, // no class or org
      { class: 'citizen', purpose: 'loan.mortgage-screening', recordType: 'land.ledger' },
      { class: 'bank', recordType: 'land.ledger' },
      { class: 'bank', purpose: 'loan.mortgage-screening' },
      { class: 'bank', purpose: 'Loan Screening', recordType: 'land.ledger' },
      {
        class: 'agency',
        org: 'org-bank-hanbit',
        purpose: 'loan.mortgage-screening',
        recordType: 'land.ledger',
      },
    ];
    for (const query of cases) {
      const res = await explain(query);
      expect(res.status, JSON.stringify(query)).to.equal(400);
      expect(res.type).to.equal('application/problem+json');
      expect(res.body.code).to.equal('validation_failed');
    }
  });
});
