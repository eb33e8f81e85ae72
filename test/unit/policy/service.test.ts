// createPolicyService refuses policies that do not fit the catalog, naming file and JSON path;
// catalogIssues ties predicate outputs to the catalog's fact checks.
import { expect } from 'chai';
import { loadCatalog } from '../../../server/catalog/catalog.js';
import { DEV_POLICY_PAIRWISE_KEY, ConfigError, loadConfig } from '../../../server/config.js';
import { compilePolicies } from '../../../server/policy/policy.compile.js';
import { PolicyFileError } from '../../../server/policy/policy.errors.js';
import { catalogIssues, createPolicyService } from '../../../server/policy/policy.service.js';

const catalog = loadCatalog();

function policy(recordType: string, fields: Record<string, unknown>, cls = 'bank') {
  return compilePolicies([
    {
      file: 'policies/test.yaml',
      data: {
        id: 'test',
        version: '1.0.0',
        rules: [{ id: 'r', requester: { class: cls }, purpose: 'loan.business-credit', recordType, fields }],
      },
    },
  ]);
}

const issuesOf = (recordType: string, fields: Record<string, unknown>) =>
  catalogIssues(policy(recordType, fields), catalog).map((i) => `${i.file} ${i.pointer}: ${i.message}`);

describe('policy service and the catalog', () => {
  it('refuses to build on a field the record type lacks, naming the file and JSON path', () => {
    const set = policy('enterprise.business-registration-certificate', { shoeSize: 'full' });
    expect(() => createPolicyService({ policySet: set, catalog, pairwiseKey: DEV_POLICY_PAIRWISE_KEY }))
      .to.throw(PolicyFileError)
      .that.satisfies(
        (e: PolicyFileError) =>
          e.file === 'policies/test.yaml' &&
          e.pointer === '/rules/0/fields/shoeSize' &&
          /policies\/test\.yaml at \/rules\/0\/fields\/shoeSize: .* has no field "shoeSize"/.test(e.message),
      );
  });

  it('refuses unknown record types and forms that do not fit the field type', () => {
    expect(issuesOf('nope.nothing', { a: 'full' })).to.deep.equal([
      'policies/test.yaml /rules/0/recordType: unknown record type nope.nothing',
    ]);
    expect(
      issuesOf('enterprise.business-registration-certificate', {
        tradeName: { form: 'generalise', to: 'year' },
      }),
    ).to.deep.equal(['policies/test.yaml /rules/0/fields/tradeName: generalise to year needs a date field']);
  });

  it('an output named after a catalog fact check must answer from that fact check basis', () => {
    expect(
      issuesOf('enterprise.business-registration-certificate', {
        business_active: {
          form: 'predicate',
          name: 'status_in',
          args: { values: ['x'] },
          from: { status: 'tradeName' },
        },
      }),
    ).to.deep.equal([
      'policies/test.yaml /rules/0/fields/business_active: answers catalog fact check business_active, whose basis is status, but reads tradeName',
    ]);
    expect(
      issuesOf('enterprise.business-registration-certificate', {
        business_active: { form: 'predicate', name: 'business_active' },
      }),
    ).to.deep.equal([]);
  });

  it('a fact-check-only record type releases only its fact checks', () => {
    expect(
      issuesOf('enterprise.business-status', {
        status: 'full',
        is_open: { form: 'predicate', name: 'business_active' },
        business_active: { form: 'predicate', name: 'business_active' },
        taxpayerType: 'deny',
      }),
    ).to.deep.equal([
      'policies/test.yaml /rules/0/fields/status: enterprise.business-status is fact-check only: release only outputs named after its fact checks (business_active, business_closed)',
      'policies/test.yaml /rules/0/fields/is_open: enterprise.business-status is fact-check only: release only outputs named after its fact checks (business_active, business_closed)',
    ]);
  });

  it('explain names every catalog field and 404s an unknown record type', () => {
    const service = createPolicyService({
      policySet: policy('enterprise.business-status', {
        business_active: { form: 'predicate', name: 'business_active' },
      }),
      catalog,
      pairwiseKey: DEV_POLICY_PAIRWISE_KEY,
    });
    const e = service.explain({
      requester: { class: 'bank' },
      purpose: 'loan.business-credit',
      recordType: 'enterprise.business-status',
    });
    expect(e.fields.map((f) => f.name)).to.deep.equal([
      'businessRegistrationNumber',
      'status',
      'taxpayerType',
      'statusChangedOn',
      'business_active',
    ]);
    expect(() =>
      service.explain({ requester: { class: 'bank' }, purpose: 'x.y', recordType: 'nope.nothing' }),
    ).to.throw(/no record type "nope.nothing"/);
    expect(service.summary()).to.deep.equal({ files: 1, rules: 1, purposes: 1, recordTypes: 1 });
  });
});

describe('POLICY_PAIRWISE_KEY', () => {
  const production = {
    NODE_ENV: 'production',
    DATABASE_URL: 'postgres://a@b/c',
    SUBJECT_PEPPER: 'a-production-secret-of-at-least-32-characters',
    AUDIT_LOG_ORIGIN: 'joint-use.example.go.kr/audit/v1',
  };

  it('defaults to a development key outside production', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).policyPairwiseKey).to.equal(DEV_POLICY_PAIRWISE_KEY);
  });

  it('is required in production, at least 32 characters and not the development key', () => {
    expect(() => loadConfig(production)).to.throw(ConfigError, /POLICY_PAIRWISE_KEY is required/);
    expect(() => loadConfig({ ...production, POLICY_PAIRWISE_KEY: DEV_POLICY_PAIRWISE_KEY })).to.throw(
      ConfigError,
      /POLICY_PAIRWISE_KEY/,
    );
    expect(() => loadConfig({ ...production, POLICY_PAIRWISE_KEY: 'short' })).to.throw(
      ConfigError,
      /POLICY_PAIRWISE_KEY/,
    );
    const key = 'a-production-pairwise-key-of-at-least-32-characters';
    expect(loadConfig({ ...production, POLICY_PAIRWISE_KEY: key }).policyPairwiseKey).to.equal(key);
  });
});
