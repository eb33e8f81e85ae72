/**
 * Representatives through the real composition: a parent registered by an administrator as a minor's
 * guardian approves a bank's consent request for the child (the screen says so in Korean; the event
 * names both); the child sees the grant and cannot revoke it; a citizen's own delegation is seen and
 * revoked by them; an expired grant stops working; a protection order beats a grant.
 */
import { expect } from 'chai';
import request from 'supertest';
import {
  ADMIN,
  asPrincipal,
  buildTestApp,
  principalFromTestHeader,
  type TestApp,
} from '../../support/app.js';
import {
  HANBIT,
  MINJUN_ID,
  SEOYEON_ID,
  citizen,
  decideOnScreen,
  mortgageRequest,
  seedConsentWorld,
} from '../consents/consent-fixtures.js';

const CHILD_ID = '1505054123454';
const JIHOON_ID = '0105053123454';
const RECORDS = ['resident.registration-abstract', 'tax.income-amount-certificate'];
const DAY_MS = 86_400_000;

describe('representatives', function () {
  this.timeout(60_000);
  let t: TestApp;
  let clock = new Date('2026-12-01T01:00:00Z');

  before(async () => {
    t = await buildTestApp({ authenticate: principalFromTestHeader, now: () => clock });
    await seedConsentWorld(t);
  });

  const minjun = () => citizen(t, MINJUN_ID, 'citizen-minjun');
  const seoyeon = () => citizen(t, SEOYEON_ID, 'citizen-seoyeon');
  const child = () => citizen(t, CHILD_ID, 'citizen-child');
  const jihoon = () => citizen(t, JIHOON_ID, 'citizen-jihoon');
  const inDays = (days: number) => new Date(clock.getTime() + days * DAY_MS).toISOString();

  async function askAbout(nationalId: string): Promise<string> {
    const res = await request(t.app)
      .post('/v1/consent-requests')
      .set(...asPrincipal(HANBIT))
      .send(mortgageRequest({ subject: { scheme: 'rrn', id: nationalId } }));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.id as string;
  }
  const screen = (id: string, who = minjun()) =>
    request(t.app)
      .get(`/consent/${id}`)
      .set(...asPrincipal(who));
  const delegate = (
    who: ReturnType<typeof citizen>,
    to: { id: string; name: string },
    principalName: string,
    days: number,
  ) =>
    request(t.app)
      .post('/v1/me/representatives')
      .set(...asPrincipal(who))
      .send({
        representative: { scheme: 'rrn', id: to.id, name: to.name },
        principalName,
        recordTypes: RECORDS,
        validUntil: inDays(days),
      });

  let guardianGrant: string;

  it('lets an administrator register a minor’s guardian on evidence, and checks the evidence kind', async () => {
    const body = {
      kind: 'guardian_minor',
      representative: { scheme: 'rrn', id: MINJUN_ID, name: '김민준' },
      principal: { scheme: 'rrn', id: CHILD_ID, name: '김하늘' },
      recordTypes: RECORDS,
      validUntil: inDays(365),
      evidence: { kind: 'family_relation', reference: '가족관계증명서 2026-0001' },
    };
    const wrongEvidence = await request(t.app)
      .post('/v1/admin/representatives')
      .set(...asPrincipal(ADMIN))
      .send({ ...body, evidence: { kind: 'power_of_attorney', reference: 'POA-1' } });
    expect(wrongEvidence.status).to.equal(400);
    const res = await request(t.app)
      .post('/v1/admin/representatives')
      .set(...asPrincipal(ADMIN))
      .send(body);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.include({ kind: 'guardian_minor', status: 'active', revocableByPrincipal: false });
    expect(res.body.representative).to.deep.equal({ name: '김민준' });
    expect(JSON.stringify(res.body)).not.to.contain(CHILD_ID);
    guardianGrant = res.body.id;
  });

  it('lets the guardian approve a consent for the child, on a screen that says so, recording both names', async () => {
    const id = await askAbout(CHILD_ID);
    const page = await screen(id);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('김하늘 님을 대리하여 결정합니다');
    expect(page.text).to.contain('미성년자의 법정대리인');
    // A stranger still cannot open it.
    expect((await screen(id, seoyeon())).status).to.equal(403);

    const decided = await decideOnScreen(t, id, minjun(), 'approve', []);
    expect(decided.status, decided.text?.slice(0, 300)).to.equal(303);
    const record = await t.database.db('consent').where({ id }).first();
    expect(record.status).to.equal('ACTIVE');
    expect(record.subject_key).to.equal(child().subjectKey);
    const event = await t.database.db('consent_event').where({ consent_id: id, type: 'approved' }).first();
    expect(event.actor).to.equal('representative');
    expect(event.detail.representation).to.deep.equal({
      grantId: guardianGrant,
      kind: 'guardian_minor',
      representative: { subjectKey: minjun().subjectKey, name: '김민준' },
      principal: { subjectKey: child().subjectKey, name: '김하늘' },
    });

    // The child sees the consent and the grant, and cannot revoke a guardianship.
    const consents = await request(t.app)
      .get('/v1/me/consents')
      .set(...asPrincipal(child()));
    expect(consents.body.items.map((c: { id: string }) => c.id)).to.deep.equal([id]);
    const grants = await request(t.app)
      .get('/v1/me/representatives')
      .set(...asPrincipal(child()));
    expect(grants.status).to.equal(200);
    expect(grants.body.representatives.map((g: { id: string }) => g.id)).to.deep.equal([guardianGrant]);
    expect(grants.body.principals).to.deep.equal([]);
    const revoke = await request(t.app)
      .post(`/v1/me/representatives/${guardianGrant}/revoke`)
      .set(...asPrincipal(child()))
      .send({});
    expect(revoke.status).to.equal(403);
    expect(
      (await t.database.db('representative_grant').where({ id: guardianGrant }).first()).revoked_at,
    ).to.equal(null);
  });

  it('shows the principal their own delegation and lets them revoke it; then it no longer works', async () => {
    const made = await delegate(seoyeon(), { id: MINJUN_ID, name: '김민준' }, '이서연', 30);
    expect(made.status, JSON.stringify(made.body)).to.equal(201);
    expect(made.body).to.include({ kind: 'delegation', revocableByPrincipal: true });
    expect(made.body.evidence.kind).to.equal('own_delegation');
    const asRepresentative = await request(t.app)
      .get('/v1/me/representatives')
      .set(...asPrincipal(minjun()));
    expect(
      asRepresentative.body.principals.map((g: { principal: { name: string } }) => g.principal.name).sort(),
    ).to.deep.equal(['김하늘', '이서연']);

    const id = await askAbout(SEOYEON_ID);
    expect((await screen(id)).status).to.equal(200);
    const revoked = await request(t.app)
      .post(`/v1/me/representatives/${made.body.id}/revoke`)
      .set(...asPrincipal(seoyeon()))
      .send({});
    expect(revoked.status, JSON.stringify(revoked.body)).to.equal(200);
    expect(revoked.body.status).to.equal('revoked');
    expect((await screen(id)).status).to.equal(403);
    expect((await decideOnScreen(t, id, minjun(), 'approve', [])).status).to.equal(403);
    expect((await t.database.db('consent').where({ id }).first()).status).to.equal('REQUESTED');
  });

  it('stops an expired grant from working', async () => {
    const made = await delegate(seoyeon(), { id: MINJUN_ID, name: '김민준' }, '이서연', 1);
    expect(made.status).to.equal(201);
    const early = await askAbout(SEOYEON_ID);
    expect((await screen(early)).status).to.equal(200);
    clock = new Date(clock.getTime() + 2 * DAY_MS);
    const late = await askAbout(SEOYEON_ID);
    expect((await screen(late)).status).to.equal(403);
    expect((await decideOnScreen(t, late, minjun(), 'approve', [])).status).to.equal(403);
    const listed = await request(t.app)
      .get('/v1/me/representatives')
      .set(...asPrincipal(seoyeon()));
    expect(listed.body.representatives.find((g: { id: string }) => g.id === made.body.id).status).to.equal(
      'expired',
    );
  });

  it('lets a protection order beat a grant: a barred person can neither act nor be registered', async () => {
    const made = await delegate(seoyeon(), { id: JIHOON_ID, name: '박지훈' }, '이서연', 30);
    expect(made.status).to.equal(201);
    const id = await askAbout(SEOYEON_ID);
    expect((await screen(id, jihoon())).status).to.equal(200);

    const order = await request(t.app)
      .post('/v1/me/protection-orders')
      .set(...asPrincipal(seoyeon()))
      .send({ kind: 'person', nationalId: JIHOON_ID });
    expect(order.status).to.equal(201);

    expect((await screen(id, jihoon())).status).to.equal(403);
    expect((await decideOnScreen(t, id, jihoon(), 'approve', [])).status).to.equal(403);
    expect((await t.database.db('consent').where({ id }).first()).status).to.equal('REQUESTED');
    expect((await delegate(seoyeon(), { id: JIHOON_ID, name: '박지훈' }, '이서연', 30)).status).to.equal(403);
    const byAdmin = await request(t.app)
      .post('/v1/admin/representatives')
      .set(...asPrincipal(ADMIN))
      .send({
        kind: 'guardian_adult',
        representative: { scheme: 'rrn', id: JIHOON_ID, name: '박지훈' },
        principal: { scheme: 'rrn', id: SEOYEON_ID, name: '이서연' },
        recordTypes: RECORDS,
        validUntil: inDays(365),
        evidence: { kind: 'court_decision', reference: '서울가정법원 2026느단100' },
      });
    expect(byAdmin.status).to.equal(403);
  });
});
