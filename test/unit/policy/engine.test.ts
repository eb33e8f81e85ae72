import { expect } from 'chai';
import { compilePolicies } from '../../../server/policy/policy.compile.js';
import { applyRelease, planRelease, type PlanInput } from '../../../server/policy/policy.engine.js';
import { PolicyConfigError, ReleaseViolationError } from '../../../server/policy/policy.errors.js';
import { loadPolicies } from '../../../server/policy/policy.loader.js';
import type { Requester } from '../../../server/policy/policy.types.js';
import type { RecordSchema } from '../../../server/catalog/catalog.types.js';
import type { PolicyRecordSchema } from '../../../server/policy/policy.types.js';
import { KEY, NOW, residentRecord, residentSchema } from './fixtures.js';

const POLICIES = new URL('./fixtures/policies/', import.meta.url).pathname;
const policySet = loadPolicies(POLICIES);
const RT = 'resident.registration-abstract';
const bank: Requester = { orgId: 'some-bank', class: 'bank' };
const exampleBank: Requester = { orgId: 'example-bank-01', class: 'bank' };

function plan(overrides: Partial<PlanInput> = {}) {
  return planRelease({
    policySet,
    requester: bank,
    purpose: 'loan.mortgage-screening',
    recordType: RT,
    recordSchema: residentSchema,
    consentedFields: 'all',
    requestedFields: 'all',
    ...overrides,
  });
}

function reasons(withheld: readonly { name: string; reason: string }[]): Record<string, string> {
  return Object.fromEntries(withheld.map((w) => [w.name, w.reason]));
}

