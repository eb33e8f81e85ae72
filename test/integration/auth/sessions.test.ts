import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startIdentityOrDevIdp as startIdentity } from '../../../server/dev/dev-identity.js';
import type { Principal } from '../../../server/auth/principal.js';
import { createPgReplayStore, createSessionsRepo, tokenHash } from '../../../server/auth/sessions.repo.js';
import { createLogger } from '../../../server/http/logger.js';
import { LogCapture, testConfig } from '../../support/app.js';
import { freshDatabase, type TestDatabase } from '../../support/database.js';

const CITIZEN: Principal = { kind: 'citizen', sub: 'citizen-minjun', subjectKey: 'ab'.repeat(32) };

describe('sessions, pending sign-ins and DPoP replay records (PostgreSQL)', function () {
  this.timeout(30_000);
  let database: TestDatabase;
  let clock: Date;
  const now = () => clock;
  const advance = (sec: number) => (clock = new Date(clock.getTime() + sec * 1000));

  before(async () => {
    database = await freshDatabase();
  });
  beforeEach(() => {
    clock = new Date('2026-03-01T09:00:00Z');
  });

  it('stores only the token hash, slides the idle timeout, and ends at the absolute timeout', async () => {
    const repo = createSessionsRepo(database.db, { idleSec: 600, absoluteSec: 1800 }, now);
    const { token, session } = await repo.create(CITIZEN, 'http://idp');
    expect(session.idHash).to.equal(tokenHash(token));
    const rows = await database.db('auth_session').select('*');
    expect(JSON.stringify(rows)).to.not.contain(token);

    advance(500);
    const touched = await repo.find(token); // touched: idle deadline moves on
    expect(touched?.lastSeenAt.toISOString()).to.equal(clock.toISOString());
    expect(touched?.idleExpiresAt.getTime()).to.equal(clock.getTime() + 600_000);
    const at = clock.toISOString();
    advance(20);
    const fresh = await repo.find(token); // seen 20 s ago: no write, the stored deadline stands
    expect(fresh?.lastSeenAt.toISOString()).to.equal(at);
    const stored = (await database
      .db('auth_session')
      .where({ id_hash: tokenHash(token) })
      .first()) as {
      last_seen_at: Date;
    };
    expect(stored.last_seen_at.toISOString()).to.equal(at);
    advance(480);
    expect((await repo.find(token))?.principal).to.deep.equal(CITIZEN);
    advance(500);
    const late = await repo.find(token);
    expect(late, 'still active at 25 min').to.not.equal(undefined);
    expect(late!.idleExpiresAt.toISOString(), 'never past the absolute expiry').to.equal(
      late!.expiresAt.toISOString(),
    );
    advance(400);
    expect(await repo.find(token), 'absolute timeout at 30 min').to.equal(undefined);

    const idle = await repo.create(CITIZEN, 'http://idp');
    advance(601);
    expect(await repo.find(idle.token), 'idle for longer than 10 min').to.equal(undefined);
    expect(await repo.find('x'.repeat(43))).to.equal(undefined);
  });

  it('destroys a session and purges ended ones', async () => {
    const repo = createSessionsRepo(database.db, { idleSec: 600, absoluteSec: 1800 }, now);
    const live = await repo.create(CITIZEN, 'http://idp');
    expect(await repo.destroy(live.token)).to.equal(true);
    expect(await repo.find(live.token)).to.equal(undefined);
    await repo.create(CITIZEN, 'http://idp');
    advance(3600);
    const purged = await repo.purgeExpired();
    expect(purged.sessions).to.be.greaterThan(0);
    const [left] = await database.db('auth_session').where('expires_at', '<=', clock).count({ n: '*' });
    expect(Number(left!.n)).to.equal(0);
  });

  it('consumes a pending sign-in exactly once, and not after 10 minutes', async () => {
    const repo = createSessionsRepo(database.db, { idleSec: 600, absoluteSec: 1800 }, now);
    const login = {
      state: 's',
      nonce: 'n',
      codeVerifier: 'v',
      kind: 'citizen' as const,
      returnTo: '/x',
      redirectUri: 'http://gw/auth/callback',
    };
    const binding = await repo.savePendingLogin(login);
    expect(await repo.takePendingLogin(binding)).to.deep.equal(login);
    expect(await repo.takePendingLogin(binding)).to.equal(undefined);
    const stale = await repo.savePendingLogin(login);
    advance(601);
    expect(await repo.takePendingLogin(stale)).to.equal(undefined);
  });

  it('remembers a DPoP proof id per key until it expires, atomically under concurrency', async () => {
    const store = createPgReplayStore(database.db, now);
    const until = new Date(clock.getTime() + 120_000);
    const results = await Promise.all(Array.from({ length: 8 }, () => store.markUsed('jktA:jti-1', until)));
    expect(results.filter(Boolean)).to.have.length(1);
    expect(await store.markUsed('jktB:jti-1', until), 'another key may use the same jti').to.equal(true);
    advance(121);
    expect(await store.markUsed('jktA:jti-1', new Date(clock.getTime() + 120_000))).to.equal(true);
  });
});

describe('identity set-up', function () {
  this.timeout(30_000);
  const logger = createLogger('silent', new LogCapture());

  it('refuses to run without an identity provider in production', async () => {
    const { db } = await freshDatabase();
    // Only the identity part matters here; the rest of production's requirements are config.ts's.
    const config = { ...testConfig(), nodeEnv: 'production' as const };
    let error: unknown;
    try {
      await startIdentity({ config, db, logger });
    } catch (err) {
      error = err;
    }
    expect((error as Error).message).to.match(/OIDC_ISSUER_URL/);
  });

  it('uses a configured provider and issuers without starting the dev one', async () => {
    const { db } = await freshDatabase();
    const issuers = [{ issuer: 'https://as.example', jwksUri: 'https://as.example/jwks', audience: 'urn:x' }];
    const identity = await startIdentity({
      config: testConfig({
        OIDC_ISSUER_URL: 'https://idp.example',
        OIDC_CLIENT_ID: 'gw',
        OIDC_CLIENT_SECRET: 'secret',
        API_TOKEN_ISSUERS: JSON.stringify(issuers),
      }),
      db,
      logger,
    });
    expect(identity.devIdp).to.equal(undefined);
    expect(identity.setup.rp).to.include({
      issuer: 'https://idp.example',
      clientId: 'gw',
      allowInsecureRequests: false,
    });
    expect(identity.setup.apiIssuers).to.deep.equal(issuers);
  });

  it('keeps the dev identity provider on the same port and keys across restarts', async () => {
    const { db } = await freshDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'juc-dev-idp-'));
    try {
      const config = testConfig({ DEV_DATA_DIR: dir });
      const first = await startIdentity({ config, db, logger });
      const issuer = first.devIdp!.issuer;
      const kids = first.devIdp!.keys.public.map((k) => k.kid);
      await first.stop();
      const state = JSON.parse(readFileSync(join(dir, 'dev-idp.json'), 'utf8')) as { port: number };
      expect(issuer).to.equal(`http://127.0.0.1:${state.port}`);
      const second = await startIdentity({ config, db, logger });
      try {
        expect(second.devIdp!.issuer).to.equal(issuer);
        expect(second.devIdp!.keys.public.map((k) => k.kid)).to.deep.equal(kids);
        expect(second.setup.apiIssuers).to.deep.equal([
          { issuer, jwksUri: `${issuer}/jwks`, audience: 'urn:joint-use-center:api' },
        ]);
        expect(second.describe().join('\n')).to.contain(issuer).and.contain('citizen-minjun');
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
