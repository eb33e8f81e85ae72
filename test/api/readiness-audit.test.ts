/**
 * Readiness follows the audit store (reliability check F4, AU-5): while audit appends fail, every data
 * request is 503 audit_unavailable, so /readyz says not ready too (a balancer stops sending traffic
 * here), and it is ready again once an append is accepted.
 */
import { expect } from 'chai';
import request from 'supertest';
import { createHealthService } from '../../server/health/health.service.js';
import { buildTestApp, asPrincipal, principalFromTestHeader, type TestApp } from '../support/app.js';
import { freshDatabase } from '../support/database.js';
import { HANBIT, seedConsentWorld } from './consents/consent-fixtures.js';

/** A query the use case refuses (404 record_type_unknown) after writing its one audit entry. */
const REFUSED = {
  purpose: 'loan.mortgage-screening',
  mode: 'full',
  records: [{ recordType: 'no.such-record' }],
};

describe('readiness while audit appends fail (reliability F4)', function () {
  this.timeout(60_000);
  let t: TestApp;

  before(async () => {
    t = await buildTestApp({ database: await freshDatabase(), authenticate: principalFromTestHeader });
    await seedConsentWorld(t);
  });

  const query = () =>
    request(t.app)
      .post('/v1/queries')
      .set(...asPrincipal(HANBIT))
      .send(REFUSED);

  it('answers 503 not_ready (audit failing) while appends fail, and ready once one is accepted', async () => {
    const db = t.database.db;
    expect((await request(t.app).get('/readyz')).status).to.equal(200);
    await db.raw(`CREATE FUNCTION juc_test_audit_full() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'could not extend file (test fault)' USING ERRCODE = '53100'; END $$`);
    await db.raw(
      'CREATE TRIGGER juc_test_audit_full BEFORE INSERT ON audit_entry FOR EACH ROW EXECUTE FUNCTION juc_test_audit_full()',
    );
    try {
      const refused = await query();
      expect(refused.status, JSON.stringify(refused.body)).to.equal(503);
      expect(refused.body.code).to.equal('audit_unavailable');
      const ready = await request(t.app).get('/readyz');
      expect(ready.status).to.equal(503);
      expect(ready.headers['retry-after']).to.equal('5');
      expect(ready.body).to.deep.equal({
        status: 'not_ready',
        checks: { database: 'ok', migrations: 'ok', audit: 'failing', draining: false },
      });
      // Liveness is not readiness: the process is fine, its log store is not.
      expect((await request(t.app).get('/healthz')).status).to.equal(200);
    } finally {
      await db.raw('DROP TRIGGER juc_test_audit_full ON audit_entry');
      await db.raw('DROP FUNCTION juc_test_audit_full()');
    }
    // Still not ready until an append succeeds: nothing has been written since.
    expect((await request(t.app).get('/readyz')).status).to.equal(503);
    const written = await query();
    expect(written.status).to.equal(404);
    expect(written.body.code).to.equal('record_type_unknown');
    const ready = await request(t.app).get('/readyz');
    expect(ready.status).to.equal(200);
    expect(ready.body.checks.audit).to.equal('ok');
  });

  it('with no appends at all after a failure, is ready again after the retry delay (traffic tests the store)', async () => {
    let clock = 1_000_000;
    const health = createHealthService({
      pingDatabase: async () => undefined,
      pendingMigrations: async () => 0,
      isDraining: () => false,
      auditRetryAfterMs: 10_000,
      now: () => clock,
    });
    health.auditAppended(false);
    clock += 9_999;
    expect((await health.readiness()).checks.audit).to.equal('failing');
    expect((await health.readiness()).ready).to.equal(false);
    clock += 1;
    expect(await health.readiness()).to.deep.equal({
      ready: true,
      checks: { database: 'ok', migrations: 'ok', audit: 'ok', draining: false },
    });
    health.auditAppended(false);
    expect((await health.readiness()).ready).to.equal(false);
    health.auditAppended(true);
    expect((await health.readiness()).ready).to.equal(true);
  });
});
