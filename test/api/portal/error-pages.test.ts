/**
 * Issue 20, problem 3, at the HTTP level: one failure mapping, two representations. A browser asking for a page
 * (Accept text/html, outside the API paths) gets an HTML page in its language with next steps (404, 403, an
 * expired session with a sign-in that comes back, 500 with a reference); the API paths and other clients keep
 * problem+json. The approval flow's end pages (refused, someone else's) say where to go next.
 */
import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import { ForbiddenError, UnauthenticatedError } from '../../../server/errors.js';
import { createLogger } from '../../../server/http/logger.js';
import { problemHandler } from '../../../server/http/problem.js';
import {
  LogCapture,
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

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('error pages for browsers, problem+json for the API', function () {
  this.timeout(30_000);
  let t: TestApp;

  before(async () => {
    t = await buildTestApp({ authenticate: principalFromTestHeader });
    await seedConsentWorld(t);
  });

  it('answers an unknown page in Korean by default, in English and Japanese when asked', async () => {
    const ko = await request(t.app).get('/no-such-page').set('Accept', BROWSER);
    expect(ko.status).to.equal(404);
    expect(ko.headers['content-type']).to.match(/^text\/html/);
    expect(ko.text).to.contain('<html lang="ko">');
    expect(ko.text).to.contain('페이지를 찾을 수 없습니다');
    expect(ko.text).to.contain('href="/"');
    expect(ko.text).not.to.contain('"code":"not_found"');
    const en = await request(t.app).get('/portal/nothing?lang=en').set('Accept', BROWSER);
    expect(en.text).to.contain('Page not found');
    expect(en.text).to.contain('href="/portal"');
    const ja = await request(t.app).get('/nothing').set('Accept', BROWSER).set('Accept-Language', 'ja');
    expect(ja.text).to.contain('ページが見つかりません');
  });

  it('keeps problem+json for the API paths and for clients that do not ask for HTML', async () => {
    for (const path of ['/v1/no-such-thing', '/.well-known/nothing', '/audit/v1/nothing']) {
      const res = await request(t.app).get(path).set('Accept', BROWSER);
      expect(res.status, path).to.equal(404);
      expect(res.headers['content-type'], path).to.match(/^application\/problem\+json/);
    }
    const json = await request(t.app).get('/no-such-page').set('Accept', 'application/json');
    expect(json.headers['content-type']).to.match(/^application\/problem\+json/);
    expect(json.body.code).to.equal('not_found');
    const any = await request(t.app).get('/no-such-page');
    expect(any.headers['content-type']).to.match(/^application\/problem\+json/);
  });

  it('maps 401, 403 and 500 to pages with a next step (one mapper)', async () => {
    const app = express();
    // The request id the production request logger (pino-http) gives every request.
    app.use((req, _res, next) => {
      (req as unknown as { id: string }).id = 'req-error-page-1';
      next();
    });
    app.get('/console/form', () => {
      throw new UnauthenticatedError('The session expired.');
    });
    app.get('/admin/clerks', () => {
      throw new ForbiddenError();
    });
    app.get('/portal/broken', () => {
      throw new Error('boom');
    });
    app.use(problemHandler(createLogger('silent', new LogCapture())));
    const expired = await request(app).get('/console/form?lang=en').set('Accept', BROWSER);
    expect(expired.status).to.equal(401);
    expect(expired.text).to.contain('Your session has ended');
    expect(expired.text).to.contain('href="/auth/login?as=clerk&amp;return_to=%2Fconsole%2Fform"');
    expect(expired.headers['www-authenticate']).to.equal(undefined);
    const forbidden = await request(app).get('/admin/clerks').set('Accept', BROWSER);
    expect(forbidden.status).to.equal(403);
    expect(forbidden.text).to.contain('열람 권한이 없습니다');
    const broken = await request(app).get('/portal/broken?lang=en').set('Accept', BROWSER);
    expect(broken.status).to.equal(500);
    expect(broken.text).to.contain('Something went wrong on our side');
    expect(broken.text).to.match(/Reference:\s*<code>req-error-page-1<\/code>/);
    expect(broken.text).not.to.contain('boom');
    const api = await request(app).get('/console/form').set('Accept', 'application/json');
    expect(api.body.code).to.equal('unauthenticated');
  });

  it('gives the approval flow’s end pages a next step', async () => {
    const created = await request(t.app)
      .post('/v1/consent-requests')
      .set(...asPrincipal(HANBIT))
      .send(mortgageRequest());
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const id = created.body.id as string;
    const someoneElse = await request(t.app)
      .get(`/consent/${id}?lang=en`)
      .set(...asPrincipal(citizen(t, SEOYEON_ID, 'citizen-seoyeon')));
    expect(someoneElse.status).to.equal(403);
    expect(someoneElse.text).to.contain('This request is about someone else');
    expect(someoneElse.text).to.contain('To answer as another person, sign out first.');
    expect(someoneElse.text).to.contain('href="/portal/consents"');
    const minjun = citizen(t, MINJUN_ID, 'citizen-minjun');
    await decideOnScreen(t, id, minjun, 'refuse', []);
    const refused = await request(t.app)
      .get(`/consent/${id}?lang=en`)
      .set(...asPrincipal(minjun));
    expect(refused.text).to.contain('This request was refused.');
    expect(refused.text).to.contain('href="/portal/history"');
    expect(refused.text).to.contain('href="/portal/consents"');
  });
});
