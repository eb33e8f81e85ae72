/** Regression for reliability check B2: a JSON body naming a member twice is refused, not read last-wins. */
import { expect } from 'chai';
import request from 'supertest';
import { firstDuplicateKey } from '../../server/http/duplicate-keys.js';
import { buildTestApp, principalFromTestHeader, type TestApp } from '../support/app.js';

describe('duplicate JSON member names (reliability B2)', () => {
  it('finds the first object that names a member twice, escapes decoded', () => {
    expect(firstDuplicateKey('{"a":1,"b":2}')).to.equal(undefined);
    expect(firstDuplicateKey('{"a":1,"a":2}')).to.deep.equal({ pointer: '/', name: 'a' });
    expect(firstDuplicateKey('{"a":1,"\\u0061":2}')).to.deep.equal({ pointer: '/', name: 'a' });
    expect(firstDuplicateKey('{"s":{"x":"a\\"b","x":1}}')).to.deep.equal({ pointer: '/s', name: 'x' });
    expect(firstDuplicateKey('{"r":[{"k":1},{"k":2}]}')).to.equal(undefined);
    expect(firstDuplicateKey('{"r":[{"k":1,"k":2}]}')).to.deep.equal({ pointer: '/r/*', name: 'k' });
    expect(firstDuplicateKey('{"v":"{\\"a\\":1,\\"a\\":2}"}')).to.equal(undefined);
    expect(firstDuplicateKey('[1,2,{"a":{}},{"a":[]}]')).to.equal(undefined);
  });

  describe('over HTTP', function () {
    this.timeout(30_000);
    let t: TestApp;
    before(async () => {
      t = await buildTestApp({ authenticate: principalFromTestHeader });
    });

    it('answers 400 naming the member, and a body without duplicates still parses', async () => {
      const dup = await request(t.app)
        .post('/v1/queries')
        .set('content-type', 'application/json')
        .send('{"purpose":"loan.mortgage-screening","purpose":"account.opening"}');
      expect(dup.status).to.equal(400);
      expect(dup.body.code).to.equal('validation_failed');
      expect(dup.body.detail).to.equal(
        'Duplicate member names are not accepted in a request: /body names the member "purpose" twice.',
      );
      const single = await request(t.app)
        .post('/v1/queries')
        .set('content-type', 'application/json')
        .send('{"purpose":"loan.mortgage-screening"}');
      // Refused for other reasons (no principal), never for duplicates.
      expect(single.status).to.equal(401);
    });
  });
});
