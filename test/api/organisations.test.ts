import { expect } from 'chai';
import request from 'supertest';
import { seedOrganisations, readDemoSeed } from '../../server/organisations/seed.js';
import {
  ADMIN,
  AUDITOR,
  asPrincipal,
  buildTestApp,
  principalFromTestHeader,
  type TestApp,
} from '../support/app.js';

const CLERK = { kind: 'clerk' as const, sub: 'c1', clerkId: 'clerk-1', orgId: 'org-mois' };
const EC_KEY = {
  kty: 'EC',
  crv: 'P-256',
  kid: 'k1',
  x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
  y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
};

describe('organisations and purposes', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp({ authenticate: principalFromTestHeader });
    await seedOrganisations(t.composition.services.organisations);
  });

  it('seeds at least 10 agencies, 3 public institutions, 4 banks and 30 purposes, idempotently', async () => {
    const again = await seedOrganisations(t.composition.services.organisations);
    expect(again.created).to.equal(0);
    const seed = readDemoSeed();
    const counts = (cls: string) => seed.organisations.filter((o) => o.class === cls).length;
    expect(counts('agency')).to.be.at.least(10);
    expect(counts('public-institution')).to.be.at.least(3);
    expect(counts('bank')).to.be.at.least(4);
    const res = await request(t.app).get('/v1/purposes?limit=100');
    expect(res.status).to.equal(200);
    expect(res.body.items.length).to.be.at.least(30);
    expect(res.body.next).to.equal(null);
  });

  it('pages purposes with a cursor and filters by record type', async () => {
    const first = await request(t.app).get('/v1/purposes?limit=5');
    expect(first.body.items).to.have.length(5);
    const second = await request(t.app).get(`/v1/purposes?limit=5&after=${first.body.next}`);
    expect(second.body.items[0].code > first.body.items[4].code).to.equal(true);
    const filtered = await request(t.app).get('/v1/purposes?recordType=land.ledger');
    expect(filtered.body.items.length).to.be.greaterThan(0);
    for (const p of filtered.body.items) expect(p.recordTypes).to.include('land.ledger');
  });

  it('returns one purpose with its legal basis and bounds, and 404 for an unknown code', async () => {
    const res = await request(t.app).get('/v1/purposes/loan.mortgage-screening');
    expect(res.status).to.equal(200);
    expect(res.body.legalBasis).to.match(/Credit Information Act/);
    expect(res.body.bounds.maxConsentDays).to.be.at.most(365);
    const missing = await request(t.app).get('/v1/purposes/loan.nothing');
    expect(missing.status).to.equal(404);
    expect(missing.body.code).to.equal('not_found');
  });

  it('lets only admins change the registry, auditors read it, and others nothing', async () => {
    const body = {
      id: 'org-test-bank',
      class: 'bank',
      names: { en: 'Test Bank', ko: '테스트은행', ja: 'テスト銀行' },
    };
    const anonymous = await request(t.app).post('/v1/admin/organisations').send(body);
    expect(anonymous.status).to.equal(401);
    const clerk = await request(t.app)
      .post('/v1/admin/organisations')
      .set(...asPrincipal(CLERK))
      .send(body);
    expect(clerk.status).to.equal(403);
    const auditorWrite = await request(t.app)
      .post('/v1/admin/organisations')
      .set(...asPrincipal(AUDITOR))
      .send(body);
    expect(auditorWrite.status).to.equal(403);
    const auditorRead = await request(t.app)
      .get('/v1/admin/organisations?class=bank')
      .set(...asPrincipal(AUDITOR));
    expect(auditorRead.status).to.equal(200);
    expect(auditorRead.body.items.every((o: { class: string }) => o.class === 'bank')).to.equal(true);
    const created = await request(t.app)
      .post('/v1/admin/organisations')
      .set(...asPrincipal(ADMIN))
      .send(body);
    expect(created.status).to.equal(201);
    expect(created.headers.location).to.equal('/v1/admin/organisations/org-test-bank');
    const duplicate = await request(t.app)
      .post('/v1/admin/organisations')
      .set(...asPrincipal(ADMIN))
      .send(body);
    expect(duplicate.status).to.equal(409);
    const events = await t.database.db('admin_event').where({ target_id: 'org-test-bank' });
    expect(events.map((e) => e.action)).to.deep.equal(['organisation.created']);
    expect(events[0].actor).to.equal('admin:admin');
  });

  it('rejects invalid input with problem+json and changes nothing', async () => {
    const before = await t.database.db('organisation').count('* as n').first();
    const bad = await request(t.app)
      .post('/v1/admin/organisations')
      .set(...asPrincipal(ADMIN))
      .send({ id: 'Bad Id', class: 'casino', names: { en: 'x' } });
    expect(bad.status).to.equal(400);
    expect(bad.body.code).to.equal('validation_failed');
    expect(bad.body.errors.length).to.be.greaterThan(1);
    const purpose = await request(t.app)
      .post('/v1/admin/purposes')
      .set(...asPrincipal(ADMIN))
      .send({
        code: 'test.too-long',
        names: { en: 'a', ko: 'b', ja: 'c' },
        legalBasis: 'Test Act',
        consentBasis: 'consent',
        recordTypes: ['land.ledger', 'no.such-type'],
        bounds: { maxConsentDays: 365, maxUses: 1, maxDataRangeDays: 30 },
        procedure: false,
      });
    expect(purpose.status).to.equal(400);
    expect(purpose.body.errors).to.deep.include({
      pointer: '/recordTypes/1',
      message: 'unknown record type no.such-type',
    });
    const after = await t.database.db('organisation').count('* as n').first();
    expect(after).to.deep.equal(before);
    expect(await t.database.db('purpose').where({ code: 'test.too-long' }).first()).to.equal(undefined);
  });

  it('registers public-key-only API clients, suspends them, and refuses private keys', async () => {
    const priv = await request(t.app)
      .post('/v1/admin/organisations/org-bank-hanbit/clients')
      .set(...asPrincipal(ADMIN))
      .send({ name: 'leaky', jwks: { keys: [{ ...EC_KEY, d: 'secret' }] }, dpopRequired: true });
    expect(priv.status).to.equal(400);
    expect(priv.body.errors[0].pointer).to.equal('/jwks/keys/0/d');
    const created = await request(t.app)
      .post('/v1/admin/organisations/org-bank-hanbit/clients')
      .set(...asPrincipal(ADMIN))
      .send({ id: 'hanbit-loans', name: 'Loans', jwks: { keys: [EC_KEY] }, dpopRequired: true });
    expect(created.status).to.equal(201);
    const organisations = t.composition.services.organisations;
    expect(await organisations.activeClient('hanbit-loans')).to.have.nested.property(
      'organisation.id',
      'org-bank-hanbit',
    );
    const suspended = await request(t.app)
      .post('/v1/admin/clients/hanbit-loans/suspend')
      .set(...asPrincipal(ADMIN))
      .send({ reason: 'key compromise reported' });
    expect(suspended.body.status).to.equal('suspended');
    expect(await organisations.activeClient('hanbit-loans')).to.equal(undefined);
  });

  it('refuses a suspended organisation and purposes it is not entitled to', async () => {
    const organisations = t.composition.services.organisations;
    await organisations.assertEntitled('org-bank-gaon', 'loan.mortgage-screening');
    const notEntitled = await organisations.assertEntitled('org-bank-gaon', 'passport.issue').catch((e) => e);
    expect(notEntitled.code).to.equal('purpose_not_allowed');
    await request(t.app)
      .post('/v1/admin/organisations/org-bank-gaon/suspend')
      .set(...asPrincipal(ADMIN))
      .send({ reason: 'licence revoked' })
      .expect(200);
    const suspended = await organisations
      .assertEntitled('org-bank-gaon', 'loan.mortgage-screening')
      .catch((e) => e);
    expect(suspended.status).to.equal(403);
    await request(t.app)
      .post('/v1/admin/organisations/org-bank-gaon/reinstate')
      .set(...asPrincipal(ADMIN))
      .send({ reason: 'licence restored' })
      .expect(200);
    const events = await t.database.db('admin_event').where({ target_id: 'org-bank-gaon' }).orderBy('id');
    expect(events.map((e) => e.action)).to.include.members([
      'organisation.suspended',
      'organisation.reinstated',
    ]);
  });

  it('keeps the admin event log append-only', async () => {
    const err = await t.database
      .db('admin_event')
      .update({ actor: 'someone else' })
      .catch((e: Error) => e);
    expect(String(err)).to.match(/append-only/);
  });
});
