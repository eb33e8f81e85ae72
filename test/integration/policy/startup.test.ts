// Start-up (the composition root) refuses to run with a policy it cannot use, and says where.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { compose } from '../../../server/compose.js';
import { createLogger } from '../../../server/http/logger.js';
import { PolicyFileError } from '../../../server/policy/policy.errors.js';
import { LogCapture, testCatalog, testConfig } from '../../support/app.js';
import { freshDatabase, type TestDatabase } from '../../support/database.js';

const VALID_RULE = `  - id: r
    requester: { class: bank }
    purpose: loan.business-credit
    recordType: enterprise.business-status
    fields:
      business_active: { form: predicate, name: business_active }
`;

describe('policy loading at start-up', () => {
  let database: TestDatabase;
  before(async () => {
    database = await freshDatabase();
  });

  async function composeWith(files: Record<string, string>): Promise<unknown> {
    const dir = mkdtempSync(join(tmpdir(), 'policies-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return compose({
      config: testConfig(),
      db: database.db,
      logger: createLogger('silent', new LogCapture()),
      catalog: testCatalog(),
      policyDir: dir,
    });
  }

  async function failure(files: Record<string, string>): Promise<PolicyFileError> {
    try {
      await composeWith(files);
    } catch (err) {
      expect(err).to.be.instanceOf(PolicyFileError);
      return err as PolicyFileError;
    }
    throw new Error('compose should have failed');
  }

  it('fails on a schema-invalid policy file, naming the file, the JSON path and the line', async () => {
    const err = await failure({
      'broken.yaml': `id: broken\nversion: 1.0.0\nrules:\n${VALID_RULE}      status: { form: mask, keepStart: -1 }\n`,
    });
    expect(err.message).to.match(/broken\.yaml at \/rules\/0\/fields\/status\/keepStart \(line 10\)/);
  });

  it('fails on a policy that does not fit the catalog', async () => {
    const err = await failure({
      'mismatch.yaml': `id: mismatch\nversion: 1.0.0\nrules:\n${VALID_RULE}      tradeName: full\n`,
    });
    expect(err.message).to.match(
      /mismatch\.yaml at \/rules\/0\/fields\/tradeName: .*has no field "tradeName"/,
    );
  });

  it('starts with a valid policy folder', async () => {
    const composition = (await composeWith({
      'ok.yaml': `id: ok\nversion: 1.0.0\nrules:\n${VALID_RULE}`,
    })) as { services: { policy: { summary(): unknown } } };
    expect(composition.services.policy.summary()).to.deep.equal({
      files: 1,
      rules: 1,
      purposes: 1,
      recordTypes: 1,
    });
  });
});
