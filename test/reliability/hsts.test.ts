/** Regression for reliability check B7: HSTS is sent where the gateway is served over https, never on plain-HTTP development. */
import { expect } from 'chai';
import request from 'supertest';
import { buildTestApp } from '../support/app.js';

describe('Strict-Transport-Security (reliability B7)', function () {
  this.timeout(30_000);

  it('is sent for an https public URL, for a year, subdomains included', async () => {
    const t = await buildTestApp({ env: { PUBLIC_URL: 'https://juc.example.kr' } });
    const res = await request(t.app).get('/healthz');
    expect(res.headers['strict-transport-security']).to.equal('max-age=31536000; includeSubDomains');
  });

  it('is not sent on plain-HTTP development', async () => {
    const t = await buildTestApp({ env: { PUBLIC_URL: 'http://127.0.0.1:3000' } });
    const res = await request(t.app).get('/healthz');
    expect(res.headers['strict-transport-security']).to.equal(undefined);
  });
});
