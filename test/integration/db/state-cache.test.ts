import { expect } from 'chai';
import pino from 'pino';
import { demoClientPrivateJwk, publicPart } from '../../../server/dev/demo-clients.js';
import { createStateCache, type StateCache } from '../../../server/db/state-cache.js';
import { createOrganisationsRepo } from '../../../server/organisations/organisations.repo.js';
import { createOrganisationsService } from '../../../server/organisations/organisations.service.js';
import { seedOrganisations } from '../../../server/organisations/seed.js';
import { withAccessCache } from '../../../server/queries/cached-access.js';
import { freshDatabase } from '../../support/database.js';

const logger = pino({ level: 'silent' });
const until = async (check: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('state cache (rarely-changing rows, emptied by PostgreSQL on change)', () => {
  let cache: StateCache | undefined;
  afterEach(async () => {
    await cache?.task.stop();
    cache = undefined;
  });

  it('reads through until its listener is connected, then serves repeated reads from memory', async () => {
    const { db } = await freshDatabase({ migrate: true });
    cache = createStateCache(db, { channel: 'juc_access_state', logger });
    let loads = 0;
    const load = async () => ++loads;
    expect(await cache.get('k', load)).to.equal(1);
    expect(await cache.get('k', load)).to.equal(2); // not listening yet: nothing kept
    cache.task.start();
    await until(() => cache!.listening);
    expect(await cache.get('k', load)).to.equal(3);
    expect(await cache.get('k', load)).to.equal(3);
  });

  it('forgets everything when another connection commits a change to an access table', async () => {
    const { db } = await freshDatabase({ migrate: true });
    const organisations = createOrganisationsService({
      repo: createOrganisationsRepo(db),
      recordTypeExists: () => true,
    });
    await seedOrganisations(organisations);
    cache = createStateCache(db, { channel: 'juc_access_state', logger });
    cache.task.start();
    await until(() => cache!.listening);
    const read = () =>
      cache!.get(
        'org',
        async () => (await db('organisation').where({ id: 'org-bank-hanbit' }).first()).status as string,
      );
    expect(await read()).to.equal('active');
    // A write that bypasses this process entirely (another gateway, the CLI, SQL).
    await db('organisation').where({ id: 'org-bank-hanbit' }).update({ status: 'suspended' });
    let seen = await read();
    const end = Date.now() + 3000;
    while (seen !== 'suspended' && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 10));
      seen = await read();
    }
    expect(seen).to.equal('suspended');
  });

  it('a suspension through this process is seen by its very next request', async () => {
    const { db } = await freshDatabase({ migrate: true });
    cache = createStateCache(db, { channel: 'juc_access_state', logger });
    const organisations = withAccessCache(
      createOrganisationsService({ repo: createOrganisationsRepo(db), recordTypeExists: () => true }),
      cache,
    );
    await seedOrganisations(organisations);
    const clientId = 'cache-test-client';
    const jwk = publicPart(await demoClientPrivateJwk(clientId));
    await organisations.createClient(
      'org-bank-hanbit',
      { id: clientId, name: 'Cache test', jwks: { keys: [{ ...jwk }] }, dpopRequired: true },
      { id: 'test' },
    );
    cache.task.start();
    await until(() => cache!.listening);
    expect(await organisations.activeClient(clientId)).to.not.equal(undefined);
    await organisations.setClientStatus(clientId, 'suspended', 'test', { id: 'test' });
    expect(await organisations.activeClient(clientId)).to.equal(undefined);
    await organisations.setClientStatus(clientId, 'active', 'test', { id: 'test' });
    expect(await organisations.activeClient(clientId)).to.not.equal(undefined);
  });

  it('reads through again once its listener is gone', async () => {
    const { db } = await freshDatabase({ migrate: true });
    cache = createStateCache(db, { channel: 'juc_access_state', logger, reconnectMs: 60_000 });
    cache.task.start();
    await until(() => cache!.listening);
    await db.raw(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN juc_access_state' AND pid <> pg_backend_pid()`,
    );
    await until(() => !cache!.listening);
    let loads = 0;
    await cache.get('k', async () => ++loads);
    await cache.get('k', async () => ++loads);
    expect(loads).to.equal(2);
  });
});
