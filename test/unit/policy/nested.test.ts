// Forms over nested paths and data-range bounds, against the real catalog schemas. Policies are
// written inline; every expected value below is written out by hand.
import { expect } from 'chai';
import { loadCatalog } from '../../../server/catalog/catalog.js';
import { compilePolicies } from '../../../server/policy/policy.compile.js';
import { PolicyFileError } from '../../../server/policy/policy.errors.js';
import { parsePolicyText } from '../../../server/policy/policy.loader.js';
import { createPolicyService, type PolicyService } from '../../../server/policy/policy.service.js';
import type { DataRangeBounds } from '../../../server/policy/policy.types.js';

const catalog = loadCatalog();
const NOW = new Date('2026-12-07T03:00:00Z'); // 2026-12-07 in Korea
const AGENCY = { orgId: 'org-seoul-jongno', class: 'agency' as const };

function service(yaml: string): PolicyService {
  const set = compilePolicies([parsePolicyText('inline.yaml', yaml)]);
  return createPolicyService({ policySet: set, catalog, pairwiseKey: 'nested-test-key-0000000000000000' });
}

function release(s: PolicyService, recordType: string, record: unknown, dataRange?: DataRangeBounds) {
  const plan = s.plan({
    requester: AGENCY,
    purpose: 'test.nested',
    recordType,
    consentedFields: 'all',
    requestedFields: 'all',
    ...(dataRange ? { dataRange } : {}),
  });
  return s.apply(plan, record, NOW);
}

function problems(yaml: string): string[] {
  try {
    service(yaml);
  } catch (err) {
    if (err instanceof PolicyFileError) return err.issues.map((i) => `${i.pointer}: ${i.message}`);
    throw err;
  }
  return [];
}

const household = {
  householdHeadName: '김민준',
  address: '서울특별시 종로구 세종대로 209',
  householdFormedDate: '2015-03-02',
  members: [
    {
      name: '김민준',
      residentRegistrationNumber: '850314-1234562',
      relationshipToHead: 'self',
      movedInDate: '2015-03-02',
      changeReason: 'move-in',
    },
    {
      name: '이서연',
      residentRegistrationNumber: '870921-2345671',
      relationshipToHead: 'spouse',
      movedInDate: '2016-05-20',
      changeReason: 'marriage',
    },
  ],
  addressHistory: [
    { address: '부산광역시 해운대구 우동 1', movedInDate: '2010-01-04', changeReason: 'move-in' },
    { address: '서울특별시 마포구 합정동 2', movedInDate: '2026-02-01', changeReason: 'move-in' },
    { address: '서울특별시 종로구 세종대로 209', movedInDate: '2026-09-15', changeReason: 'move-in' },
  ],
};

const abstractRule = (fields: string): string => `
id: test.nested
version: 1.0.0
rules:
  - id: agency.abstract
    requester: { class: agency }
    purpose: test.nested
    recordType: resident.registration-abstract
    fields:
${fields}`;

