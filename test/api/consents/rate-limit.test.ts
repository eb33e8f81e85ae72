// Consent requests are limited per client (per agency at the counter) and per named citizen, in PostgreSQL.
import { expect } from 'chai';
import request from 'supertest';
import { asPrincipal, buildTestApp, principalFromTestHeader, type TestApp } from '../../support/app.js';
import { freshDatabase, type TestDatabase } from '../../support/database.js';
import {
  CLERK,
  GAON,
  HANBIT,
  MINJUN_ID,
  SEOYEON_ID,
  mortgageRequest,
  seedConsentWorld,
} from './consent-fixtures.js';
import type { Principal } from '../../../server/auth/principal.js';

const MINJUN = { subject: { scheme: 'rrn', id: MINJUN_ID } };
const SEOYEON = { subject: { scheme: 'rrn', id: SEOYEON_ID } };
/** A request that names nobody: the citizen identifies at the approval screen. */
const UNNAMED = { subject: undefined };

describe('consent request rate limits', function () {
  this.timeout(60_000);
  let database: TestDatabase;

  before(async () => {
    database = await freshDatabase();
  });

  /** An app on the shared database whose clock stands still at `at` (so the windows are known). */
  async function appAt(at: string, env: Record<string, string>): Promise<TestApp> {
    const t = await buildTestApp({
      authenticate: principalFromTestHeader,
      database,
      now: () => new Date(at),
      env,
    });
    await seedConsentWorld(t);
    return t;
  }

  const ask = (t: TestApp, who: Principal, overrides: Record<string, unknown>) =>
    request(t.app)
      .post('/v1/consent-requests')
      .set(...asPrincipal(who))
      .send(mortgageRequest(overrides));

  const stored = async () => {
    const [consents] = await database.db('consent').count('* as n');
    const [events] = await database.db('consent_event').count('* as n');
    return { consents: Number(consents!.n), events: Number(events!.n) };
  };

  function expectRateLimited(res: request.Response, retryAfter: string) {
    expect(res.status, JSON.stringify(res.body)).to.equal(429);
    expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
    expect(res.body.code).to.equal('rate_limited');
    expect(res.headers['retry-after']).to.equal(retryAfter);
  }

  it('refuses a burst about one citizen above the per-citizen limit with 429 and Retry-After, storing nothing', async () => {
    // 10:15:30 → the hour window ends in 44 min 30 s.
    const t = await appAt('2030-03-04T10:15:30Z', {
      CONSENT_REQUESTS_PER_SUBJECT_PER_HOUR: '3',
      CONSENT_REQUESTS_PER_MINUTE: '1000',
    });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await ask(t, HANBIT, MINJUN)).status);
    expect(statuses).to.deep.equal([201, 201, 201]);
    const before = await stored();
    const burst = await Promise.all(Array.from({ length: 8 }, () => ask(t, HANBIT, MINJUN)));
    for (const res of burst) expectRateLimited(res, '2670');
    expect(await stored()).to.deep.equal(before);
  });

  it('shares the per-citizen limit between clients and keeps other citizens independent', async () => {
    const t = await appAt('2030-03-04T11:59:59Z', {
      CONSENT_REQUESTS_PER_SUBJECT_PER_HOUR: '3',
      CONSENT_REQUESTS_PER_MINUTE: '1000',
    });
    expect((await ask(t, HANBIT, MINJUN)).status).to.equal(201);
    expect((await ask(t, HANBIT, MINJUN)).status).to.equal(201);
    expect((await ask(t, GAON, MINJUN)).status).to.equal(201);
    expectRateLimited(await ask(t, GAON, MINJUN), '1');
    expectRateLimited(await ask(t, HANBIT, MINJUN), '1');
    // Se-yeon's budget is her own, for both banks.
    expect((await ask(t, GAON, SEOYEON)).status).to.equal(201);
    expect((await ask(t, HANBIT, SEOYEON)).status).to.equal(201);
    expect((await ask(t, HANBIT, SEOYEON)).status).to.equal(201);
    expectRateLimited(await ask(t, HANBIT, SEOYEON), '1');
  });

  it('limits each client, and each agency at the counter, per minute whatever the citizen', async () => {
    // 12:00:20 → the minute window ends in 40 s.
    const t = await appAt('2030-03-04T12:00:20Z', {
      CONSENT_REQUESTS_PER_SUBJECT_PER_HOUR: '1000',
      CONSENT_REQUESTS_PER_MINUTE: '3',
    });
    expect((await ask(t, HANBIT, MINJUN)).status).to.equal(201);
    expect((await ask(t, HANBIT, SEOYEON)).status).to.equal(201);
    expect((await ask(t, HANBIT, UNNAMED)).status).to.equal(201);
    const before = await stored();
    expectRateLimited(await ask(t, HANBIT, UNNAMED), '40');
    expectRateLimited(await ask(t, HANBIT, SEOYEON), '40');
    expect(await stored()).to.deep.equal(before);
    // Another bank has its own budget.
    expect((await ask(t, GAON, MINJUN)).status).to.equal(201);
    // Two clerks of one agency share the agency's budget.
    const colleague = { ...CLERK, sub: 'clerk-jongno-2', clerkId: 'clerk-test-jongno-2' };
    const counter = {
      purpose: 'welfare.housing-benefit',
      records: [{ recordType: 'resident.registration-abstract', fields: { required: ['address'] } }],
      usage: { fetch: 'once' },
      dataRange: undefined,
      dataLife: { unit: 'month', value: 6 },
    };
    const clerkStatuses: number[] = [];
    for (const who of [CLERK, colleague, CLERK, colleague])
      clerkStatuses.push((await ask(t, who, { ...counter, ...MINJUN })).status);
    expect(clerkStatuses).to.deep.equal([201, 201, 201, 429]);
  });

  it('holds across two app instances on the same database', async () => {
    const env = { CONSENT_REQUESTS_PER_SUBJECT_PER_HOUR: '4', CONSENT_REQUESTS_PER_MINUTE: '1000' };
    const a = await appAt('2030-03-04T13:30:00Z', env);
    const b = await appAt('2030-03-04T13:30:00Z', env);
    const statuses: number[] = [];
    for (const t of [a, b, a, b]) statuses.push((await ask(t, HANBIT, MINJUN)).status);
    expect(statuses).to.deep.equal([201, 201, 201, 201]);
    const concurrent = await Promise.all([a, b, a, b].map((t) => ask(t, GAON, MINJUN)));
    for (const res of concurrent) expectRateLimited(res, '1800');
  });
});
