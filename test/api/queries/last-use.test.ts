/**
 * The last use of a consent, through a query: the EXHAUSTED version, its event and its webhook are
 * written in the statement that commits the audit entries (consents' exhaustGuard), and they are the
 * rows the transaction path (authorizeUse inside a unit of work) writes for the same last use.
 */
import { expect } from 'chai';
import request from 'supertest';
import { recordHash } from '../../../server/consents/consent-token.js';
import { fromRow, type ConsentRow } from '../../../server/consents/consents.rows.js';
import { asPrincipal, type TestApp } from '../../support/app.js';
import { HANBIT, MINJUN_ID, citizen, approvedConsent, queryWorld } from '../consents/consent-fixtures.js';

const RESIDENT = 'resident.registration-abstract';
const RECORDS = [{ recordType: RESIDENT, fields: { required: ['address'], optional: [] } }];
const HOOK = 'http://127.0.0.1:9/hooks/consent';

describe('the last use of a consent through a query', function () {
  this.timeout(60_000);
  let t: TestApp;

  before(async () => {
    t = await queryWorld();
  });

  const approved = () => approvedConsent(t, { records: RECORDS, webhookUrl: HOOK });

  const query = (token: string) =>
    request(t.app)
      .post('/v1/queries')
      .set(...asPrincipal(HANBIT))
      .send({
        purpose: 'loan.mortgage-screening',
        subject: { scheme: 'rrn', id: MINJUN_ID },
        mode: 'full',
        records: [{ recordType: RESIDENT }],
        consent: { token },
      });

  /** What the last use left behind, without ids and the consent's own identity. */
  async function afterLastUse(id: string) {
    const db = t.database.db;
    const row = (await db('consent').where({ id }).first()) as ConsentRow;
    const events = await db('consent_event').where({ consent_id: id }).orderBy('id');
    const exhausted = events.filter((e) => e.type === 'exhausted');
    const hooks = await db('consent_webhook_delivery').where({ consent_id: id }).orderBy('id');
    const hook = hooks.find((h) => h.event_id === exhausted[0]?.id);
    return {
      row,
      consent: {
        status: row.status,
        statusReason: row.status_reason,
        version: row.version,
        useCount: row.use_count,
        hashMatches: row.rec_hash === recordHash(fromRow(row)),
      },
      events: exhausted.map((e) => ({
        version: e.version,
        state: e.state,
        actor: e.actor,
        reason: e.reason,
        detail: e.detail,
      })),
      hook: hook && {
        url: hook.url,
        audience: hook.audience,
        status: hook.status,
        payload: { ...hook.payload, cid: '-', at: '-', valid_until: '-' },
      },
    };
  }

  it('commits the EXHAUSTED version, its event and its webhook with the audit entries', async () => {
    const { id, token } = await approved();
    for (let use = 1; use <= 3; use++) {
      const answer = await query(token);
      expect(answer.status, `use ${use}: ${JSON.stringify(answer.body)}`).to.equal(200);
    }
    const after = await afterLastUse(id);
    expect(after.consent).to.deep.equal({
      status: 'EXHAUSTED',
      statusReason: 'All 3 allowed uses were made.',
      version: 3, // requested 1, approved 2, exhausted 3
      useCount: 3,
      hashMatches: true,
    });
    expect(after.events).to.deep.equal([
      {
        version: 3,
        state: 'EXHAUSTED',
        actor: 'system',
        reason: 'All 3 allowed uses were made.',
        detail: {},
      },
    ]);
    expect(after.hook).to.deep.equal({
      url: HOOK,
      audience: HANBIT.clientId,
      status: 'pending',
      payload: {
        cid: '-',
        cver: 3,
        status: 'EXHAUSTED',
        event: 'exhausted',
        reason: 'All 3 allowed uses were made.',
        at: '-',
        purpose: 'loan.mortgage-screening',
        valid_until: '-',
      },
    });
    expect(after.row.last_used_at!.getTime()).to.equal(after.row.updated_at.getTime());
    const entries = await t.database.db('audit_entry').where({ consent_id: id, outcome: 'released' });
    expect(entries).to.have.length(3);
    // A fourth query finds the consent exhausted, and releases nothing.
    const fourth = await query(token);
    expect(fourth.status).to.equal(403);
    expect(fourth.body.code).to.equal('consent_exhausted');
  });

  it('writes what the transaction path writes for the same last use', async () => {
    const viaQuery = await approved();
    for (let use = 1; use <= 3; use++) expect((await query(viaQuery.token)).status).to.equal(200);
    const viaTransaction = await approved();
    const consents = t.composition.services.consents;
    const minjun = citizen(t, MINJUN_ID, 'citizen-minjun');
    for (let use = 1; use <= 3; use++) {
      await consents.authorizeUse({
        principal: HANBIT,
        subjectKey: minjun.subjectKey,
        purposeCode: 'loan.mortgage-screening',
        recordTypes: [RESIDENT],
        requestedFields: {},
        consentToken: viaTransaction.token,
        now: new Date(),
      });
    }
    const a = await afterLastUse(viaQuery.id);
    const b = await afterLastUse(viaTransaction.id);
    expect({ ...a, row: undefined }).to.deep.equal({ ...b, row: undefined });
  });
});
