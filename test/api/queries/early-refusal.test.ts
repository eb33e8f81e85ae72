/**
 * Early refusals with hostile request values (issue 17): a client not entitled to a purpose may send
 * anything the contract lets through in `purpose` and `recordType`; every such refusal is audited
 * (one entry each, values it cannot record as sent go in by hash) and none is blamed on the log (503).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Principal } from '../../../server/auth/principal.js';
import { buildTestApp, principalFromTestHeader, type TestApp } from '../../support/app.js';
import { freshDatabase } from '../../support/database.js';
import { CLERK, HANBIT, MINJUN_ID, citizen, seedConsentWorld } from '../consents/consent-fixtures.js';

/** Neither the bank nor the district office is entitled to it (server/organisations/seed/demo.json). */
const REFUSED_PURPOSE = 'ship.registration-check';

/** Values the contract accepts (strings of at most 100 characters) that are not plain codes. */
const HOSTILE: ((i: number) => string)[] = [
  (i) => `loan mortgage ${i}`,
  (i) => `대출 심사 ${i}`,
  (i) => `ローン審査-${i}`,
  (i) => `tab\there-${i}`,
  (i) => `line\nbreak-${i}`,
  (i) => `carriage\rreturn-${i}`,
  (i) => `del\u007f-${i}`,
  (i) => `c1\u0085nel-${i}`,
  (i) => `\u202Eright-to-left-${i}`,
  (i) => `zero\u200bwidth-${i}`,
  (i) => `'; DROP TABLE audit_entry; --${i}`,
  (i) => `<script>alert(${i})</script>`,
  (i) => `🙂-${i}`,
  (i) => `lone\ud800surrogate-${i}`,
  (i) => `%00-${i}`,
  (i) => `\\u0000-${i}`,
  (i) => `é`.repeat(96) + String(i % 1000).padStart(4, '0'),
  (i) => ` `.repeat(96) + String(i % 1000).padStart(4, '0'),
  (i) => `a/b?c=d&e#${i}`,
  () => '',
];

