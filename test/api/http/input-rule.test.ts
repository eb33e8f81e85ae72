/**
 * One input rule at the edge (issue 17 item 3): NUL and other C0 control characters in a path, a
 * query string, a JSON or form body (values and keys) are a 400 problem+json naming where, never a
 * 500 from PostgreSQL; integers beyond the contract's maximum in a path are a 400, not a bigint error.
 */
import { expect } from 'chai';
import request from 'supertest';
import { asPrincipal, buildTestApp, principalFromTestHeader, type TestApp } from '../../support/app.js';
import { HANBIT } from '../consents/consent-fixtures.js';

function expectControlRefusal(res: request.Response, pointer: string) {
  expect(res.status, res.text).to.equal(400);
  expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
  expect(res.body.code).to.equal('validation_failed');
  expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).to.include(pointer);
  expect(
    res.text.includes('\u0000') || res.text.includes('\\u0000'),
    'the control character is named, not echoed',
  ).to.equal(false);
}

describe('input rule at the edge', function () {
  this.timeout(30_000);
  let t: TestApp;
  const entries = async () => Number((await t.database.db('audit_entry').count({ n: '*' }))[0]!.n);

  before(async () => {
    t = await buildTestApp({ authenticate: principalFromTestHeader });
  });

  it('refuses a NUL in a query body string before it reaches PostgreSQL, audited once by hash', async () => {
    const before = await entries();
    const res = await request(t.app)
      .post('/v1/queries')
      .set(...asPrincipal(HANBIT))
      .send({ purpose: 'loan.mortgage\u0000screening', mode: 'full', procedure: true });
    expectControlRefusal(res, '/body/purpose');
    expect(res.body.errors[0].message).to.equal('contains the control character U+0000 at position 13');
    // A refused query is audited (test/api/queries/refused-audit.test.ts): the value only by its hash.
    expect(await entries()).to.equal(before + 1);
  });

  it('refuses a NUL deep in a body, in an array and in an object key', async () => {
    const deep = await request(t.app)
      .post('/v1/queries')
      .set(...asPrincipal(HANBIT))
      .send({ purpose: 'x.y', mode: 'full', records: [{ recordType: 'a.b', fields: ['ok', 'b\u0000d'] }] });
    expectControlRefusal(deep, '/body/records/0/fields/1');
    const key = await request(t.app)
      .post('/v1/queries')
      .set(...asPrincipal(HANBIT))
      .send({ purpose: 'x.y', mode: 'full', 'ev\u0001il/k~y': 1 });
    expectControlRefusal(key, '/body');
    expect(key.body.errors[0].message).to.equal(
      'a member name contains the control character U+0001 at position 2',
    );
    const nested = await request(t.app)
      .post('/v1/queries')
      .set(...asPrincipal(HANBIT))
      .send({ purpose: 'x.y', mode: 'full', 'a/b~c': { ok: 'd\u0002' } });
    expectControlRefusal(nested, '/body/a~1b~0c/ok');
  });

  it('refuses other C0 controls in body strings but lets tab, line feed and carriage return through', async () => {
    for (const c of ['\u0001', '\u0007', '\u000b', '\u000c', '\u001b', '\u001f']) {
      const res = await request(t.app)
        .post('/v1/identifier-schemes/rrn/check')
        .send({ value: `850314${c}1234562` });
      expectControlRefusal(res, '/body/value');
    }
    // Whitespace controls pass the edge; the identifier's own rule then judges them (not our 400).
    for (const c of ['\t', '\n', '\r']) {
      const res = await request(t.app)
        .post('/v1/identifier-schemes/rrn/check')
        .send({ value: `850314${c}1234562` });
      expect(res.body.code, JSON.stringify(res.body)).to.equal('identifier_invalid');
    }
  });

  it('refuses a NUL or any control character in a query string value or name', async () => {
    const value = await request(t.app).get('/v1/catalog?category=a%00b');
    expectControlRefusal(value, '/query/category');
    const tab = await request(t.app).get('/v1/catalog?category=a%09b');
    expectControlRefusal(tab, '/query/category');
    const name = await request(t.app).get('/v1/catalog?a%00b=1');
    expectControlRefusal(name, '/query');
    const state = await request(t.app).get('/auth/callback?state=a%00b&code=c');
    expectControlRefusal(state, '/query/state');
  });

  it('refuses a control character or broken percent-encoding in the path', async () => {
    expectControlRefusal(await request(t.app).get('/v1/catalog/resident%00.abstract'), '/path');
    expectControlRefusal(await request(t.app).get('/consent/a%0Ab'), '/path');
    expectControlRefusal(await request(t.app).get('/v1/catalog/%E0%A4%A'), '/path');
  });

  it('applies to page forms (urlencoded browser posts) too', async () => {
    const res = await request(t.app)
      .post('/consent/00000000-0000-4000-8000-000000000000')
      .type('form')
      .send('decision=approve&_csrf=abc%00def');
    expectControlRefusal(res, '/body/_csrf');
  });

  it('refuses integers beyond the contract maximum in a path (not a bigint error from PostgreSQL)', async () => {
    const res = await request(t.app)
      .get('/v1/log/receipts/99999999999999999999')
      .set(...asPrincipal(HANBIT));
    expect(res.status, res.text).to.equal(400);
    expect(res.body.code).to.equal('validation_failed');
    expect(res.body.errors[0].pointer).to.equal('/params/entryId');
    const largest = await request(t.app)
      .get('/v1/log/receipts/9007199254740991')
      .set(...asPrincipal(HANBIT));
    expect(largest.status, largest.text).to.equal(404);
    const beyond = await request(t.app).get('/v1/log/entries?start=9007199254740992&count=1');
    expect(beyond.status, beyond.text).to.equal(400);
  });
});
