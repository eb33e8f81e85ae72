/**
 * Nothing readable at rest (issue 24): an answer kept for Idempotency-Key replay is stored sealed, so
 * neither the table as SQL sees it nor its files on disk hold a value of the released record, while a
 * retry still gets the identical answer, from this process or another. A sealed answer altered, moved
 * to another row, or whose data key was altered is refused with a logged 500, never replayed wrong and
 * never run a second time.
 */
import { expect } from 'chai';
import request from 'supertest';
import { asPrincipal, buildTestApp, principalFromTestHeader, type TestApp } from '../../support/app.js';
import { freshDatabase, type TestDatabase } from '../../support/database.js';
import { startTestRegistry } from '../../support/registry.js';
import { CLERK, MINJUN_ID, seedConsentWorld } from '../consents/consent-fixtures.js';

// Minjun's resident registration as the reference registry holds it (server/dev/registry/population/demo.ts).
const NAME = '김민준';
const ADDRESS = '춘천시 공지로 149';
const RECORD_VALUES = [NAME, ADDRESS, MINJUN_ID, '2025-06-05'];

const moveInQuery = {
  purpose: 'resident.move-in-report',
  subject: { scheme: 'rrn', id: MINJUN_ID },
  mode: 'full',
  records: [{ recordType: 'resident.registration-abstract-individual' }],
  consent: { mode: 'statutory' },
  signedCopy: true,
};

