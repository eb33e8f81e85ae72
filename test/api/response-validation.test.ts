// Responses that break the contract: a 500 outside production; in production logged, counted and still sent.
import { expect } from 'chai';
import { Router, type RequestHandler } from 'express';
import request from 'supertest';
import { createApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { createHealthService } from '../../server/health/health.service.js';
import { createLogger } from '../../server/http/logger.js';
import { createMetrics } from '../../server/http/metrics.js';
import { LogCapture } from '../support/app.js';

/** GET /v1/purposes (a PurposePage in the contract) answering a document the contract does not allow. */
function drifted(): Router {
  const router = Router();
  router.get('/v1/purposes', (_req, res) => {
    res.json({ items: [{ code: 42 }], leaked: 'a field nobody declared' });
  });
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  return router;
}

function appWith(env: Record<string, string>) {
  const config = loadConfig({ DATABASE_URL: 'postgres://unused@127.0.0.1/none', ...env });
  const logs = new LogCapture();
  const metrics = createMetrics(() => ({ used: 0, free: 0, pending: 0, max: 1 }));
  const anonymous: RequestHandler = (_req, _res, next) => next();
  const app = createApp({
    config,
    logger: createLogger('info', logs),
    metrics,
    health: createHealthService({
      pingDatabase: async () => undefined,
      pendingMigrations: async () => 0,
      isDraining: () => false,
    }),
    authenticate: anonymous,
    apiRouters: [drifted()],
  });
  return { app, logs, metrics, config };
}

const PRODUCTION = {
  NODE_ENV: 'production',
  SUBJECT_PEPPER: 'a-production-pepper-of-at-least-32-characters',
  POLICY_PAIRWISE_KEY: 'a-production-pairwise-key-of-at-least-32-chars',
  AUDIT_LOG_ORIGIN: 'juc.example.go.kr/audit/v1',
};

describe('response validation', () => {
  it('is on by default in production and in development', () => {
    expect(appWith(PRODUCTION).config).to.include({ validateResponses: true, responseViolations: 'report' });
    expect(appWith({}).config).to.include({ validateResponses: true, responseViolations: 'fail' });
  });

  it('turns a response that breaks the contract into a 500 outside production', async () => {
    const { app } = appWith({ NODE_ENV: 'test' });
    const res = await request(app).get('/v1/purposes');
    expect(res.status).to.equal(500);
    expect(res.body.code).to.equal('internal');
    expect(JSON.stringify(res.body)).not.to.contain('a field nobody declared');
  });

  it('in production sends it, logs the violation without the values and counts it by route', async () => {
    const { app, logs, metrics } = appWith(PRODUCTION);
    const res = await request(app).get('/v1/purposes');
    expect(res.status).to.equal(200);
    expect(res.body.leaked).to.equal('a field nobody declared');
    const reports = logs.records().filter((r) => r.msg === 'response does not match the contract');
    expect(reports).to.have.length(1);
    expect(reports[0]).to.include({ route: '/v1/purposes', level: 50 });
    expect(String(reports[0]!.violation)).to.match(/\/response/);
    expect(JSON.stringify(reports[0])).not.to.contain('a field nobody declared');
    const counted = await metrics.registry.getSingleMetricAsString('openapi_response_violations_total');
    expect(counted).to.contain('openapi_response_violations_total{route="/v1/purposes"} 1');
    // A response that keeps the contract is not reported.
    expect((await request(app).get('/healthz')).status).to.equal(200);
    expect(logs.records().filter((r) => r.msg === 'response does not match the contract')).to.have.length(1);
  });

  it('is off when VALIDATE_RESPONSES=false', async () => {
    const { app, logs } = appWith({ NODE_ENV: 'test', VALIDATE_RESPONSES: 'false' });
    expect((await request(app).get('/v1/purposes')).status).to.equal(200);
    expect(logs.text).not.to.contain('response does not match the contract');
  });
});
