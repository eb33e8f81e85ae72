/**
 * The portal's protections page (/portal/protections) through the real composition: who may see it,
 * its words in Korean (first), English and Japanese, its forms' CSRF, and that its forms do what the
 * API does — an order made on the page refuses the barred bank, a withdrawal lets it ask again, a
 * delegation made on the page appears to both parties and is revoked there, a guardianship cannot be
 * ended by the minor.
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
  CLERK,
  HANBIT,
  MINJUN_ID,
  SEOYEON_ID,
  citizen,
  csrfFrom,
  mortgageRequest,
  seedConsentWorld,
} from '../consents/consent-fixtures.js';

const PAGE = '/portal/protections';
const CHILD_ID = '1505054123454';

describe('portal protections page', function () {
  this.timeout(60_000);
  let t: TestApp;

  before(async () => {
    t = await buildTestApp({ authenticate: principalFromTestHeader });
    await seedConsentWorld(t);
  });

  const minjun = () => citizen(t, MINJUN_ID, 'citizen-minjun');
  const seoyeon = () => citizen(t, SEOYEON_ID, 'citizen-seoyeon');
  const child = () => citizen(t, CHILD_ID, 'citizen-child');

  const open = (who: ReturnType<typeof citizen>, query = '') =>
    request(t.app)
      .get(`${PAGE}${query}`)
      .set(...asPrincipal(who));

  /** Opens the page as `who` and posts a form to `path` with the page's CSRF token. */
  async function submit(who: ReturnType<typeof citizen>, path: string, fields: [string, string][] = []) {
    const page = await open(who);
    const form = new URLSearchParams([['_csrf', csrfFrom(page.text)], ['lang', 'ko'], ...fields]);
    return request(t.app)
      .post(path)
      .set(...asPrincipal(who))
      .type('form')
      .send(form.toString());
  }

  const askConsent = () =>
    request(t.app)
      .post('/v1/consent-requests')
      .set(...asPrincipal(HANBIT))
      .send(mortgageRequest());

  it('offers a visitor the sign-in and tells a clerk it is for citizens', async () => {
    const visitor = await request(t.app).get(PAGE);
    expect(visitor.status).to.equal(200);
    expect(visitor.text).to.contain('<html lang="ko">');
    expect(visitor.text).to.contain('href="/auth/login?as=citizen&amp;return_to=%2Fportal%2Fprotections"');
    const clerk = await request(t.app)
      .get(PAGE)
      .set(...asPrincipal(CLERK));
    expect(clerk.status).to.equal(403);
    expect(clerk.text).not.to.contain('열람 제한 신청');
  });

  it('speaks Korean first, then English and Japanese, and is linked from the portal navigation', async () => {
    const ko = await open(minjun());
    expect(ko.status).to.equal(200);
    expect(ko.headers['cache-control']).to.equal('no-store');
    expect(ko.text).to.contain('<html lang="ko">');
    expect(ko.text).to.match(/<h1>\s*열람 제한과 대리인\s*<\/h1>/);
    expect(ko.text).to.contain('등록된 열람 제한이 없습니다.');
    expect(ko.text).to.contain('<option value="org-bank-hanbit">한빛은행</option>');
    expect(ko.text).to.match(/href="\/portal\/protections"\s+aria-current="page"/);
    const en = await open(minjun(), '?lang=en');
    expect(en.text).to.contain('<html lang="en">');
    expect(en.text).to.match(/<h1>\s*Protections and representatives\s*<\/h1>/);
    const ja = await open(minjun(), '?lang=ja');
    expect(ja.text).to.match(/<h1>\s*閲覧制限と代理人\s*<\/h1>/);
    const portal = await request(t.app)
      .get('/portal')
      .set(...asPrincipal(minjun()));
    expect(portal.text).to.match(/<a href="\/portal\/protections"\s*>열람 제한과 대리인<\/a/);
  });

  it('refuses a form without the CSRF token and changes nothing', async () => {
    const res = await request(t.app)
      .post(`${PAGE}/orders`)
      .set(...asPrincipal(minjun()))
      .type('form')
      .send('kind=organisation&orgId=org-bank-hanbit&lang=ko');
    expect(res.status).to.equal(403);
    expect(res.text).to.contain('처리할 수 없습니다. 입력한 내용을 확인해 주십시오.');
    expect(Number((await t.database.db('protection_order').count('* as n'))[0]!.n)).to.equal(0);
  });

  it('bars a bank from the page; its consent request is then a plain forbidden; withdrawing restores it', async () => {
    const made = await submit(minjun(), `${PAGE}/orders`, [
      ['kind', 'organisation'],
      ['orgId', 'org-bank-hanbit'],
      ['nationalId', ''],
      ['label', '예전 거래 은행'],
    ]);
    expect(made.status, made.text.slice(0, 300)).to.equal(303);
    expect(made.headers.location).to.equal(`${PAGE}?done=1`);
    const page = await open(minjun(), '?done=1');
    expect(page.text).to.contain('처리되었습니다.');
    expect(page.text).to.match(/<li class="protection-order" data-status="in_force">/);
    expect(page.text).to.contain('한빛은행');
    expect(page.text).to.contain('(예전 거래 은행)');
    expect(page.text).to.contain('본인 신청');

    const refused = await askConsent();
    expect(refused.status).to.equal(403);
    expect(refused.body.code).to.equal('forbidden');
    expect(JSON.stringify(refused.body)).not.to.match(/protection|예전/);

    const orderId = /action="\/portal\/protections\/orders\/([0-9a-f-]{36})\/withdraw"/.exec(page.text)![1]!;
    const withdrawn = await submit(minjun(), `${PAGE}/orders/${orderId}/withdraw`);
    expect(withdrawn.status).to.equal(303);
    expect((await open(minjun())).text).to.match(/<li class="protection-order" data-status="withdrawn">/);
    expect((await askConsent()).status).to.equal(201);
  });

  it('answers a bad order (barring oneself) with the page and 400, nothing stored', async () => {
    const before = Number((await t.database.db('protection_order').count('* as n'))[0]!.n);
    const res = await submit(minjun(), `${PAGE}/orders`, [
      ['kind', 'person'],
      ['nationalId', MINJUN_ID],
    ]);
    expect(res.status).to.equal(400);
    expect(res.text).to.contain('role="alert"');
    expect(Number((await t.database.db('protection_order').count('* as n'))[0]!.n)).to.equal(before);
  });

  it('delegates from the page: both see the grant, the principal revokes it there', async () => {
    const made = await submit(minjun(), `${PAGE}/grants`, [
      ['representativeId', SEOYEON_ID],
      ['representativeName', '이서연'],
      ['principalName', '김민준'],
      ['days', '30'],
      ['recordType', 'resident.registration-abstract'],
      ['recordType', 'tax.income-amount-certificate'],
    ]);
    expect(made.status, made.text.slice(0, 300)).to.equal(303);
    const grant = await t.database.db('representative_grant').where({ kind: 'delegation' }).first();
    expect(grant.record_types).to.deep.equal([
      'resident.registration-abstract',
      'tax.income-amount-certificate',
    ]);

    const mine = await open(minjun());
    expect(mine.text).to.match(
      /<li class="grant" data-status="active">\s*<strong>이서연<\/strong>\s*· 본인의 위임/,
    );
    expect(mine.text).to.contain('위임 철회');
    const theirs = await open(seoyeon());
    expect(theirs.text).to.match(/<strong>김민준<\/strong>\s*· 본인의 위임/);
    expect(theirs.text).to.contain('대리 그만두기');

    const revoked = await submit(minjun(), `${PAGE}/grants/${grant.id}/revoke`);
    expect(revoked.status).to.equal(303);
    expect((await open(minjun())).text).to.match(/<li class="grant" data-status="revoked">/);
    expect((await open(seoyeon())).text).to.match(/<li class="grant" data-status="revoked">/);
  });

  it('shows a minor the guardianship, which the minor cannot end', async () => {
    const registered = await request(t.app)
      .post('/v1/admin/representatives')
      .set(...asPrincipal(ADMIN))
      .send({
        kind: 'guardian_minor',
        representative: { scheme: 'rrn', id: MINJUN_ID, name: '김민준' },
        principal: { scheme: 'rrn', id: CHILD_ID, name: '김하늘' },
        recordTypes: ['resident.registration-abstract'],
        validUntil: new Date(Date.now() + 100 * 86_400_000).toISOString(),
        evidence: { kind: 'family_relation', reference: '가족관계증명서 2026-0002' },
      });
    expect(registered.status, JSON.stringify(registered.body)).to.equal(201);
    const page = await open(child());
    expect(page.text).to.match(/<strong>김민준<\/strong>\s*· 미성년자의 법정대리인/);
    expect(page.text).to.contain('법원 결정으로만 끝낼 수 있습니다');
    expect(page.text).not.to.contain(`/grants/${registered.body.id}/revoke`);
    const refused = await submit(child(), `${PAGE}/grants/${registered.body.id}/revoke`);
    expect(refused.status).to.equal(403);
    const row = await t.database.db('representative_grant').where({ id: registered.body.id }).first();
    expect(row.revoked_at).to.equal(null);
    // The guardian sees whom they act for.
    expect((await open(minjun())).text).to.match(/<strong>김하늘<\/strong>\s*· 미성년자의 법정대리인/);
  });
});