describe('idempotent replay: answers sealed at rest', function () {
  this.timeout(120_000);
  let database: TestDatabase;
  let t: TestApp;

  before(async () => {
    database = await freshDatabase();
    const registry = await startTestRegistry(database);
    t = await buildTestApp({ database, registry, authenticate: principalFromTestHeader });
    await seedConsentWorld(t);
  });

  const query = (app: TestApp, key: string) =>
    request(app.app)
      .post('/v1/queries')
      .set(...asPrincipal(CLERK))
      .set('Idempotency-Key', key)
      .send(moveInQuery);

  async function released(queryId: string): Promise<number> {
    const rows = await database.db('audit_entry').where({ request_id: queryId, outcome: 'released' });
    return rows.length;
  }

  /** Every byte PostgreSQL keeps on disk for a table: its heap and its TOAST relation, after a checkpoint. */
  async function filesOf(table: string): Promise<Buffer> {
    await database.db.raw('CHECKPOINT');
    const { rows } = await database.db.raw<{ rows: { heap: string; toast: string | null }[] }>(
      `SELECT pg_relation_filepath(c.oid) AS heap, pg_relation_filepath(NULLIF(c.reltoastrelid, 0)) AS toast
         FROM pg_class c WHERE c.relname = ?`,
      [table],
    );
    const parts: Buffer[] = [];
    for (const path of [rows[0]!.heap, rows[0]!.toast]) {
      if (!path) continue;
      const read = await database.db.raw<{ rows: { bytes: Buffer }[] }>(
        'SELECT pg_read_binary_file(?) AS bytes',
        [path],
      );
      parts.push(read.rows[0]!.bytes);
    }
    return Buffer.concat(parts);
  }

  it('keeps no value of the released record in the table, as SQL reads it or on disk', async () => {
    const res = await query(t, 'at-rest-0001');
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const record = res.body.records[0];
    expect(record.released).to.include({ name: NAME, residentRegistrationNumber: MINJUN_ID });
    expect(record.released.address).to.contain(ADDRESS);

    const [row] = await database.db('query_idempotency').where({ key: 'at-rest-0001' });
    expect(row.status_code).to.equal(200);
    expect(row.response_sealed).to.be.instanceOf(Buffer);
    expect(row.data_key_id).to.match(/^[0-9a-f-]{36}$/);
    const asSql = JSON.stringify(await database.db.raw('SELECT q::text AS row FROM query_idempotency q'));
    const keys = JSON.stringify((await database.db.raw('SELECT k::text AS row FROM data_key k')).rows);
    const disk = Buffer.concat([await filesOf('query_idempotency'), await filesOf('data_key')]);
    for (const value of [...RECORD_VALUES, res.body.queryId, record.signedCopy, record.audit.digest]) {
      expect(asSql, `SQL text holds ${value}`).not.to.contain(value);
      expect(keys, `data_key holds ${value}`).not.to.contain(value);
      expect(disk.includes(Buffer.from(value, 'utf8')), `files hold ${value}`).to.equal(false);
    }
    // The data key is there only wrapped by the key store's KEK.
    const [dataKey] = await database.db('data_key').where({ id: row.data_key_id });
    expect(dataKey.purpose).to.equal('query-replay');
    expect(dataKey.wrapped).to.match(/^kw1\.[A-Za-z0-9_-]{16,64}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{64}$/);
  });

  it('the same search finds the name where it is kept in clear (the registry, the holder’s table)', async () => {
    const disk = await filesOf('registry_person');
    expect(disk.includes(Buffer.from(NAME, 'utf8'))).to.equal(true);
  });

  it('replays the identical answer, from this process and from another one', async () => {
    const first = await query(t, 'at-rest-0002');
    expect(first.status).to.equal(200);
    const again = await query(t, 'at-rest-0002');
    expect(again.status).to.equal(200);
    expect(again.headers['idempotent-replayed']).to.equal('true');
    expect(again.text).to.equal(first.text);

    // A second gateway process: no data key in memory, it unwraps the stored one through the key store.
    const other = await buildTestApp({ database, authenticate: principalFromTestHeader });
    const elsewhere = await query(other, 'at-rest-0002');
    expect(elsewhere.status).to.equal(200);
    expect(elsewhere.headers['idempotent-replayed']).to.equal('true');
    expect(elsewhere.text).to.equal(first.text);
    expect(await released(first.body.queryId)).to.equal(1);
  });

  it('never replays an answer past its expiry: the key is free again, whether or not the cleanup ran', async () => {
    const first = await query(t, 'at-rest-0007');
    expect(first.status).to.equal(200);
    await database
      .db('query_idempotency')
      .where({ key: 'at-rest-0007' })
      .update({ expires_at: new Date(Date.now() - 1000) });
    const later = await query(t, 'at-rest-0007');
    expect(later.status).to.equal(200);
    expect(later.headers['idempotent-replayed']).to.equal(undefined);
    expect(later.body.queryId).not.to.equal(first.body.queryId);
    const [row] = await database.db('query_idempotency').where({ key: 'at-rest-0007' });
    expect(row.expires_at.getTime()).to.be.greaterThan(Date.now());
    const replay = await query(t, 'at-rest-0007');
    expect(replay.headers['idempotent-replayed']).to.equal('true');
    expect(replay.body.queryId).to.equal(later.body.queryId);
  });

  it('refuses an altered answer with a logged 500, and does not run the query again', async () => {
    const first = await query(t, 'at-rest-0003');
    expect(first.status).to.equal(200);
    const [row] = await database.db('query_idempotency').where({ key: 'at-rest-0003' });
    const sealed = Buffer.from(row.response_sealed as Buffer);
    sealed[40] = sealed[40]! ^ 0x01;
    await database.db('query_idempotency').where({ key: 'at-rest-0003' }).update({ response_sealed: sealed });

    const before = Number(
      (await database.db('audit_entry').where({ outcome: 'released' }).count())[0]!.count,
    );
    const retry = await query(t, 'at-rest-0003');
    expect(retry.status).to.equal(500);
    expect(retry.body).to.include({ code: 'internal' });
    expect(retry.text).not.to.contain(NAME);
    const after = Number((await database.db('audit_entry').where({ outcome: 'released' }).count())[0]!.count);
    expect(after, 'no second release').to.equal(before);
    const logged = t.logs
      .records()
      .find(
        (r) => r.msg === 'stored idempotent answer does not open: refused, not replayed and not run again',
      );
    expect(logged, t.logs.text.slice(-2000)).to.not.equal(undefined);
    expect(JSON.stringify(logged)).to.contain('sealed value does not authenticate for its row and key');
  });

  it('refuses answers swapped between two rows of the same query', async () => {
    const a = await query(t, 'at-rest-0004');
    const b = await query(t, 'at-rest-0005');
    expect(a.status).to.equal(200);
    expect(b.status).to.equal(200);
    expect(a.body.queryId).not.to.equal(b.body.queryId);
    const rows = await database.db('query_idempotency').whereIn('key', ['at-rest-0004', 'at-rest-0005']);
    const byKey = new Map(rows.map((r) => [r.key as string, r]));
    for (const [key, from] of [
      ['at-rest-0004', 'at-rest-0005'],
      ['at-rest-0005', 'at-rest-0004'],
    ] as const) {
      const source = byKey.get(from)!;
      await database
        .db('query_idempotency')
        .where({ key })
        .update({ response_sealed: source.response_sealed, data_key_id: source.data_key_id });
    }
    for (const key of ['at-rest-0004', 'at-rest-0005']) {
      const retry = await query(t, key);
      expect(retry.status, key).to.equal(500);
      expect(retry.text).not.to.contain(a.body.queryId);
      expect(retry.text).not.to.contain(b.body.queryId);
    }
  });

  it('refuses an answer whose wrapped data key was altered (a process that must unwrap it)', async () => {
    const first = await query(t, 'at-rest-0006');
    expect(first.status).to.equal(200);
    const [row] = await database.db('query_idempotency').where({ key: 'at-rest-0006' });
    const [dataKey] = await database.db('data_key').where({ id: row.data_key_id });
    const parts = (dataKey.wrapped as string).split('.');
    const sealed = Buffer.from(parts[3]!, 'base64url');
    sealed[0] = sealed[0]! ^ 0x80;
    parts[3] = sealed.toString('base64url');
    await database
      .db('data_key')
      .where({ id: row.data_key_id })
      .update({ wrapped: parts.join('.') });
    try {
      const other = await buildTestApp({ database, authenticate: principalFromTestHeader });
      const retry = await query(other, 'at-rest-0006');
      expect(retry.status).to.equal(500);
      expect(other.logs.text).to.contain('does not unwrap');
    } finally {
      await database.db('data_key').where({ id: row.data_key_id }).update({ wrapped: dataKey.wrapped });
    }
  });
});
