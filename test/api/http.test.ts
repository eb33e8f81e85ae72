import { expect } from 'chai';
import { Router } from 'express';
import { once } from 'node:events';
import { Agent, createServer, get as httpGet } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/app.js';

function expectProblem(res: request.Response, status: number, code: string) {
  expect(res.status).to.equal(status);
  expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
  expect(res.body).to.include({ status, code });
  expect(res.body.type).to.equal(`https://joint-use-center.github.io/problems/${code}`);
  expect(res.body.requestId).to.equal(res.headers['x-request-id']);
  expect(res.body.instance).to.equal(`urn:request:${res.headers['x-request-id']}`);
  expect(JSON.stringify(res.body)).not.to.match(/\bat .+:\d+:\d+/); // no stack frames
}

describe('HTTP surface', () => {
  let t: TestApp;
  before(async () => {
    const boom = Router();
    boom.get('/console/boom', () => {
      throw new Error('secret internal detail at /srv/app.ts:12:3');
    });
    t = await buildTestApp({ pageRouters: [boom] });
  });

  it('answers liveness and readiness against the real database', async () => {
    const live = await request(t.app).get('/healthz');
    expect(live.status).to.equal(200);
    expect(live.body).to.deep.equal({ status: 'ok' });
    const ready = await request(t.app).get('/readyz');
    expect(ready.status).to.equal(200);
    expect(ready.body).to.deep.equal({
      status: 'ready',
      checks: { database: 'ok', migrations: 'ok', audit: 'ok', draining: false },
    });
  });

  it('reports not ready while draining', async () => {
    t.setDraining(true);
    try {
      const res = await request(t.app).get('/readyz');
      expect(res.status).to.equal(503);
      expect(res.headers['retry-after']).to.equal('5');
      expect(res.body.checks.draining).to.equal(true);
    } finally {
      t.setDraining(false);
    }
  });

  it('tells keep-alive clients to open a new connection while draining, and only then', async () => {
    const server = createServer(t.app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const agent = new Agent({ keepAlive: true });
    const connectionHeader = () =>
      new Promise<string | undefined>((resolve, reject) => {
        httpGet(
          { host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/healthz', agent },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.headers.connection));
          },
        ).on('error', reject);
      });
    try {
      expect(await connectionHeader()).to.equal('keep-alive');
      t.setDraining(true);
      expect(await connectionHeader()).to.equal('close');
    } finally {
      t.setDraining(false);
      agent.destroy();
      server.close();
    }
  });

  it('returns a problem+json 404 with the request id for an unknown path', async () => {
    const res = await request(t.app).get('/nope');
    expectProblem(res, 404, 'not_found');
  });

  it('keeps a well-formed caller request id and replaces a malicious one', async () => {
    const kept = await request(t.app).get('/nope').set('X-Request-Id', 'abc-123');
    expect(kept.headers['x-request-id']).to.equal('abc-123');
    expect(kept.body.requestId).to.equal('abc-123');
    const replaced = await request(t.app)
      .get('/nope')
      .set('X-Request-Id', 'a'.repeat(200) + ' <script>');
    expect(replaced.headers['x-request-id']).to.match(/^[0-9a-f-]{36}$/);
  });

  it('returns 405 for a known path with the wrong method', async () => {
    const res = await request(t.app).delete('/healthz');
    expectProblem(res, 405, 'method_not_allowed');
  });

  it('names the methods a path supports in the Allow header of a 405', async () => {
    const res = await request(t.app).delete('/healthz');
    expectProblem(res, 405, 'method_not_allowed');
    expect(res.headers.allow).to.equal('GET');
    const queries = await request(t.app).get('/v1/queries');
    expectProblem(queries, 405, 'method_not_allowed');
    expect(queries.headers.allow).to.equal('POST');
  });

  it('answers HEAD like the GET it stands for, without content (it was a 405)', async () => {
    const get = await request(t.app).get('/v1/catalog/categories');
    expect(get.status).to.equal(200);
    const head = await request(t.app).head('/v1/catalog/categories');
    expect(head.status).to.equal(200);
    expect(head.headers['content-type']).to.equal(get.headers['content-type']);
    expect(head.headers.etag).to.equal(get.headers.etag);
    expect(head.text ?? '').to.equal('');
    const bad = await request(t.app).head('/v1/catalog?limit=0');
    expect(bad.status).to.equal(400);
    expect(bad.headers['content-type']).to.match(/^application\/problem\+json/);
    expect((await request(t.app).head('/v1/queries')).status).to.equal(405);
  });

  it('returns 400 for malformed JSON and does not log a stack trace', async () => {
    const before = t.logs.lines.length;
    const res = await request(t.app).post('/healthz').set('Content-Type', 'application/json').send('{"a":');
    expectProblem(res, 400, 'validation_failed');
    expect(res.body.detail).to.equal('The body is not well-formed JSON.');
    const logged = t.logs.lines.slice(before).join('\n');
    expect(logged).not.to.match(/"stack"|SyntaxError|\bat .+:\d+:\d+/);
    expect(
      t.logs
        .records()
        .slice(before)
        .every((r) => (r.level as number) <= 30),
    ).to.equal(true);
  });

  it('returns 413 for an over-limit body without a stack trace in the log', async () => {
    const before = t.logs.lines.length;
    const res = await request(t.app)
      .post('/healthz')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ pad: 'x'.repeat(64 * 1024) }));
    expectProblem(res, 413, 'payload_too_large');
    expect(t.logs.lines.slice(before).join('\n')).not.to.match(/"stack"|PayloadTooLargeError/);
  });

  it('returns 415 for a body that is not JSON', async () => {
    const res = await request(t.app).post('/healthz').set('Content-Type', 'text/csv').send('a,b');
    expect([405, 415]).to.include(res.status);
    expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
  });

  it('maps an unexpected exception to a 500 problem without leaking its message', async () => {
    const res = await request(t.app).get('/console/boom');
    expectProblem(res, 500, 'internal');
    expect(JSON.stringify(res.body)).not.to.contain('secret internal detail');
    const logged = t.logs.records().find((r) => r.msg === 'request failed' && r.reqId === res.body.requestId);
    expect(logged, 'the 500 is logged at error level with its cause').to.have.property('level', 50);
  });

  it('sets a strict content security policy without inline scripts', async () => {
    const res = await request(t.app).get('/healthz');
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).to.contain("script-src 'self'");
    expect(csp).to.contain("script-src-attr 'none'");
    expect(csp).not.to.match(/script-src[^;]*unsafe-inline/);
    expect(res.headers['x-content-type-options']).to.equal('nosniff');
    expect(res.headers['x-powered-by']).to.equal(undefined);
  });

  it('exposes Prometheus metrics by route template with pool statistics', async () => {
    await request(t.app).get('/healthz');
    const res = await request(t.app).get('/metrics');
    expect(res.status).to.equal(200);
    expect(res.text).to.match(/http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
    expect(res.text).to.contain('http_request_duration_seconds_bucket');
    expect(res.text).to.match(/db_pool_connections_max \d+/);
    expect(res.text).not.to.contain('route="/nope"');
  });

  it('serves the API reference and the spec from local assets', async () => {
    const page = await request(t.app).get('/docs');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('/docs/vendor/swagger-ui-bundle.js');
    expect(page.text).not.to.match(/<script>(?!<)/); // no inline script bodies
    expect(page.text).not.to.match(/https?:\/\/(?!127\.0\.0\.1)/);
    const bundle = await request(t.app).get('/docs/vendor/swagger-ui-bundle.js');
    expect(bundle.status).to.equal(200);
    const init = await request(t.app).get('/docs/init.js');
    expect(init.text).to.contain('/openapi/gateway.yaml');
    const spec = await request(t.app).get('/openapi/gateway.yaml');
    expect(spec.text).to.match(/^openapi: 3\.1/);
  });
});

describe('readiness without a database', () => {
  it('answers 503 with the failing check when PostgreSQL is unreachable', async () => {
    const { createDb } = await import('../../server/db/db.js');
    const { freePort } = await import('../../server/db/embedded.js');
    const url = `postgres://nobody@127.0.0.1:${await freePort()}/none`;
    const db = createDb({ url, poolMax: 1, statementTimeoutMs: 1000 });
    try {
      const t = await buildTestApp({ database: { url, name: 'none', db } });
      const res = await request(t.app).get('/readyz');
      expect(res.status).to.equal(503);
      expect(res.body).to.deep.equal({
        status: 'not_ready',
        checks: { database: 'failing', migrations: 'failing', audit: 'ok', draining: false },
      });
      const live = await request(t.app).get('/healthz');
      expect(live.status).to.equal(200);
    } finally {
      await db.destroy();
    }
  });
});
