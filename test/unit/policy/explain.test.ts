import { expect } from 'chai';
import { ValidationError } from '../../../server/errors.js';
import { loadPolicies } from '../../../server/policy/policy.loader.js';
import { explain } from '../../../server/policy/policy.service.js';
import { residentSchema } from './fixtures.js';

const policySet = loadPolicies(new URL('./fixtures/policies/', import.meta.url).pathname);
const recordType = 'resident.registration-abstract';

describe('policy explain', () => {
  it('lists every field with its outcome, form and deciding rule', () => {
    const e = explain(policySet, {
      requester: { class: 'bank' },
      purpose: 'loan.car',
      recordType,
      recordSchema: residentSchema,
    });
    expect(e.policy).to.deep.equal({ id: 'example.resident.registration-abstract', version: '0.1.0' });
    expect(e.rule).to.deep.include({ id: 'bank-loan', pointer: '/rules/0' });
    expect(e.rule?.file).to.match(/example\.resident\.registration-abstract\.yaml$/);
    const byName = Object.fromEntries(e.fields.map((f) => [f.name, f]));
    expect(byName['birthDate']).to.deep.include({
      outcome: 'released',
      form: { form: 'generalise', to: 'year' },
    });
    expect(byName['members']).to.deep.include({ outcome: 'withheld', reason: 'policy_denied' });
    expect(byName['members']?.detail).to.match(/denies/);
    expect(byName['movedInDate']).to.deep.include({ outcome: 'withheld', reason: 'policy_denied' });
    expect(byName['movedInDate']?.detail).to.match(/does not list/);
    expect(byName['isAdult']).to.deep.include({ outcome: 'released', sources: ['birthDate'] });
    expect(e.fields.every((f) => f.rule?.id === 'bank-loan')).to.equal(true);
  });

  it('shows the organisation rule winning over its class rule', () => {
    const e = explain(policySet, {
      requester: { orgId: 'example-bank-01', class: 'bank' },
      purpose: 'loan.mortgage-screening',
      recordType,
    });
    expect(e.candidates.map((c) => [c.id, c.chosen])).to.deep.equal([
      ['example-bank-mortgage', true],
      ['bank-loan', false],
    ]);
    // Without a record schema only the rule's own fields are listed.
    expect(e.fields.map((f) => f.name)).to.have.members(['name', 'birthDate', 'livesInSeoul']);
  });

  it('an organisation alone matches only organisation rules', () => {
    const e = explain(policySet, {
      requester: { orgId: 'example-bank-01' },
      purpose: 'loan.car',
      recordType,
    });
    expect(e.rule).to.equal(null);
  });

  it('says no_rule when nothing matches', () => {
    const e = explain(policySet, {
      requester: { class: 'agency' },
      purpose: 'loan.car',
      recordType,
      recordSchema: residentSchema,
    });
    expect(e.rule).to.equal(null);
    expect(
      e.fields.every((f) => f.outcome === 'withheld' && f.reason === 'no_rule' && f.rule === null),
    ).to.equal(true);
  });

  it('needs a requester', () => {
    expect(() => explain(policySet, { requester: {}, purpose: 'x', recordType })).to.throw(ValidationError);
  });
});
