/**
 * Protection orders through the real composition (PostgreSQL, the reference registry over HTTP, the
 * sequencer, the portal): Min-jun bars Hanbit Bank himself, and an administrator bars the Jongno office
 * on a court order. Their consent request and counter query meet the same plain `forbidden` as any
 * unexplained refusal; the log says `protection_order`, which Min-jun sees in his history; withdrawing
 * the orders restores access.
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
import { freshDatabase } from '../../support/database.js';
import { startTestRegistry } from '../../support/registry.js';
import {
  CLERK,
  HANBIT,
  MINJUN_ID,
  SEOYEON_ID,
  citizen,
  mortgageRequest,
  seedConsentWorld,
} from '../consents/consent-fixtures.js';

/** What a requester sees of a refusal, without the per-request members. */
const seen = (body: Record<string, unknown>) => ({
  status: body.status,
  code: body.code,
  title: body.title,
  detail: body.detail,
});

describe('protection orders', function () {
  this.timeout(60_000);
  let t: TestApp;

  before(async () => {
    const database = await freshDatabase();
    const registry = await startTestRegistry(database);
    t = await buildTestApp({ database, registry, authenticate: principalFromTestHeader });
    await seedConsentWorld(t);
  });

  const minjun = () => citizen(t, MINJUN_ID, 'citizen-minjun');
  const seoyeon = () => citizen(t, SEOYEON_ID, 'citizen-seoyeon');
  const consentRows = async () => Number((await t.database.db('consent').count('* as n'))[0]!.n);

  const askConsent = () =>
    request(t.app)
      .post('/v1/consent-requests')
      .set(...asPrincipal(HANBIT))
      .send(mortgageRequest());
  const counterQuery = () =>
    request(t.app)
      .post('/v1/queries')
      .set(...asPrincipal(CLERK))
      .send({
        purpose: 'resident.move-in-report',
        subject: { scheme: 'rrn', id: MINJUN_ID },
        mode: 'full',
        records: [{ recordType: 'resident.registration-abstract-individual' }],
        consent: { mode: 'statutory' },
      });

  async function sequence() {
    await t.composition.audit.sequencer.runOnce();
    await t.composition.audit.checkpointer.publish(true);
  }

  let hanbitOrder: string;
  let courtOrder: string;

  it('answers both requesters before any order', async () => {
    expect((await askConsent()).status).to.equal(201);
    const query = await counterQuery();
    expect(query.status, JSON.stringify(query.body)).to.equal(200);
    expect(query.body.records[0].outcome).to.equal('released');
  });

  it('registers the citizen’s own order and an administrator’s on a court order (reference required)', async () => {
    const mine = await request(t.app)
      .post('/v1/me/protection-orders')
      .set(...asPrincipal(minjun()))
      .send({ kind: 'organisation', orgId: 'org-bank-hanbit', label: '한빛은행' });
    expect(mine.status, JSON.stringify(mine.body)).to.equal(201);
    expect(mine.body).to.include({ registeredBy: 'citizen', status: 'in_force', courtOrderRef: null });
    expect(mine.body.party).to.deep.equal({
      kind: 'organisation',
      orgId: 'org-bank-hanbit',
      label: '한빛은행',
    });
    hanbitOrder = mine.body.id;

    const noReference = await request(t.app)
      .post('/v1/admin/protection-orders')
      .set(...asPrincipal(ADMIN))
      .send({
        subject: { nationalId: MINJUN_ID },
        party: { kind: 'organisation', orgId: 'org-seoul-jongno' },
      });
    expect(noReference.status).to.equal(400);

    const court = await request(t.app)
      .post('/v1/admin/protection-orders')
      .set(...asPrincipal(ADMIN))
      .send({
        subject: { nationalId: MINJUN_ID },
        party: { kind: 'organisation', orgId: 'org-seoul-jongno' },
        courtOrderRef: '서울가정법원 2026즈기1234',
      });
    expect(court.status, JSON.stringify(court.body)).to.equal(201);
    expect(court.body).to.include({ registeredBy: 'admin', courtOrderRef: '서울가정법원 2026즈기1234' });
    courtOrder = court.body.id;

    const unknownOrg = await request(t.app)
      .post('/v1/me/protection-orders')
      .set(...asPrincipal(minjun()))
      .send({ kind: 'organisation', orgId: 'org-nowhere' });
    expect(unknownOrg.status).to.equal(400);

    // The national ID of a barred person is kept only as its subject key.
    const person = await request(t.app)
      .post('/v1/me/protection-orders')
      .set(...asPrincipal(seoyeon()))
      .send({ kind: 'person', nationalId: MINJUN_ID, label: '전 배우자' });
    expect(person.status).to.equal(201);
    expect(JSON.stringify(person.body)).not.to.contain(MINJUN_ID);
    const stored = await t.database.db('protection_order').where({ id: person.body.id }).first();
    expect(stored.party_ref).to.equal(minjun().subjectKey);
    expect(JSON.stringify(stored)).not.to.contain(MINJUN_ID);
  });

  it('refuses the barred bank’s consent request and the barred office’s query as a plain forbidden', async () => {
    // What any unexplained refusal says (ForbiddenError's default), and nothing more.
    const plain = {
      body: { status: 403, code: 'forbidden', title: 'Forbidden', detail: 'You may not do this.' },
    };
    const before = await consentRows();
    const asked = await askConsent();
    expect(asked.status).to.equal(403);
    expect(seen(asked.body)).to.deep.equal(seen(plain.body));
    expect(JSON.stringify(asked.body)).not.to.match(/protect|order|보호/i);
    expect(await consentRows()).to.equal(before);

    const query = await counterQuery();
    expect(query.status).to.equal(403);
    expect(seen(query.body)).to.deep.equal(seen(plain.body));
    expect(JSON.stringify(query.body)).not.to.match(/protect|order|보호/i);

    // Another bank, not barred, still asks.
    const gaon = await request(t.app)
      .post('/v1/consent-requests')
      .set(...asPrincipal({ ...HANBIT, clientId: 'test-gaon-app', orgId: 'org-bank-gaon' }))
      .send(mortgageRequest({ purpose: 'loan.mortgage-screening' }));
    expect(gaon.status, JSON.stringify(gaon.body)).to.equal(201);
  });

  it('audits both refusals as protection_order, shown in the citizen’s history', async () => {
    const rows = await t.database
      .db('audit_entry')
      .where({ subject_key: minjun().subjectKey, outcome: 'denied' });
    const bodies = rows.map((r) => JSON.parse(r.body));
    const reasons = bodies.map((b) => `${b.requester.org} ${b.recordType} ${b.reasonCode}`).sort();
    expect(reasons).to.deep.equal([
      'org-bank-hanbit resident.registration-abstract protection_order',
      'org-bank-hanbit tax.income-amount-certificate protection_order',
      'org-seoul-jongno resident.registration-abstract-individual protection_order',
    ]);
    await sequence();
    const log = await request(t.app)
      .get('/v1/me/access-log?limit=100')
      .set(...asPrincipal(minjun()));
    expect(log.status).to.equal(200);
    const refused = JSON.stringify(log.body).match(/protection_order/g) ?? [];
    expect(refused).to.have.length(3);
    const page = await request(t.app)
      .get('/portal/history')
      .set(...asPrincipal(minjun()));
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('회원님의 열람 제한 신청(보호명령)에 따라 거부되었습니다');
  });

  it('lists the orders to their citizen only; another citizen cannot withdraw them', async () => {
    const list = await request(t.app)
      .get('/v1/me/protection-orders')
      .set(...asPrincipal(minjun()));
    expect(list.status).to.equal(200);
    expect(list.body.items.map((o: { id: string }) => o.id).sort()).to.deep.equal(
      [hanbitOrder, courtOrder].sort(),
    );
    const other = await request(t.app)
      .post(`/v1/me/protection-orders/${hanbitOrder}/withdraw`)
      .set(...asPrincipal(seoyeon()))
      .send({});
    expect(other.status).to.equal(404);
  });

  it('restores access once the orders are withdrawn', async () => {
    for (const id of [hanbitOrder, courtOrder]) {
      const res = await request(t.app)
        .post(`/v1/me/protection-orders/${id}/withdraw`)
        .set(...asPrincipal(minjun()))
        .send({});
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.status).to.equal('withdrawn');
    }
    expect((await askConsent()).status).to.equal(201);
    const query = await counterQuery();
    expect(query.status, JSON.stringify(query.body)).to.equal(200);
  });
});
