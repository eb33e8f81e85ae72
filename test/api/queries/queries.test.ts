/**
 * POST /v1/queries against the real composition: PostgreSQL, the reference registry over HTTP,
 * the shipped policies, real consent tokens and the audit log.
 */
import { expect } from 'chai';
import { compactVerify, createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import request from 'supertest';
import { fromBase64 } from '../../../server/audit/bytes.js';
import { verifyInclusion } from '../../../server/audit/merkle.js';
import { parseCheckpoint, parseNote } from '../../../server/audit/note.js';
import type { ClerkPrincipal } from '../../../server/auth/principal.js';
import { asPrincipal, buildTestApp, principalFromTestHeader, type TestApp } from '../../support/app.js';
import { freshDatabase } from '../../support/database.js';
import { startTestRegistry } from '../../support/registry.js';
import {
  CLERK,
  GAON,
  HANBIT,
  MINJUN_ID,
  SEOYEON_ID,
  citizen,
  decideOnScreen,
  mortgageRequest,
  seedConsentWorld,
} from '../consents/consent-fixtures.js';

const THREE_RECORDS = [
  {
    recordType: 'resident.registration-abstract',
    fields: { required: ['address'], optional: ['householdHeadName'] },
  },
  {
    recordType: 'tax.income-amount-certificate',
    fields: { required: ['totalIncome', 'attributionYear'], optional: ['payers'] },
  },
  {
    recordType: 'tax.national-payment-certificate',
    fields: { required: ['hasArrears', 'validUntil'], optional: [] },
  },
];

describe('verification queries', function () {
  this.timeout(60_000);
  let t: TestApp;

  before(async () => {
    const database = await freshDatabase();
    const registry = await startTestRegistry(database);
    t = await buildTestApp({ database, registry, authenticate: principalFromTestHeader });
    await seedConsentWorld(t);
  });

  const minjun = () => citizen(t, MINJUN_ID, 'citizen-minjun');

  async function approvedConsent(body: Record<string, unknown> = {}, keep: string[] = ['householdHeadName']) {
    const created = await request(t.app)
      .post('/v1/consent-requests')
      .set(...asPrincipal(HANBIT))
      .send(mortgageRequest({ records: THREE_RECORDS, ...body }));
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const decided = await decideOnScreen(t, created.body.id, minjun(), 'approve', keep);
    expect(decided.status, decided.text.slice(0, 300)).to.be.oneOf([200, 303]);
    const token = await request(t.app)
      .post(`/v1/consents/${created.body.id}/token`)
      .set(...asPrincipal(HANBIT));
    expect(token.status, JSON.stringify(token.body)).to.equal(200);
    return { id: created.body.id as string, token: token.body.token as string };
  }

  const bankQuery = (token: string, overrides: Record<string, unknown> = {}) => ({
    purpose: 'loan.mortgage-screening',
    subject: { scheme: 'rrn', id: MINJUN_ID },
    mode: 'full',
    records: THREE_RECORDS.map((r) => ({ recordType: r.recordType })),
    consent: { token },
    ...overrides,
  });

  async function auditRows(requestId: string) {
    return t.database.db('audit_entry').where({ request_id: requestId }).orderBy('entry_id');
  }

  it('releases exactly policy ∩ consent ∩ request for three record types, with a verifiable signed copy', async () => {
    const { token } = await approvedConsent();
    const res = await request(t.app)
      .post('/v1/queries')
      .set(...asPrincipal(HANBIT))
      .send(bankQuery(token, { signedCopy: true }));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.records).to.have.length(3);

    const consented: Record<string, string[]> = {
      'resident.registration-abstract': ['address', 'householdHeadName'],
      'tax.income-amount-certificate': ['totalIncome', 'attributionYear'],
      'tax.national-payment-certificate': ['hasArrears', 'validUntil', 'tax_arrears'],
    };
    for (const record of res.body.records) {
      expect(record.outcome, record.recordType).to.equal('released');
      const explained = await request(t.app).get(
        `/v1/policy/explain?class=bank&purpose=loan.mortgage-screening&recordType=${record.recordType}`,
      );
      const allowed = (explained.body.fields as { name: string; outcome: string }[])
        .filter((f) => f.outcome === 'released')
        .map((f) => f.name);
      const expected = allowed.filter((name) => consented[record.recordType]!.includes(name)).sort();
      expect(expected.length, record.recordType).to.be.greaterThan(0);
      expect(Object.keys(record.released).sort(), record.recordType).to.deep.equal(expected);
      expect(record.fields.map((f: { name: string }) => f.name).sort()).to.deep.equal(expected);
      const holder = record.recordType.startsWith('resident.') ? 'mois' : 'nts';
      expect(record.provenance.holder, record.recordType).to.equal(holder);
      expect(record.provenance.provider, record.recordType).to.equal(holder);
      expect(record.policy.id).to.equal('loan.mortgage-screening');
    }
    const abstract = res.body.records[0];
    expect(abstract.released.address, 'generalised to the district').not.to.match(/\d+-?\d*$/);
    expect(res.body.records[2].released).to.have.property('tax_arrears').that.is.a('boolean');
    expect(res.body.records[2].released).not.to.have.property('hasArrears');

    // The signed copy verifies with plain jose against the published JWKS.
    const jwks = (await request(t.app).get('/.well-known/jwks.json')).body as JSONWebKeySet;
    for (const record of res.body.records) {
      expect(decodeProtectedHeader(record.signedCopy).typ).to.equal('record+jws');
      const { payload } = await compactVerify(record.signedCopy, createLocalJWKSet(jwks));
      const signed = JSON.parse(new TextDecoder().decode(payload));
      expect(signed.released).to.deep.equal(record.released);
      expect(signed.audit).to.deep.equal(record.audit);
      expect(signed.recordType).to.equal(record.recordType);
    }

    // One released audit entry per record, committed before the response, with the receipts given.
    const rows = await auditRows(res.body.queryId);
    expect(rows.map((r) => r.outcome)).to.deep.equal(['released', 'released', 'released']);
    expect(rows.map((r) => Number(r.entry_id))).to.deep.equal(
      res.body.records.map((r: { audit: { entryId: number } }) => r.audit.entryId),
    );
    expect(JSON.stringify(rows)).not.to.contain(MINJUN_ID);
  });

  it('replays the first answer for a retried Idempotency-Key instead of releasing again', async () => {
    const { token } = await approvedConsent();
    const send = () =>
      request(t.app)
        .post('/v1/queries')
        .set(...asPrincipal(HANBIT))
        .set('Idempotency-Key', 'retry-key-0001')
        .send(bankQuery(token));
    const first = await send();
    expect(first.status).to.equal(200);
    const second = await send();
    expect(second.status).to.equal(200);
    expect(second.headers['idempotent-replayed']).to.equal('true');
    expect(second.body).to.deep.equal(first.body);
    expect(await auditRows(first.body.queryId)).to.have.length(3);
    const different = await request(t.app)
      .post('/v1/queries')
      .set(...asPrincipal(HANBIT))
      .set('Idempotency-Key', 'retry-key-0001')
      .send(bankQuery(token, { records: [{ recordType: 'resident.registration-abstract' }] }));
    expect(different.status).to.equal(409);
  });

  async function expectRefusal(res: request.Response, status: number, code: string, records = 3) {
    expect(res.status, JSON.stringify(res.body)).to.equal(status);
    expect(res.body.code).to.equal(code);
    expect(JSON.stringify(res.body)).not.to.contain('"released"');
    const rows = await auditRows(res.body.requestId);
    expect(rows, `audit entries for ${code}`).to.have.length(records);
    for (const row of rows) {
      expect(row.outcome).to.equal('denied');
      expect(row.reason_code).to.equal(code);
    }
  }

  it('refuses a consent for one citizen used for another, and audits the refusal', async () => {
    const { token } = await approvedConsent();
    const res = await request(t.app)
      .post('/v1/queries')
      .set(...asPrincipal(HANBIT))
      .send(bankQuery(token, { subject: { scheme: 'rrn', id: SEOYEON_ID } }));
    await expectRefusal(res, 403, 'subject_mismatch');
  });

  it('refuses an exhausted, a paused and a revoked consent', async () => {
    const once = await approvedConsent({ usage: { fetch: 'once' } });
    const ok = await request(t.app)
      .post('/v1/queries')
      .set(...asPrincipal(HANBIT))
      .send(bankQuery(once.token));
    expect(ok.status).to.equal(200);
    const again = await request(t.app)
      .post('/v1/queries')
      .set(...asPrincipal(HANBIT))
      .send(bankQuery(once.token));
    await expectRefusal(again, 403, 'consent_exhausted');

    const paused = await approvedConsent();
    await request(t.app)
      .post(`/v1/me/consents/${paused.id}/pause`)
      .set(...asPrincipal(minjun()))
      .send({})
      .expect(200);
    const whilePaused = await request(t.app)
      .post('/v1/queries')
      .set(...asPrincipal(HANBIT))
      .send(bankQuery(paused.token));
    expect(whilePaused.status).to.equal(403);
    expect(whilePaused.body.code).to.be.oneOf(['forbidden', 'consent_invalid']);
    expect(await auditRows(whilePaused.body.requestId)).to.have.length(3);

    const revoked = await approvedConsent();
    await request(t.app)
      .post(`/v1/me/consents/${revoked.id}/revoke`)
      .set(...asPrincipal(minjun()))
      .send({})
      .expect(200);
    const afterRevoke = await request(t.app)
      .post('/v1/queries')
      .set(...asPrincipal(HANBIT))
      .send(bankQuery(revoked.token));
    expect(afterRevoke.status).to.equal(403);
    expect(afterRevoke.body.code).to.be.oneOf(['consent_revoked', 'consent_invalid']);
  });

  it('refuses a purpose the organisation may not use and a record type outside the consent', async () => {
    const { token } = await approvedConsent();
    const passport = await request(t.app)
      .post('/v1/queries')
      .set(...asPrincipal(HANBIT))
      .send(
        bankQuery(token, {
          purpose: 'passport.issue',
          records: [{ recordType: 'family.basic-certificate' }],
        }),
      );
    await expectRefusal(passport, 403, 'purpose_not_allowed', 1);
    const outside = await request(t.app)
      .post('/v1/queries')
      .set(...asPrincipal(HANBIT))
      .send(bankQuery(token, { records: [{ recordType: 'tax.local-payment-certificate' }] }));
    await expectRefusal(outside, 403, 'forbidden', 1);
  });

  it('refuses a suspended client', async () => {
    const { token } = await approvedConsent();
    const organisations = t.composition.services.organisations;
    await organisations.setClientStatus(HANBIT.clientId, 'suspended', 'test', { id: 'test' });
    try {
      const res = await request(t.app)
        .post('/v1/queries')
        .set(...asPrincipal(HANBIT))
        .send(bankQuery(token));
      await expectRefusal(res, 403, 'forbidden');
    } finally {
      await organisations.setClientStatus(HANBIT.clientId, 'active', 'test', { id: 'test' });
    }
  });

  describe('clerks at the counter', () => {
    const clerk: ClerkPrincipal = CLERK;

    it('queries on a statutory basis, audited with the mode', async () => {
      const res = await request(t.app)
        .post('/v1/queries')
        .set(...asPrincipal(clerk))
        .send({
          purpose: 'resident.move-in-report',
          subject: { scheme: 'rrn', id: MINJUN_ID },
          mode: 'full',
          records: [{ recordType: 'resident.registration-abstract-individual' }],
          consent: { mode: 'statutory' },
        });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.consent.mode).to.equal('statutory');
      expect(res.body.records[0].outcome).to.equal('released');
      const [row] = await auditRows(res.body.queryId);
      expect(JSON.parse(row.body).consent.mode).to.equal('statutory');
      expect(JSON.parse(row.body).requester.clerkRef).to.equal(clerk.clerkId);
    });

    it('queries with an attested paper consent, audited with the mode', async () => {
      const res = await request(t.app)
        .post('/v1/queries')
        .set(...asPrincipal(clerk))
        .send({
          purpose: 'welfare.housing-benefit',
          subject: { scheme: 'rrn', id: MINJUN_ID },
          mode: 'full',
          records: [{ recordType: 'resident.registration-abstract' }],
          consent: { mode: 'attested', documentReference: 'JONGNO-2026-000123' },
        });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.consent.mode).to.equal('attested');
      const [row] = await auditRows(res.body.queryId);
      expect(JSON.parse(row.body).consent.mode).to.equal('attested');
    });

    it('refuses the statutory mode for a purpose that needs the citizen consent', async () => {
      const res = await request(t.app)
        .post('/v1/queries')
        .set(...asPrincipal(clerk))
        .send({
          purpose: 'welfare.housing-benefit',
          subject: { scheme: 'rrn', id: MINJUN_ID },
          mode: 'full',
          records: [{ recordType: 'resident.registration-abstract' }],
          consent: { mode: 'statutory' },
        });
      await expectRefusal(res, 403, 'consent_required', 1);
    });

    it('queries with a consent the citizen approved on their phone, audited with the mode', async () => {
      const created = await request(t.app)
        .post('/v1/consent-requests')
        .set(...asPrincipal(clerk))
        .send({
          subject: { scheme: 'rrn', id: MINJUN_ID },
          purpose: 'welfare.housing-benefit',
          records: [
            {
              recordType: 'resident.registration-abstract',
              fields: { required: ['address', 'members'], optional: [] },
            },
          ],
          durationDays: 1,
          usage: { fetch: 'once' },
          dataLife: { unit: 'day', value: 30 },
        });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      await decideOnScreen(t, created.body.id, minjun(), 'approve', []);
      const res = await request(t.app)
        .post('/v1/queries')
        .set(...asPrincipal(clerk))
        .send({
          purpose: 'welfare.housing-benefit',
          subject: { scheme: 'rrn', id: MINJUN_ID },
          mode: 'full',
          records: [{ recordType: 'resident.registration-abstract' }],
          consent: { mode: 'citizen', consentId: created.body.id },
        });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.consent).to.deep.equal({ id: created.body.id, mode: 'citizen' });
      const [row] = await auditRows(res.body.queryId);
      expect(JSON.parse(row.body).consent.mode).to.equal('citizen');
    });
  });

  it('answers fact checks yes/no without the record', async () => {
    const res = await request(t.app)
      .post('/v1/queries')
      .set(...asPrincipal(CLERK))
      .send({
        purpose: 'resident.id-verification',
        subject: { scheme: 'rrn', id: MINJUN_ID },
        mode: 'fact-check',
        records: [{ recordType: 'resident.id-card-authenticity' }],
        consent: { mode: 'statutory' },
      });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const [record] = res.body.records;
    expect(record.factChecks).to.have.property('id_card_valid').that.is.a('boolean');
    expect(record).not.to.have.property('released');
  });

  it('answers 503 audit_unavailable with no record data when the audit insert fails', async () => {
    const { token } = await approvedConsent();
    const db = t.database.db;
    await db.raw(`CREATE FUNCTION juc_test_fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit disk full (test fault)'; END $$`);
    await db.raw(
      'CREATE TRIGGER juc_test_fail_audit BEFORE INSERT ON audit_entry FOR EACH ROW EXECUTE FUNCTION juc_test_fail_audit()',
    );
    try {
      const res = await request(t.app)
        .post('/v1/queries')
        .set(...asPrincipal(HANBIT))
        .send(bankQuery(token));
      expect(res.status).to.equal(503);
      expect(res.body.code).to.equal('audit_unavailable');
      expect(res.body).not.to.have.property('records');
      expect(JSON.stringify(res.body)).not.to.match(/district|totalIncome|tax_arrears|address/);
    } finally {
      await db.raw('DROP TRIGGER juc_test_fail_audit ON audit_entry');
      await db.raw('DROP FUNCTION juc_test_fail_audit()');
    }
    // The failed attempt did not count as a use: the consent still works.
    const retry = await request(t.app)
      .post('/v1/queries')
      .set(...asPrincipal(HANBIT))
      .send(bankQuery(token));
    expect(retry.status).to.equal(200);
  });

  it('completes the receipt with an inclusion proof once the entry is sequenced', async () => {
    const { token } = await approvedConsent();
    const res = await request(t.app)
      .post('/v1/queries')
      .set(...asPrincipal(HANBIT))
      .send(bankQuery(token));
    expect(res.status).to.equal(200);
    const { entryId } = res.body.records[0].audit;
    const other = await request(t.app)
      .get(`/v1/log/receipts/${entryId}`)
      .set(...asPrincipal(GAON));
    expect(other.status, 'another organisation cannot see it').to.equal(404);
    const tasks = t.composition.background.filter((b) => b.name.startsWith('audit'));
    expect(tasks.length).to.be.greaterThan(0);
    for (const task of tasks) task.start();
    try {
      let receipt: request.Response | undefined;
      for (let i = 0; i < 100; i++) {
        receipt = await request(t.app)
          .get(`/v1/log/receipts/${entryId}`)
          .set(...asPrincipal(HANBIT));
        if (receipt.body.status === 'included') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(receipt!.status).to.equal(200);
      expect(receipt!.body.status).to.equal('included');
      const { index, treeSize, proof, leafHash, checkpoint } = receipt!.body;
      const body = parseNote(checkpoint).text;
      const cp = parseCheckpoint(body);
      expect(cp.size).to.equal(treeSize);
      const verdict = verifyInclusion(
        fromBase64(leafHash),
        index,
        treeSize,
        proof.map(fromBase64),
        cp.rootHash,
      );
      expect(verdict.ok).to.equal(true);
    } finally {
      for (const task of tasks) await task.stop();
    }
  });

  it('rejects bad input with problem+json and releases nothing', async () => {
    const bad = await request(t.app)
      .post('/v1/queries')
      .set(...asPrincipal(GAON))
      .send({
        purpose: 'loan.mortgage-screening',
        mode: 'full',
        subject: { scheme: 'rrn', id: '８５０３１４１２３４５６２' },
        records: [{ recordType: 'resident.registration-abstract' }],
        consent: { token: 'x' },
      });
    expect(bad.status).to.equal(400);
    expect(bad.body.code).to.equal('identifier_invalid');
    const unknown = await request(t.app)
      .post('/v1/queries')
      .set(...asPrincipal(GAON))
      .send({
        purpose: 'loan.mortgage-screening',
        mode: 'full',
        subject: { scheme: 'rrn', id: MINJUN_ID },
        records: [{ recordType: 'resident.no-such-record' }],
        consent: { token: 'x' },
      });
    expect(unknown.status).to.equal(404);
    expect(unknown.body.code).to.equal('record_type_unknown');
    const citizenCaller = await request(t.app)
      .post('/v1/queries')
      .set(...asPrincipal(minjun()))
      .send(bankQuery('x'));
    expect(citizenCaller.status).to.equal(403);
  });
});