describe('policy forms over nested paths', () => {
  it('masks each household member number with the rrn-back7 mask and names the nested path in the release', () => {
    const s = service(
      abstractRule(`      householdHeadName: full
      members: full
      '/members/*/residentRegistrationNumber': { form: mask, preset: rrn-back7 }`),
    );
    const result = release(s, 'resident.registration-abstract', household);
    expect(result.released).to.deep.equal({
      householdHeadName: '김민준',
      members: [
        {
          name: '김민준',
          residentRegistrationNumber: '850314-*******',
          relationshipToHead: 'self',
          movedInDate: '2015-03-02',
          changeReason: 'move-in',
        },
        {
          name: '이서연',
          residentRegistrationNumber: '870921-*******',
          relationshipToHead: 'spouse',
          movedInDate: '2016-05-20',
          changeReason: 'marriage',
        },
      ],
    });
    expect(result.fields.map((f) => `${f.name} ${f.form.form}`)).to.deep.equal([
      'householdHeadName full',
      'members full',
      '/members/*/residentRegistrationNumber mask',
    ]);
  });

  it('withholds a nested identifier no path names, by default, and says so', () => {
    const s = service(abstractRule(`      members: full`));
    const result = release(s, 'resident.registration-abstract', household);
    const members = result.released['members'] as Record<string, unknown>[];
    expect(members.map((m) => Object.keys(m))).to.deep.equal([
      ['name', 'relationshipToHead', 'movedInDate', 'changeReason'],
      ['name', 'relationshipToHead', 'movedInDate', 'changeReason'],
    ]);
    expect(JSON.stringify(result.released)).to.not.contain('850314');
    expect(result.withheld).to.deep.include({
      name: '/members/*/residentRegistrationNumber',
      reason: 'policy_denied',
    });
  });

  it('lets the most specific path win: a name beats *, and a full path overrides the identifier default', () => {
    const yaml = `
id: test.nested
version: 1.0.0
rules:
  - id: agency.family
    requester: { class: agency }
    purpose: test.nested
    recordType: family.relations-certificate
    fields:
      subject: full
      '/subject/*': deny
      '/subject/name': full
      '/subject/birthDate': { form: generalise, to: year }
      children: full
      '/children/*/*': { form: mask, preset: name }
      '/children/*/sex': full
      '/children/*/residentRegistrationNumber': { form: mask, preset: rrn-back7 }
      parents: full
      '/parents/*/residentRegistrationNumber': full
`;
    const record = {
      registrationBase: '서울특별시 종로구',
      subject: {
        name: '김민준',
        birthDate: '1985-03-14',
        residentRegistrationNumber: '8503141234562',
        sex: 'male',
      },
      parents: [
        {
          name: '김철수',
          birthDate: '1955-01-02',
          residentRegistrationNumber: '5501021000003',
          sex: 'male',
        },
      ],
      children: [
        {
          name: '김하은',
          birthDate: '2015-06-07',
          residentRegistrationNumber: '1506074000008',
          sex: 'female',
        },
      ],
    };
    const result = release(service(yaml), 'family.relations-certificate', record);
    expect(result.released).to.deep.equal({
      subject: { name: '김민준', birthDate: 1985 },
      parents: [
        {
          name: '김철수',
          birthDate: '1955-01-02',
          residentRegistrationNumber: '5501021000003',
          sex: 'male',
        },
      ],
      children: [
        {
          name: '김*은',
          birthDate: '2********7',
          residentRegistrationNumber: '150607*******',
          sex: 'female',
        },
      ],
    });
    expect(result.withheld).to.deep.include.members([
      { name: '/subject/residentRegistrationNumber', reason: 'policy_denied' },
      { name: '/subject/sex', reason: 'policy_denied' },
    ]);
  });

  it('drops keys a provider adds inside a released entry', () => {
    const s = service(
      abstractRule(`      members: full
      '/members/*/residentRegistrationNumber': deny`),
    );
    const extra = { ...household, members: [{ ...household.members[0], bankAccount: '110-234-567890' }] };
    const result = release(s, 'resident.registration-abstract', extra);
    expect(result.released['members']).to.deep.equal([
      { name: '김민준', relationshipToHead: 'self', movedInDate: '2015-03-02', changeReason: 'move-in' },
    ]);
  });

  it('refuses an unknown nested path, a parent not released in full, a form the node cannot take and a path under a denied one', () => {
    expect(
      problems(
        abstractRule(`      members: full
      '/members/*/passportNumber': deny`),
      ),
    ).to.deep.equal([
      '/rules/0/fields/~1members~1*~1passportNumber: resident.registration-abstract has no /members/*/passportNumber',
    ]);
    expect(
      problems(
        abstractRule(`      members: deny
      '/members/*/name': full`),
      ),
    ).to.deep.equal([
      '/rules/0/fields/~1members~1*~1name: "members" is released as deny; nested forms apply only under a field released in full',
    ]);
    expect(
      problems(
        abstractRule(`      members: full
      '/members/name': full`),
      ),
    ).to.deep.equal([
      '/rules/0/fields/~1members~1name: resident.registration-abstract /members is a list: name its items with *',
    ]);
    expect(
      problems(
        abstractRule(`      members: full
      '/members/*': { form: mask, preset: name }`),
      ),
    ).to.deep.equal(['/rules/0/fields/~1members~1*: mask applies to a value, not to a whole object']);
    expect(
      problems(
        abstractRule(`      members: full
      '/members/*': deny
      '/members/*/name': full`),
      ),
    ).to.deep.equal([
      '/rules/0/fields/~1members~1*~1name: never applies: /members/* gives the whole value as deny',
    ]);
  });

  it('refuses a malformed nested key in the policy file itself', () => {
    expect(() =>
      compilePolicies([
        parsePolicyText(
          'inline.yaml',
          abstractRule(`      members: full
      '/members': full`),
        ),
      ]),
    ).to.throw(PolicyFileError, /is not a valid field name/);
  });
});

