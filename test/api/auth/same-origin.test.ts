// State-changing browser requests are refused when Sec-Fetch-Site or Origin says they come from another site.
import { expect } from 'chai';
import request from 'supertest';
import { asPrincipal, buildTestApp, principalFromTestHeader, type TestApp } from '../../support/app.js';
import {
  HANBIT,
  MINJUN_ID,
  citizen,
  csrfFrom,
  mortgageRequest,
  seedConsentWorld,
} from '../consents/consent-fixtures.js';

const OURS = 'https://juc.example.go.kr';

describe('cross-site state-changing requests', function () {
  this.timeout(30_000);
  let t: TestApp;

  before(async () => {
    t = await buildTestApp({ authenticate: principalFromTestHeader, env: { PUBLIC_URL: `${OURS}/` } });
    await seedConsentWorld(t);
  });

  /** A fresh request to Min-jun and the approval form's CSRF token as he sees it. */
  async function approvalForm() {
    const created = await request(t.app)
      .post('/v1/consent-requests')
      .set(...asPrincipal(HANBIT))
      .send(mortgageRequest());
    expect(created.status).to.equal(201);
    const minjun = citizen(t, MINJUN_ID, 'citizen-minjun');
    const page = await request(t.app)
      .get(`/consent/${created.body.id as string}`)
      .set(...asPrincipal(minjun));
    const form = new URLSearchParams({ _csrf: csrfFrom(page.text), decision: 'approve', lang: 'en' });
    const submit = (headers: Record<string, string>) =>
      request(t.app)
        .post(`/consent/${created.body.id as string}`)
        .set(...asPrincipal(minjun))
        .set('Accept', 'text/html')
        .set('Accept-Language', 'en')
        .set(headers)
        .type('form')
        .send(form.toString());
    const status = async () =>
      (await t.database.db('consent').where({ id: created.body.id }).first()).status as string;
    return { submit, status };
  }

  function expectRefusalPage(res: request.Response) {
    expect(res.status).to.equal(403);
    expect(res.headers['content-type']).to.match(/^text\/html/);
    expect(res.text).to.contain('This form was sent from another site');
    expect(res.text).to.contain('<code>cross_site_request</code>');
  }

  it('refuses the approval form from a foreign Origin even with a valid CSRF token, changing nothing', async () => {
    const { submit, status } = await approvalForm();
    expectRefusalPage(await submit({ Origin: 'https://evil.example' }));
    expectRefusalPage(await submit({ Origin: 'null' }));
    // Same host, other scheme or port: another origin.
    expectRefusalPage(await submit({ Origin: 'http://juc.example.go.kr' }));
    expectRefusalPage(await submit({ Origin: 'https://juc.example.go.kr:8443' }));
    expect(await status()).to.equal('REQUESTED');
    const ok = await submit({ Origin: OURS, 'Sec-Fetch-Site': 'same-origin' });
    expect(ok.status).to.equal(303);
    expect(await status()).to.equal('ACTIVE');
  });

  it('refuses Sec-Fetch-Site cross-site and same-site, whatever Origin says', async () => {
    const { submit, status } = await approvalForm();
    expectRefusalPage(await submit({ 'Sec-Fetch-Site': 'cross-site' }));
    expectRefusalPage(await submit({ 'Sec-Fetch-Site': 'cross-site', Origin: OURS }));
    expectRefusalPage(await submit({ 'Sec-Fetch-Site': 'same-site', Origin: OURS }));
    expect(await status()).to.equal('REQUESTED');
    // Sec-Fetch-Site decides when present: the browser alone sets it (Origin may be null under a strict
    // referrer policy). A request the person started themselves (no initiating site) passes.
    expect((await submit({ 'Sec-Fetch-Site': 'none', Origin: 'null' })).status).to.equal(303);
    expect(await status()).to.equal('ACTIVE');
  });

  it('guards every state-changing browser form and session API call, but not token-authenticated API calls', async () => {
    const foreign = { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' };
    for (const path of [
      '/portal/consents/3f1c1c1e-7d0b-4c4e-9a39-0c6f0f3d2a11/revoke',
      '/portal/notifications',
      '/console/query',
      '/auth/logout',
    ]) {
      const res = await request(t.app)
        .post(path)
        .set('Accept', 'text/html')
        .set(foreign)
        .type('form')
        .send('');
      expect(res.status, path).to.equal(403);
      expect(res.text, path).to.contain('cross_site_request');
    }
    const api = await request(t.app)
      .post('/v1/me/consents/3f1c1c1e-7d0b-4c4e-9a39-0c6f0f3d2a11/pause')
      .set(foreign)
      .send({});
    expect(api.status).to.equal(403);
    expect(api.headers['content-type']).to.match(/^application\/problem\+json/);
    expect(api.body.code).to.equal('cross_site_request');
    // A bearer token is never added by the browser itself: the access layer decides (here: not a valid token).
    const bearer = await request(t.app)
      .post('/v1/consent-requests')
      .set('Authorization', 'Bearer not-a-token')
      .set(foreign)
      .send(mortgageRequest());
    expect(bearer.body.code).not.to.equal('cross_site_request');
    // Reading is never refused.
    expect((await request(t.app).get('/').set(foreign)).status).to.equal(200);
  });

  it('without PUBLIC_URL compares Origin with the host the request was sent to', async () => {
    const local = await buildTestApp({ database: t.database, authenticate: principalFromTestHeader });
    const post = (origin: string) =>
      request(local.app)
        .post('/auth/logout')
        .set('Host', 'counter.local:3000')
        .set('Origin', origin)
        .set('Accept', 'text/html')
        .type('form')
        .send('');
    expect((await post('http://counter.local:3000')).status).to.equal(303);
    expect((await post('http://counter.local:3001')).status).to.equal(403);
  });
});