describe('policy engine', () => {
  it("accepts the catalog's RecordSchema as a record schema", () => {
    const fromCatalog = residentSchema as unknown as RecordSchema;
    const asPolicy: PolicyRecordSchema = fromCatalog;
    expect(asPolicy.properties).to.have.property('name');
  });

  describe('rule resolution', () => {
    it('a class rule with a purpose family applies to a member purpose', () => {
      expect(plan().rule?.id).to.equal('bank-loan');
      expect(plan({ purpose: 'loan.car' }).rule?.id).to.equal('bank-loan');
    });
    it('an organisation rule beats the class rule', () => {
      const p = plan({ requester: exampleBank });
      expect(p.rule?.id).to.equal('example-bank-mortgage');
      // Not for another purpose: the org rule is exact, so the class rule applies again.
      expect(plan({ requester: exampleBank, purpose: 'loan.car' }).rule?.id).to.equal('bank-loan');
    });
    it('an exact purpose beats a family, which beats *', () => {
      const set = compilePolicies([
        {
          file: 'x.yaml',
          data: {
            id: 'x',
            version: '1.0.0',
            rules: [
              {
                id: 'any',
                requester: { class: 'bank' },
                purpose: '*',
                recordType: RT,
                fields: { name: 'full' },
              },
              {
                id: 'loan',
                requester: { class: 'bank' },
                purpose: 'loan.*',
                recordType: RT,
                fields: { name: 'full' },
              },
              {
                id: 'mortgage-family',
                requester: { class: 'bank' },
                purpose: 'loan.mortgage.*',
                recordType: RT,
                fields: { name: 'full' },
              },
              {
                id: 'exact',
                requester: { class: 'bank' },
                purpose: 'loan.mortgage.first-home',
                recordType: RT,
                fields: { name: 'full' },
              },
            ],
          },
        },
      ]);
      const ruleFor = (purpose: string) => plan({ policySet: set, purpose }).rule?.id;
      expect(ruleFor('loan.mortgage.first-home')).to.equal('exact');
      expect(ruleFor('loan.mortgage.refinance')).to.equal('mortgage-family');
      expect(ruleFor('loan.car')).to.equal('loan');
      expect(ruleFor('loans')).to.equal('any');
      expect(ruleFor('account.opening')).to.equal('any');
    });
    it('no matching rule denies every field with no_rule', () => {
      const p = plan({ requester: { orgId: 'x', class: 'agency' }, purpose: 'loan.car' });
      expect(p.policy).to.equal(null);
      expect(p.release).to.deep.equal([]);
      expect(new Set(p.withheld.map((w) => w.reason))).to.deep.equal(new Set(['no_rule']));
      expect(p.withheld.map((w) => w.name)).to.have.members(Object.keys(residentSchema.properties));
    });
  });

  it('releases policy ∩ consent ∩ request with a reason for everything else', () => {
    const p = plan({
      consentedFields: ['name', 'birthDate', 'isAdult', 'members'],
      requestedFields: ['name', 'residentRegistrationNumber', 'isAdult', 'members', 'shoeSize'],
    });
    expect(p.release.map((f) => f.name)).to.deep.equal(['name', 'isAdult']);
    expect(reasons(p.withheld)).to.deep.equal({
      residentRegistrationNumber: 'not_consented',
      birthDate: 'not_requested',
      address: 'not_requested',
      movedInDate: 'policy_denied',
      addressHistory: 'policy_denied',
      householdHeadName: 'policy_denied',
      members: 'policy_denied',
      shoeSize: 'unknown_field',
    });
    expect(p.policy).to.deep.equal({ id: 'example.resident.registration-abstract', version: '0.1.0' });
  });

  it('applies each form and drops provider extras', () => {
    const p = plan();
    const out = applyRelease(
      p,
      { ...residentRecord, secretNote: 'leak', name: '홍길동' },
      { now: NOW, pairwiseKey: KEY },
    );
    expect(out.released).to.deep.equal({
      name: '홍길동',
      residentRegistrationNumber: '900101-*******',
      birthDate: 1990,
      address: '서울특별시 종로구',
      isAdult: true,
    });
    expect(out.fields.map((f) => [f.name, f.form.form])).to.deep.equal([
      ['name', 'full'],
      ['residentRegistrationNumber', 'mask'],
      ['birthDate', 'generalise'],
      ['address', 'generalise'],
      ['isAdult', 'predicate'],
    ]);
    expect(out.policy).to.deep.equal(p.policy);
    expect(out.released).not.to.have.property('secretNote');
  });

  it('the organisation rule masks, bands and answers residence', () => {
    const out = applyRelease(plan({ requester: exampleBank }), residentRecord, { now: NOW });
    expect(out.released).to.deep.equal({ name: '홍*동', birthDate: '30-39', livesInSeoul: true });
  });

  it('derives a closed release schema from the record schema and the forms', () => {
    const s = plan().releaseSchema as { additionalProperties: boolean; properties: Record<string, unknown> };
    expect(s.additionalProperties).to.equal(false);
    expect(s.properties['birthDate']).to.deep.include({ type: 'integer' });
    expect(s.properties['residentRegistrationNumber']).to.deep.include({ type: 'string' });
    expect(s.properties['residentRegistrationNumber']).not.to.have.property('pattern');
    expect(s.properties['isAdult']).to.deep.equal({ type: 'boolean' });
    expect(s.properties['name']).to.deep.include({ type: 'string', 'x-sensitivity': 'personal' });
    expect(Object.keys(s.properties)).to.have.members([
      'name',
      'residentRegistrationNumber',
      'birthDate',
      'address',
      'isAdult',
    ]);
  });

  it('withholds planned fields the record lacks with not_in_record', () => {
    const { birthDate: _b, address: _a, ...partial } = residentRecord;
    const out = applyRelease(plan(), { ...partial, address: null }, { now: NOW });
    expect(Object.keys(out.released)).to.deep.equal(['name', 'residentRegistrationNumber']);
    expect(reasons(out.withheld)).to.include({
      birthDate: 'not_in_record',
      address: 'not_in_record',
      isAdult: 'not_in_record',
    });
  });

  it('hashes pairwise: same subject, different banks, different pseudonyms', () => {
    const opening = (requester: Requester) =>
      applyRelease(plan({ requester, purpose: 'account.opening' }), residentRecord, {
        now: NOW,
        pairwiseKey: KEY,
      });
    const a = opening(bank).released['residentRegistrationNumber'];
    const b = opening({ orgId: 'other-bank', class: 'bank' }).released['residentRegistrationNumber'];
    expect(a)
      .to.be.a('string')
      .and.match(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.to.equal(b);
    expect(opening(bank).released['residentRegistrationNumber']).to.equal(a);
  });

  it('refuses to hash without a pairwise key', () => {
    expect(() => applyRelease(plan({ purpose: 'account.opening' }), residentRecord, { now: NOW })).to.throw(
      PolicyConfigError,
    );
  });

  it('fails closed when the record schema does not fit the rule', () => {
    const noBirth = { properties: { ...residentSchema.properties, birthDate: { type: 'string' } } };
    expect(() => plan({ recordSchema: noBirth })).to.throw(
      PolicyConfigError,
      /generalise to year needs a date/,
    );
    const { address: _a, ...rest } = residentSchema.properties;
    expect(() => plan({ recordSchema: { properties: rest } })).to.throw(
      PolicyConfigError,
      /has no field "address"/,
    );
  });

  it('throws rather than release a value that breaks the derived schema', () => {
    const p = plan({ requestedFields: ['name'] });
    expect(() => applyRelease(p, { ...residentRecord, name: 42 }, { now: NOW })).to.throw(
      ReleaseViolationError,
    );
    const tampered = { ...p, releaseSchema: { type: 'object', additionalProperties: false, properties: {} } };
    expect(() => applyRelease(tampered, residentRecord, { now: NOW })).to.throw(ReleaseViolationError);
  });

  it('a value the form cannot read is withheld, not guessed', () => {
    const out = applyRelease(plan(), { ...residentRecord, birthDate: 'unknown' }, { now: NOW });
    expect(reasons(out.withheld)).to.include({ birthDate: 'not_in_record', isAdult: 'not_in_record' });
  });

  it('rejects a record that is not an object and a missing clock', () => {
    expect(() => applyRelease(plan(), [residentRecord], { now: NOW })).to.throw(/JSON object/);
    expect(() => applyRelease(plan(), residentRecord, { now: new Date(Number.NaN) })).to.throw(/clock/);
  });

  it('predicates read from renamed fields with `from`', () => {
    const set = compilePolicies([
      {
        file: 'x.yaml',
        data: {
          id: 'x',
          version: '1.0.0',
          rules: [
            {
              id: 'r',
              requester: { class: 'agency' },
              purpose: '*',
              recordType: RT,
              fields: {
                since2021: { form: 'predicate', name: 'resident_since_before', args: { date: '2021-01-01' } },
              },
            },
          ],
        },
      },
    ]);
    const schema = { properties: { ...residentSchema.properties } };
    const p = plan({ policySet: set, requester: { orgId: 'a', class: 'agency' }, recordSchema: schema });
    expect(p.release[0]?.sources).to.deep.equal(['movedInDate']);
    expect(applyRelease(p, residentRecord, { now: NOW }).released).to.deep.equal({ since2021: true });
  });
});