describe('data-range bounds at release', () => {
  const s = service(
    abstractRule(`      address: full
      members: full
      '/members/*/residentRegistrationNumber': { form: mask, preset: rrn-back7 }
      addressHistory: full`),
  );

  it("withholds address-history entries dated before the purpose's reach, with the reason", () => {
    // 365 days before 2026-12-07 is 2025-12-07: the 2010 entry is outside.
    const result = release(s, 'resident.registration-abstract', household, { maxDays: 365 });
    expect(result.released['addressHistory']).to.deep.equal([
      { address: '서울특별시 마포구 합정동 2', movedInDate: '2026-02-01', changeReason: 'move-in' },
      { address: '서울특별시 종로구 세종대로 209', movedInDate: '2026-09-15', changeReason: 'move-in' },
    ]);
    expect(result.withheld).to.deep.include({ name: '/addressHistory/*', reason: 'outside_data_range' });
    // Members are not dated (the household as it stands), so all stay.
    expect(result.released['members']).to.have.length(2);
  });

  it("narrows to the consent's range", () => {
    const result = release(s, 'resident.registration-abstract', household, {
      maxDays: 365,
      from: '2026-01-01',
      to: '2026-06-30',
    });
    expect(result.released['addressHistory']).to.deep.equal([
      { address: '서울특별시 마포구 합정동 2', movedInDate: '2026-02-01', changeReason: 'move-in' },
    ]);
  });

  it('keeps a period that overlaps the window and drops one that ended before it', () => {
    const periods = service(`
id: test.nested
version: 1.0.0
rules:
  - id: agency.employment
    requester: { class: agency }
    purpose: test.nested
    recordType: social-insurance.employment-insurance-history
    fields:
      name: full
      periods: full
`);
    const record = {
      name: '김민준',
      periods: [
        {
          workplaceName: '가나상사',
          acquisitionDate: '2012-03-01',
          lossDate: '2019-08-31',
          lossReason: 'contract-expiry',
        },
        {
          workplaceName: '다라전자',
          acquisitionDate: '2019-09-01',
          lossDate: '2026-03-31',
          lossReason: 'dismissal',
        },
        { workplaceName: '마바물산', acquisitionDate: '2026-05-01' },
      ],
    };
    const result = release(periods, 'social-insurance.employment-insurance-history', record, {
      maxDays: 180,
    });
    // 180 days before 2026-12-07 is 2026-06-10: the second period ended on 2026-03-31.
    expect(result.released['periods']).to.deep.equal([
      { workplaceName: '마바물산', acquisitionDate: '2026-05-01' },
    ]);
    expect(result.withheld).to.deep.include({ name: '/periods/*', reason: 'outside_data_range' });
  });

  it('leaves a release without bounds untouched', () => {
    const result = release(s, 'resident.registration-abstract', household);
    expect(result.released['addressHistory']).to.have.length(3);
    expect(result.withheld.filter((w) => w.reason === 'outside_data_range')).to.deep.equal([]);
  });
});
