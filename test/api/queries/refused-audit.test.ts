/**
 * Every refused query is audited (issue 17, DESIGN invariant 5), including the refusals the query use
 * case never sees: a body the contract validator, the body parser or the input rule refuses, and
 * refusals the use case makes before its audit step (unknown record type, invalid identifier, rate
 * limit). Each such refusal writes one entry per named record, or one if none can be named; the
 * answer is the problem+json it was, and a log that cannot be written turns it into a 503.
 */
import { expect } from 'chai';
import request from 'supertest';
import type { Principal } from '../../../server/auth/principal.js';
import { AppError } from '../../../server/errors.js';
import { buildTestApp, principalFromTestHeader, type TestApp } from '../../support/app.js';
import { createQueriesRepo } from '../../../server/queries/queries.repo.js';
import { freshDatabase } from '../../support/database.js';
import { CLERK, HANBIT, MINJUN_ID, citizen, seedConsentWorld } from '../consents/consent-fixtures.js';

/** Entitled to Hanbit Bank (server/organisations/seed/demo.json) and covering this record type. */
const MORTGAGE = 'loan.mortgage-screening';
const ABSTRACT = 'resident.registration-abstract';

/** Its own rate budget (QUERY_RATE_LIMIT_PER_MINUTE below), so no other test spends it. */
const BUSY_CLERK: Principal = { ...CLERK, sub: 'clerk-busy', clerkId: 'clerk-test-busy' };
const RATE_LIMIT = 2;

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