describe('early refusals: every hostile refusal is audited, none is a 503', function () {
  this.timeout(120_000);
  let t: TestApp;
  let server: Server;
  let base: string;

  before(async () => {
    t = await buildTestApp({
      database: await freshDatabase(),
      authenticate: principalFromTestHeader,
      // Refused queries spend the requester's budget (reliability check A10); this test is about what a
      // refusal records, not about the limit, so the budget is set above the 1,000 it sends.
      env: { QUERY_RATE_LIMIT_PER_MINUTE: '100000' },
    });
    await seedConsentWorld(t);
    server = createServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const entryCount = async () => Number((await t.database.db('audit_entry').count({ n: '*' }))[0]!.n);

  async function query(principal: Principal, body: unknown) {
    const res = await fetch(`${base}/v1/queries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-test-principal': JSON.stringify(principal) },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('1,000 refusals with hostile purpose and recordType values: the log grows by 1,000, no 503', async () => {
    const before = await entryCount();
    // Four shapes: hostile purpose, hostile record type under a refused purpose, both, a procedure;
    // with and without a subject we can attribute, from a client and a clerk.
    const bodies = Array.from({ length: 1000 }, (_, i) => {
      const value = HOSTILE[i % HOSTILE.length]!(i);
      const other = HOSTILE[(i + 7) % HOSTILE.length]!(i);
      const shape = i % 4;
      const body: Record<string, unknown> = {
        purpose: shape === 1 ? REFUSED_PURPOSE : value,
        mode: 'full',
        ...(i % 3 === 0 ? {} : { subject: { scheme: 'rrn', id: MINJUN_ID } }),
      };
      if (shape === 0) body.records = [{ recordType: 'family.basic-certificate' }];
      if (shape === 1) body.records = [{ recordType: value }];
      if (shape === 2) body.records = [{ recordType: other, identifier: `parcel-${i}` }];
      if (shape === 3) body.procedure = true;
      return { principal: i % 5 === 0 ? CLERK : HANBIT, body };
    });
    const statuses = new Map<number, number>();
    const codes = new Set<unknown>();
    for (let i = 0; i < bodies.length; i += 25) {
      const answers = await Promise.all(bodies.slice(i, i + 25).map((b) => query(b.principal, b.body)));
      for (const a of answers) {
        statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
        codes.add(a.body.code);
      }
    }
    expect(statuses.get(503) ?? 0, '503s').to.equal(0);
    expect(Object.fromEntries(statuses)).to.deep.equal({ 403: 1000 });
    expect([...codes]).to.deep.equal(['purpose_not_allowed']);
    expect((await entryCount()) - before, 'audit log growth').to.equal(1000);

    const rows = await t.database
      .db('audit_entry')
      .where('entry_id', '>', 0)
      .orderBy('entry_id', 'desc')
      .limit(1000);
    for (const row of rows) {
      expect(row.outcome).to.equal('denied');
      expect(row.reason_code).to.equal('purpose_not_allowed');
      const body = JSON.parse(row.body as string);
      if (body.purpose === '-undescribed') expect(body.undescribed.purpose.sha256).to.match(/^[0-9a-f]{64}$/);
      else expect(body.purpose).to.equal(REFUSED_PURPOSE);
      expect(['family.basic-certificate', '-undescribed', '-none']).to.include(body.recordType);
    }
    // The sequencer places every one of them in the log (pseudo subjects chain like real ones).
    await t.composition.audit.sequencer.runOnce();
    const placed = await t.database.db('log_leaf').count({ n: '*' });
    expect(Number(placed[0]!.n)).to.equal(await entryCount());
  });

  it('records a value it cannot log as sent by its SHA-256 and byte count', async () => {
    const res = await query(HANBIT, {
      purpose: 'loan mortgage',
      mode: 'full',
      subject: { scheme: 'rrn', id: MINJUN_ID },
      records: [{ recordType: '대출 심사' }],
    });
    expect(res.status).to.equal(403);
    const [row] = await t.database.db('audit_entry').where({ request_id: res.body.requestId });
    const body = JSON.parse(row.body as string);
    expect(body.purpose).to.equal('-undescribed');
    expect(body.recordType).to.equal('-undescribed');
    // Written by hand: `printf 'loan mortgage' | sha256sum`, `printf '대출 심사' | sha256sum`.
    expect(body.undescribed).to.deep.equal({
      purpose: { sha256: '3251a2aafbf6c23378964146e89a9aeae1b46c4a6b08d945ce6a52bb4427fe76', bytes: 13 },
      recordType: { sha256: '73975d156d16878c6ed0c2690d555511d39e8fa91458ce560aed2b5a46017d71', bytes: 13 },
    });
    expect(body.subjectKey).to.equal(citizen(t, MINJUN_ID, 'citizen-minjun').subjectKey);
    expect(body).not.to.have.property('unattributed');
  });

  it('records a refusal with no subject to attribute under the requester’s own pseudo subject', async () => {
    const send = (principal: Principal) =>
      query(principal, {
        purpose: REFUSED_PURPOSE,
        mode: 'full',
        records: [{ recordType: 'family.basic-certificate' }],
      });
    const answers = [await send(HANBIT), await send(HANBIT), await send(CLERK)];
    const bodies = [];
    for (const a of answers) {
      expect(a.status).to.equal(403);
      const [row] = await t.database.db('audit_entry').where({ request_id: a.body.requestId });
      bodies.push(JSON.parse(row.body as string));
    }
    for (const b of bodies) {
      expect(b.unattributed).to.equal(true);
      expect(b.purpose).to.equal(REFUSED_PURPOSE);
      expect(b.recordType).to.equal('family.basic-certificate');
      expect(b).not.to.have.property('undescribed');
    }
    expect(bodies[0].subjectKey, 'one chain per requester').to.equal(bodies[1].subjectKey);
    expect(bodies[2].subjectKey, 'another requester, another chain').not.to.equal(bodies[0].subjectKey);
    expect(bodies[0].subjectKey).not.to.equal(citizen(t, MINJUN_ID, 'citizen-minjun').subjectKey);
  });

  it('refuses a clerk’s hostile consent id (403, audited), never a 500 or 503', async () => {
    for (const consentId of ['not a uuid 🙂', "'; SELECT 1; --", 'x'.repeat(100)]) {
      const res = await query(CLERK, {
        purpose: 'welfare.housing-benefit',
        mode: 'full',
        subject: { scheme: 'rrn', id: MINJUN_ID },
        records: [{ recordType: 'resident.registration-abstract' }],
        consent: { mode: 'citizen', consentId },
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(403);
      const rows = await t.database.db('audit_entry').where({ request_id: res.body.requestId });
      expect(rows.map((r) => [r.outcome, r.reason_code])).to.deep.equal([['denied', res.body.code]]);
    }
  });

  it('audits a record type outside an entitled purpose (403), and a malformed request (400) too', async () => {
    const before = await entryCount();
    const outside = await query(HANBIT, {
      purpose: 'loan.mortgage-screening',
      mode: 'full',
      subject: { scheme: 'rrn', id: MINJUN_ID },
      records: [{ recordType: 'family.basic-certificate' }],
    });
    expect(outside.status).to.equal(403);
    expect(outside.body.code).to.equal('purpose_not_allowed');
    const [row] = await t.database.db('audit_entry').where({ request_id: outside.body.requestId });
    expect(JSON.parse(row.body as string)).to.include({
      purpose: 'loan.mortgage-screening',
      recordType: 'family.basic-certificate',
      reasonCode: 'purpose_not_allowed',
      outcome: 'denied',
    });
    const malformed = await query(HANBIT, {
      purpose: 'loan.mortgage-screening',
      mode: 'full',
      subject: { scheme: 'rrn', id: MINJUN_ID },
    });
    expect(malformed.status).to.equal(400);
    // One entry each: a malformed request is a refused query too (test/api/queries/refused-audit.test.ts).
    expect((await entryCount()) - before).to.equal(2);
  });
});
