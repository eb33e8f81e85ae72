/**
 * POST /v1/queries claims its DPoP proof id in its admission statement, not in authentication
 * (server/auth/deferred-proof.ts). Whatever way the request ends — answered, answered from the
 * Idempotency-Key store, refused by the contract before the route, refused before or after
 * admission — the proof id is spent, and a second request with it is a 401 like any replay.
 * Authentication is stood in for (so each case can name its proof id); the claim, the statement
 * and the error step are the real ones over PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { RequestHandler } from 'express';
import request from 'supertest';
import type { PendingProof } from '../../../server/auth/deferred-proof.js';
import { asPrincipal, principalFromTestHeader, type TestApp } from '../../support/app.js';
import { HANBIT, MINJUN_ID, approvedConsent, queryWorld } from '../consents/consent-fixtures.js';

const JKT = 'test-thumbprint';

/** The test principal, and the proof id authentication would have left unclaimed. */
const withProof: RequestHandler = (req, res, next) => {
  const jti = req.get('x-test-proof-id');
  if (jti) {
    res.locals.pendingProof = {
      key: `${JKT}:${jti}`,
      expiresAt: new Date(Date.now() + 120_000),
      claimed: false,
    } satisfies PendingProof;
  }
  principalFromTestHeader(req, res, next);
};

const RECORDS = [
  { recordType: 'resident.registration-abstract', fields: { required: ['address'], optional: [] } },
];

describe('a query spends its DPoP proof id however it ends', function () {
  this.timeout(60_000);
  let t: TestApp;
  let consentToken: string;

  before(async () => {
    t = await queryWorld(withProof);
    // 3 uses: the three answered cases below.
    consentToken = (await approvedConsent(t, { records: RECORDS })).token;
  });

  const query = (overrides: Record<string, unknown> = {}) => ({
    purpose: 'loan.mortgage-screening',
    subject: { scheme: 'rrn', id: MINJUN_ID },
    mode: 'full',
    records: [{ recordType: 'resident.registration-abstract' }],
    consent: { token: consentToken },
    ...overrides,
  });

  const send = (jti: string, body: unknown, key?: string) => {
    const r = request(t.app)
      .post('/v1/queries')
      .set(...asPrincipal(HANBIT))
      .set('X-Test-Proof-Id', jti);
    if (key) r.set('Idempotency-Key', key);
    return r.send(body as object);
  };

  const claimed = async (jti: string) =>
    Number((await t.database.db('dpop_replay').where({ jkt: JKT, jti }).count({ n: '*' }))[0]!.n);

  async function expectSpent(jti: string) {
    expect(await claimed(jti), 'the proof id is recorded once').to.equal(1);
    // Claimed before the answer, not by the last guard after it (which logs the slip).
    expect(t.logs.text).to.not.include('not claimed before the answer');
    const again = await send(jti, query());
    expect(again.status, JSON.stringify(again.body)).to.equal(401);
    expect(again.body.detail).to.match(/used before/);
    expect(again.headers['www-authenticate']).to.match(/^DPoP .*error="invalid_dpop_proof"/);
  }

  it('answered: the admission statement claims it', async () => {
    const jti = randomUUID();
    const answer = await send(jti, query());
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
    await expectSpent(jti);
  });

  it('a replay releases nothing and writes no released entry', async () => {
    const jti = randomUUID();
    expect((await send(jti, query())).status).to.equal(200);
    const released = async () =>
      Number((await t.database.db('audit_entry').where({ outcome: 'released' }).count({ n: '*' }))[0]!.n);
    const before = await released();
    const again = await send(jti, query());
    expect(again.status).to.equal(401);
    expect(again.body).to.not.have.property('records');
    expect(await released()).to.equal(before);
  });

  it('answered from the Idempotency-Key store: claimed before the stored answer leaves', async () => {
    const key = `deferred-${randomUUID()}`;
    expect((await send(randomUUID(), query(), key)).status).to.equal(200);
    const jti = randomUUID();
    const replayed = await send(jti, query(), key);
    expect(replayed.status).to.equal(200);
    expect(replayed.headers['idempotent-replayed']).to.equal('true');
    await expectSpent(jti);
    // The stored answer is not given to a replayed proof either.
    const again = await send(jti, query(), key);
    expect(again.status).to.equal(401);
  });

  it('refused by the contract before the route: claimed by the error step', async () => {
    const jti = randomUUID();
    const refused = await send(jti, { ...query(), mode: 'everything' });
    expect(refused.status).to.equal(400);
    await expectSpent(jti);
  });

  it('refused before admission (purpose not entitled): claimed with the budget', async () => {
    const jti = randomUUID();
    const refused = await send(jti, query({ purpose: 'no.such-purpose' }));
    expect(refused.status).to.be.within(400, 404);
    await expectSpent(jti);
  });

  it('refused after admission (no consent): claimed by the admission statement', async () => {
    const jti = randomUUID();
    const refused = await send(jti, query({ consent: undefined }));
    expect(refused.status).to.equal(403);
    expect(refused.body.code).to.equal('consent_required');
    await expectSpent(jti);
  });

  it('a consent token naming no real consent reads nothing and is refused as invalid', async () => {
    const [header, , signature] = consentToken.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ cid: 'not-a-uuid' })).toString('base64url')}.${signature}`;
    const refused = await send(randomUUID(), query({ consent: { token: forged } }));
    expect(refused.status).to.equal(403);
    expect(refused.body.code).to.equal('consent_invalid');
  });
});
