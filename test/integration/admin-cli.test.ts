import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { freshDatabase, type TestDatabase } from '../support/database.js';

describe('admin CLI', function () {
  this.timeout(60_000);
  let database: TestDatabase;
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'server/cli/admin.ts', ...args], {
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: database.url, NODE_ENV: 'test' },
    });

  before(async () => {
    database = await freshDatabase();
  });

  it('creates, lists and suspends an organisation, recording who did it', () => {
    const created = cli(
      'orgs',
      'create',
      'org-cli-bank',
      'bank',
      '--en',
      'CLI Bank',
      '--ko',
      '씨엘아이은행',
      '--ja',
      'CLI銀行',
    );
    expect(created.status, created.stderr).to.equal(0);
    expect(JSON.parse(created.stdout)).to.include({ id: 'org-cli-bank', class: 'bank', status: 'active' });
    const suspended = cli('orgs', 'suspend', 'org-cli-bank', '--reason', 'test suspension');
    expect(suspended.status, suspended.stderr).to.equal(0);
    const listed = cli('orgs', 'list', '--class', 'bank');
    expect(listed.stdout).to.match(/^org-cli-bank\tbank\tsuspended\tCLI Bank$/m);
  });

  it('reports problems with stable codes and exits non-zero', async () => {
    const missing = cli('orgs', 'suspend', 'org-nobody', '--reason', 'x');
    expect(missing.status).to.equal(1);
    expect(missing.stderr).to.match(/^not_found: /);
    const usage = cli('orgs', 'fly');
    expect(usage.status).to.equal(2);
    expect(usage.stderr).to.contain('usage: npm run admin');
    const events = await database.db('admin_event').where({ target_id: 'org-cli-bank' }).orderBy('id');
    expect(events.map((e) => [e.action, e.actor])).to.deep.equal([
      ['organisation.created', `cli:${userInfo().username}`],
      ['organisation.suspended', `cli:${userInfo().username}`],
    ]);
  });
});
