/**
 * The policy service keeps recent plans (a query plans each record three or four times). A kept
 * plan must only ever answer the very same request: another organisation of the same class, other
 * consented fields or another data range get their own plan.
 */
import { expect } from 'chai';
import { loadCatalog } from '../../../server/catalog/catalog.js';
import { compilePolicies } from '../../../server/policy/policy.compile.js';
import { parsePolicyText } from '../../../server/policy/policy.loader.js';
import { createPolicyService, type PlanRequest } from '../../../server/policy/policy.service.js';

const RT = 'resident.registration-abstract';
// Jongno's own rule releases the address in full; every other agency gets only the head's name.
const YAML = `
id: test.cache
version: 1.0.0
rules:
  - id: agency.class
    requester: { class: agency }
    purpose: test.cache
    recordType: ${RT}
    fields:
      householdHeadName: full
  - id: jongno.own
    requester: { org: org-seoul-jongno }
    purpose: test.cache
    recordType: ${RT}
    fields:
      householdHeadName: full
      address: full
`;

const service = () =>
  createPolicyService({
    policySet: compilePolicies([parsePolicyText('inline.yaml', YAML)]),
    catalog: loadCatalog(),
    pairwiseKey: 'plan-cache-test-key-000000000000',
  });

const request = (orgId: string, consented: PlanRequest['consentedFields'] = 'all'): PlanRequest => ({
  requester: { orgId, class: 'agency' },
  purpose: 'test.cache',
  recordType: RT,
  consentedFields: consented,
  requestedFields: 'all',
});

const released = (plan: { release: readonly { name: string }[] }) => plan.release.map((f) => f.name).sort();

describe('kept release plans', () => {
  it('answers only the same request: not another organisation of the class, nor other consented fields', () => {
    const s = service();
    const jongno = s.plan(request('org-seoul-jongno'));
    expect(released(jongno)).to.deep.equal(['address', 'householdHeadName']);
    expect(s.plan(request('org-seoul-jongno')), 'the same request: the kept plan').to.equal(jongno);
    const mapo = s.plan(request('org-seoul-mapo'));
    expect(released(mapo)).to.deep.equal(['householdHeadName']);
    expect(mapo.requester.orgId).to.equal('org-seoul-mapo');
    const narrower = s.plan(request('org-seoul-jongno', ['householdHeadName']));
    expect(released(narrower)).to.deep.equal(['householdHeadName']);
    expect(s.plan({ ...request('org-seoul-jongno'), dataRange: { maxDays: 30 } })).to.not.equal(jongno);
  });
});