describe('refused queries: every refusal is audited, one entry per named record or one', function () {
  this.timeout(60_000);
  let t: TestApp;

  /** A clock early in a minute that moves a minute on per test: each test has the whole budget. */
  let clock = Math.floor(Date.now() / 60_000) * 60_000 + 1_000;

  before(async () => {
    t = await buildTestApp({
      database: await freshDatabase(),
      authenticate: principalFromTestHeader,
      env: { QUERY_RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT) },
      now: () => new Date(clock),
    });
    await seedConsentWorld(t);
  });

  beforeEach(() => {
    clock += 60_000;
  });

  const minjunKey = () => citizen(t, MINJUN_ID, 'citizen-minjun').subjectKey;

  /** Row counts of every table (partitions counted in their parent), to show what a refusal writes. */
  async function tableCounts(): Promise<Record<string, number>> {
    const { rows } = await t.database.db.raw<{ rows: { relname: string }[] }>(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
        ORDER BY c.relname`,
    );
    const counts: Record<string, number> = {};
    for (const { relname } of rows) {
      const [row] = await t.database.db(relname).count({ n: '*' });
      counts[relname] = Number(row!.n);
    }
    return counts;
  }

  /**
   * The tables whose row count changed. A refusal the use case makes also spends the requester's
   * budget (reliability check A10): `rate_window` gains the minute's row or counts it up, so it is
   * left out here, and the rate-limited test below shows that refusals count.
   */
  function changed(before: Record<string, number>, after: Record<string, number>) {
    return Object.fromEntries(
      Object.keys(after)
        .filter((table) => table !== 'rate_window' && after[table] !== before[table])
        .map((table) => [table, after[table]! - (before[table] ?? 0)]),
    );
  }

  async function send(principal: Principal | undefined, body: string | object): Promise<Answer> {
    let req = request(t.app).post('/v1/queries').set('content-type', 'application/json');
    if (principal) req = req.set('x-test-principal', JSON.stringify(principal));
    const res = await req.send(typeof body === 'string' ? body : JSON.stringify(body));
    return { status: res.status, headers: res.headers as Record<string, string>, body: res.body };
  }

  async function entriesOf(answer: Answer) {
    const rows = await t.database
      .db('audit_entry')
      .where({ request_id: answer.body.requestId })
      .orderBy('entry_id');
    return rows.map((r) => JSON.parse(r.body as string) as Record<string, unknown>);
  }

  /** The problem+json members that do not depend on the request id. */
  function problem(answer: Answer) {
    const { requestId, instance, ...rest } = answer.body;
    expect(instance).to.equal(`urn:request:${String(requestId)}`);
    expect(answer.headers['content-type']).to.match(/^application\/problem\+json/);
    return rest;
  }

  /** Sends one refused query; the log grows by `entries` and no other table changes. */
  async function refusedOnce(principal: Principal, body: string | object, entries = 1) {
    const before = await tableCounts();
    const answer = await send(principal, body);
    // The entries and their places in the sequencer's queue: nothing else.
    expect(changed(before, await tableCounts()), JSON.stringify(answer.body)).to.deep.equal({
      audit_entry: entries,
      audit_queue: entries,
    });
    const written = await entriesOf(answer);
    expect(written).to.have.length(entries);
    for (const entry of written) {
      expect(entry).to.include({ outcome: 'denied', reasonCode: answer.body.code });
      expect(entry.fields).to.deep.equal([]);
    }
    return { answer, entries: written };
  }

  describe('refused by the contract validator (400 validation_failed), one entry each', () => {
    it('a wrong type: the purpose a number, recorded by hash, the subject by its key', async () => {
      const { answer, entries } = await refusedOnce(HANBIT, {
        purpose: 42,
        mode: 'full',
        subject: { scheme: 'rrn', id: MINJUN_ID },
        records: [{ recordType: ABSTRACT }],
      });
      expect(answer.status).to.equal(400);
      expect(problem(answer)).to.deep.equal({
        type: 'https://joint-use-center.github.io/problems/validation_failed',
        title: 'The request is not valid',
        status: 400,
        detail: '/body/purpose: must be string',
        code: 'validation_failed',
        errors: [{ pointer: '/body/purpose', message: 'must be string' }],
      });
      expect(entries[0]).to.include({
        purpose: '-undescribed',
        recordType: '-none',
        subjectKey: minjunKey(),
      });
      // Written by hand: `printf '42' | sha256sum` (the JSON of a value that is not a string).
      expect(entries[0]!.undescribed).to.deep.equal({
        purpose: { sha256: '73475cb40a568e8da8a045ced110137e159f890ac4da883b6b17dc651b3a8049', bytes: 2 },
      });
      expect(entries[0]).not.to.have.property('unattributed');
      expect(entries[0]!.requester).to.deep.equal({ org: 'org-bank-hanbit', clientId: 'test-hanbit-app' });
    });

    it('records of the wrong shape, and an extra member: one entry whatever the records hold', async () => {
      const wrongRecords = await refusedOnce(HANBIT, {
        purpose: MORTGAGE,
        mode: 'full',
        records: [{ recordType: ABSTRACT }, { recordType: 7 }, 'x'],
      });
      expect(wrongRecords.answer.status).to.equal(400);
      expect(wrongRecords.answer.body.code).to.equal('validation_failed');
      expect(wrongRecords.entries[0]).to.include({
        purpose: MORTGAGE,
        recordType: '-none',
        unattributed: true,
      });

      const extra = await refusedOnce(CLERK, {
        purpose: MORTGAGE,
        mode: 'full',
        records: [{ recordType: ABSTRACT }, { recordType: 'tax.income-amount-certificate' }],
        bank: 'please',
      });
      expect(extra.answer.status).to.equal(400);
      expect(problem(extra.answer)).to.deep.equal({
        type: 'https://joint-use-center.github.io/problems/validation_failed',
        title: 'The request is not valid',
        status: 400,
        detail: '/body/bank: must NOT have additional properties',
        code: 'validation_failed',
        errors: [{ pointer: '/body/bank', message: 'must NOT have additional properties' }],
      });
      expect(extra.entries[0]!.requester).to.deep.equal({
        org: 'org-seoul-jongno',
        clerkRef: 'clerk-test-jongno',
      });
    });

    it('a missing member (mode), and a body that is not JSON at all', async () => {
      const missing = await refusedOnce(HANBIT, { purpose: MORTGAGE, records: [{ recordType: ABSTRACT }] });
      expect(missing.answer.status).to.equal(400);
      expect(missing.answer.body.detail).to.equal("/body/mode: must have required property 'mode'");

      const broken = await refusedOnce(HANBIT, '{"purpose": "loan.mortgage-screening", ');
      expect(broken.answer.status).to.equal(400);
      expect(problem(broken.answer)).to.deep.equal({
        type: 'https://joint-use-center.github.io/problems/validation_failed',
        title: 'The request is not valid',
        status: 400,
        detail: 'The body is not well-formed JSON.',
        code: 'validation_failed',
      });
      // Nothing could be read: no purpose, no record, no subject.
      expect(broken.entries[0]).to.include({ purpose: '-none', recordType: '-none', unattributed: true });
      expect(broken.entries[0]).not.to.have.property('undescribed');
    });
  });

  it('a NUL in a string (the input rule, before authentication): one entry, the value by hash', async () => {
    const { answer, entries } = await refusedOnce(HANBIT, {
      purpose: 'loan\u0000mortgage',
      mode: 'full',
      subject: { scheme: 'rrn', id: MINJUN_ID },
      records: [{ recordType: ABSTRACT }],
    });
    expect(answer.status).to.equal(400);
    expect(problem(answer)).to.deep.equal({
      type: 'https://joint-use-center.github.io/problems/validation_failed',
      title: 'The request is not valid',
      status: 400,
      detail:
        'Control characters are not accepted in a request: /body/purpose contains the control character U+0000 at position 4.',
      code: 'validation_failed',
      errors: [{ pointer: '/body/purpose', message: 'contains the control character U+0000 at position 4' }],
    });
    // Written by hand: `printf 'loan\0mortgage' | sha256sum`, 13 bytes.
    expect(entries[0]).to.include({ purpose: '-undescribed', recordType: '-none', subjectKey: minjunKey() });
    expect(entries[0]!.undescribed).to.deep.equal({
      purpose: { sha256: '522ecd0acad9e1d99e2dfd582d040a54f3a7071c88888ee3b07adbe58fb5ec04', bytes: 13 },
    });
  });

  it('a token without the query scope (403 insufficient_scope at the access layer): one entry', async () => {
    const readOnly: Principal = { ...HANBIT, scope: ['consents:read'] };
    const { answer, entries } = await refusedOnce(readOnly, {
      purpose: MORTGAGE,
      mode: 'full',
      subject: { scheme: 'rrn', id: MINJUN_ID },
      records: [{ recordType: ABSTRACT }],
    });
    expect(answer.status).to.equal(403);
    expect(answer.body.code).to.equal('insufficient_scope');
    expect(answer.headers['www-authenticate']).to.equal(
      'Bearer error="insufficient_scope", scope="records:query"',
    );
    expect(entries[0]).to.include({ purpose: MORTGAGE, recordType: '-none', subjectKey: minjunKey() });
  });

  it('an unknown record type (404 record_type_unknown): one entry per named record', async () => {
    const one = await refusedOnce(HANBIT, {
      purpose: MORTGAGE,
      mode: 'full',
      subject: { scheme: 'rrn', id: MINJUN_ID },
      records: [{ recordType: 'no.such-record' }],
    });
    expect(one.answer.status).to.equal(404);
    expect(problem(one.answer)).to.include({ code: 'record_type_unknown', status: 404 });
    expect(one.entries[0]).to.include({
      purpose: MORTGAGE,
      recordType: 'no.such-record',
      subjectKey: minjunKey(),
    });
    expect(one.entries[0]!.legalBasis, 'the purpose was confirmed').to.be.a('string');

    const two = await refusedOnce(
      HANBIT,
      {
        purpose: MORTGAGE,
        mode: 'full',
        subject: { scheme: 'rrn', id: MINJUN_ID },
        records: [{ recordType: ABSTRACT }, { recordType: 'no such record' }],
      },
      2,
    );
    expect(two.answer.status).to.equal(404);
    expect(two.entries.map((e) => e.recordType)).to.deep.equal([ABSTRACT, '-undescribed']);
  });

  it('an invalid identifier (400 identifier_invalid): one entry, under the requester', async () => {
    const { answer, entries } = await refusedOnce(HANBIT, {
      purpose: MORTGAGE,
      mode: 'full',
      subject: { scheme: 'rrn', id: '850314-123456' },
      records: [{ recordType: ABSTRACT }],
    });
    expect(answer.status).to.equal(400);
    expect(answer.body).to.include({ code: 'identifier_invalid', scheme: 'rrn' });
    expect(entries[0]).to.include({ purpose: MORTGAGE, recordType: ABSTRACT, unattributed: true });
    expect(entries[0]!.subjectKey).not.to.equal(minjunKey());
  });

  it('a query with neither records nor procedure (400 from the use case): one entry', async () => {
    const { answer, entries } = await refusedOnce(HANBIT, {
      purpose: MORTGAGE,
      mode: 'full',
      subject: { scheme: 'rrn', id: MINJUN_ID },
    });
    expect(answer.status).to.equal(400);
    expect(answer.body.detail).to.equal('Name at least one record type, or procedure: true.');
    expect(entries[0]).to.include({ recordType: '-none', subjectKey: minjunKey() });
  });

  it('an Idempotency-Key already used for another query (409 at the route): one entry', async () => {
    // The key as an earlier query of this clerk left it (claimed, still running, another body).
    const repo = createQueriesRepo(t.database.db);
    await repo.claimIdempotencyKey(
      'clerk:clerk-test-jongno',
      'key-refused-0001',
      'another-body',
      new Date(clock + 60_000), // still claimed at the test's clock
    );
    const before = await tableCounts();
    const res = await request(t.app)
      .post('/v1/queries')
      .set('x-test-principal', JSON.stringify(CLERK))
      .set('idempotency-key', 'key-refused-0001')
      .send({ purpose: 'welfare.housing-benefit', mode: 'full', records: [{ recordType: ABSTRACT }] });
    expect(res.status).to.equal(409);
    expect(res.body).to.include({
      code: 'conflict',
      detail: 'This Idempotency-Key was already used for a different query.',
    });
    expect(changed(before, await tableCounts())).to.deep.equal({ audit_entry: 1, audit_queue: 1 });
    const [row] = await t.database.db('audit_entry').where({ request_id: res.body.requestId });
    expect(JSON.parse(row.body as string)).to.include({
      reasonCode: 'conflict',
      purpose: 'welfare.housing-benefit',
      recordType: '-none',
      unattributed: true,
    });
  });

  it('a rate-limited query (429): one entry per named record, the answer unchanged', async () => {
    const body = {
      purpose: 'welfare.housing-benefit',
      mode: 'full',
      subject: { scheme: 'rrn', id: MINJUN_ID },
      records: [{ recordType: ABSTRACT }],
    };
    // Within the budget the clerk is refused for want of a consent mode (audited where it is decided);
    // those refusals spend the budget (reliability check A10), so the next query is limited.
    for (let i = 0; i < RATE_LIMIT; i++) {
      const answer = await send(BUSY_CLERK, body);
      expect(answer.status, JSON.stringify(answer.body)).to.equal(403);
      expect(await entriesOf(answer)).to.have.length(1);
    }
    const before = await tableCounts();
    const limited = await send(BUSY_CLERK, body);
    const after = await tableCounts();
    expect(limited.status).to.equal(429);
    expect(limited.body.code).to.equal('rate_limited');
    expect(Number(limited.headers['retry-after'])).to.be.within(1, 60);
    // The minute's admission row already exists (it is counted up, not added): the entry is the only new row.
    expect(changed(before, after)).to.deep.equal({ audit_entry: 1, audit_queue: 1 });
    const [entry] = await entriesOf(limited);
    expect(entry).to.include({
      outcome: 'denied',
      reasonCode: 'rate_limited',
      purpose: 'welfare.housing-benefit',
      recordType: ABSTRACT,
      subjectKey: minjunKey(),
    });
    expect(entry!.requester).to.deep.equal({ org: 'org-seoul-jongno', clerkRef: 'clerk-test-busy' });
  });

  it('the clerk console’s in-process query is audited by the same use case', async () => {
    const before = await tableCounts();
    const refusal = await t.composition.services.queries
      .run(
        CLERK,
        { purpose: 'welfare.housing-benefit', mode: 'full', records: [{ recordType: 'no.such-record' }] },
        { requestId: 'console-refusal-1', now: new Date() },
      )
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(refusal).to.be.instanceOf(AppError);
    expect((refusal as AppError).code).to.equal('record_type_unknown');
    expect(changed(before, await tableCounts())).to.deep.equal({ audit_entry: 1, audit_queue: 1 });
    const [row] = await t.database.db('audit_entry').where({ request_id: 'console-refusal-1' });
    expect(row.reason_code).to.equal('record_type_unknown');
  });

  it('audits nobody it cannot name: anonymous (401) and a citizen (403) leave the log as it was', async () => {
    const body = { purpose: MORTGAGE, mode: 'full', records: [{ recordType: ABSTRACT }] };
    const before = await tableCounts();
    const anonymous = await send(undefined, body);
    const badJson = await send(undefined, '{');
    const citizenCall = await send(citizen(t, MINJUN_ID, 'citizen-minjun'), body);
    expect([anonymous.status, badJson.status, citizenCall.status]).to.deep.equal([401, 400, 403]);
    expect(changed(before, await tableCounts())).to.deep.equal({});
  });

  it('turns such a refusal into 503 audit_unavailable when the log cannot be written', async () => {
    const db = t.database.db;
    await db.raw(`CREATE FUNCTION juc_test_fail_refusal() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit disk full (test fault)'; END $$`);
    await db.raw(
      'CREATE TRIGGER juc_test_fail_refusal BEFORE INSERT ON audit_entry FOR EACH ROW EXECUTE FUNCTION juc_test_fail_refusal()',
    );
    const statuses: [number, unknown, string | undefined][] = [];
    try {
      const bodies: (string | object)[] = [
        { purpose: 42, mode: 'full', records: [{ recordType: ABSTRACT }] },
        { purpose: 'loan\u0000mortgage', mode: 'full', records: [{ recordType: ABSTRACT }] },
        '{',
        { purpose: MORTGAGE, mode: 'full', records: [{ recordType: 'no.such-record' }] },
        {
          purpose: MORTGAGE,
          mode: 'full',
          subject: { scheme: 'rrn', id: '1' },
          records: [{ recordType: ABSTRACT }],
        },
      ];
      for (const body of bodies) {
        const answer = await send(HANBIT, body);
        statuses.push([answer.status, answer.body.code, answer.headers['retry-after']]);
      }
      const limited = await send(BUSY_CLERK, {
        purpose: 'welfare.housing-benefit',
        mode: 'full',
        subject: { scheme: 'rrn', id: MINJUN_ID },
        records: [{ recordType: ABSTRACT }],
      });
      statuses.push([limited.status, limited.body.code, limited.headers['retry-after']]);
    } finally {
      await db.raw('DROP TRIGGER juc_test_fail_refusal ON audit_entry');
      await db.raw('DROP FUNCTION juc_test_fail_refusal()');
    }
    expect(statuses).to.deep.equal(Array(6).fill([503, 'audit_unavailable', '5']));
  });
});
