// Runs the table in release-cases.yaml against the shipped policies and the real catalog.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parse } from 'yaml';
import { loadCatalog } from '../../../server/catalog/catalog.js';
import { HASH_PATTERN } from '../../../server/policy/forms.js';
import { loadPolicyService } from '../../../server/policy/policy.service.js';
import type { RequesterClass } from '../../../server/policy/policy.types.js';
import { KEY, NOW } from './fixtures.js';

interface Case {
  name: string;
  requester: { org: string; class: RequesterClass };
  purpose: string;
  recordType: string;
  record: string;
  released: Record<string, unknown>;
}

const table = parse(readFileSync(new URL('./release-cases.yaml', import.meta.url), 'utf8')) as {
  records: Record<string, Record<string, unknown>>;
  cases: Case[];
};
const catalog = loadCatalog();
const service = loadPolicyService({ catalog, pairwiseKey: KEY });

const BUMPED = new Set([
  'education.scholarship',
  'health.insurance-dependant',
  'housing.public-rental',
  'land.building-permit',
  'land.transaction-report',
  'loan.mortgage-screening',
  'pension.benefit-claim',
  'resident.move-in-report',
  'tax.year-end-settlement',
  'vehicle.ownership-transfer',
  'vehicle.seizure-check',
  'veterans.benefits',
  'welfare.basic-livelihood',
  'welfare.housing-benefit',
  'welfare.single-parent-support',
]);

describe('release cases (release-cases.yaml)', () => {
  it('uses records that are valid for their catalog schema', () => {
    for (const c of table.cases) {
      expect(
        catalog.validator(c.recordType)(table.records[c.record]),
        `${c.name}: ${c.record}`,
      ).to.deep.equal([]);
    }
  });

  for (const c of table.cases) {
    it(c.name, () => {
      const plan = service.plan({
        requester: { orgId: c.requester.org, class: c.requester.class },
        purpose: c.purpose,
        recordType: c.recordType,
        consentedFields: 'all',
        requestedFields: 'all',
      });
      const result = service.apply(plan, table.records[c.record], NOW);
      const released = { ...result.released };
      for (const [name, value] of Object.entries(c.released)) {
        if (value === '<pairwise>') {
          expect(released[name], name).to.match(new RegExp(HASH_PATTERN));
          released[name] = '<pairwise>';
        }
      }
      expect(released).to.deep.equal(c.released);
      // Files changed for nested forms (issue 22) are at 1.1.0; the rest still at 1.0.0.
      expect(result.policy).to.deep.equal({
        id: c.purpose,
        version: BUMPED.has(c.purpose) ? '1.1.0' : '1.0.0',
      });
    });
  }

  it('hashes pairwise: the same number differs between two banks and repeats for one', () => {
    const run = (org: string) => {
      const plan = service.plan({
        requester: { orgId: org, class: 'bank' },
        purpose: 'account.opening',
        recordType: 'resident.registration-abstract-individual',
        consentedFields: 'all',
        requestedFields: ['residentRegistrationNumber'],
      });
      return service.apply(plan, table.records['individual-abstract'], NOW).released[
        'residentRegistrationNumber'
      ];
    };
    expect(run('org-bank-gaon')).to.equal(run('org-bank-gaon'));
    expect(run('org-bank-gaon')).to.not.equal(run('org-bank-hanbit'));
  });
});
