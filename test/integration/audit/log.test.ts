import { expect } from 'chai';
import { createHash } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { knexAuditRepo } from '../../../server/audit/audit.repo.js';
import { createAuditService } from '../../../server/audit/audit.service.js';
import { vkeyFor } from '../../../server/audit/checkpoint.js';
import { createCheckpointer } from '../../../server/audit/checkpointer.js';
import { verifyDatabase } from '../../../server/audit/db-verifier.js';
import { fromBase64 } from '../../../server/audit/bytes.js';
import { verifyConsistency, verifyInclusion } from '../../../server/audit/merkle.js';
import { canonicalJson } from '../../../server/audit/preimage.js';
import { createSequencer } from '../../../server/audit/sequencer.js';
import { checkCheckpoint } from '../../../server/audit/verifier.js';
import { FileKeyStore } from '../../../server/keys/file-key-store.js';
import { AuditUnavailableError } from '../../../server/errors.js';
import { freshDatabase, type TestDatabase } from '../../support/database.js';
import { entryFor, subjectOf } from './helpers.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const logger = pino({ level: 'silent' });
const ORIGIN = 'test.example/audit/v1';

async function setup(database?: TestDatabase) {
  const t = database ?? (await freshDatabase());
  const keys = await FileKeyStore.open({
    dir: mkdtempSync(join(tmpdir(), 'juc-keys-')),
    allowGenerate: true,
  });
  const logKeys = () => keys.verifyingKeys('checkpoint').map((k) => vkeyFor(ORIGIN, k.publicKey));
  const service = createAuditService({ repo: knexAuditRepo(t.db), logKeys });
  const sequencer = createSequencer({ db: t.db, logger, intervalMs: 20, batchSize: 7 });
  const checkpointer = createCheckpointer({ db: t.db, logger, keys, origin: ORIGIN });
  return { ...t, keys, logKeys, service, sequencer, checkpointer };
}

describe('audit log: append, sequence, checkpoint', function () {
  this.timeout(30_000);

  it('appends durably with a receipt over the canonical body, and queues the entry', async () => {
    const { db, service } = await setup();
    const subject = subjectOf('900101-1234567');
    const receipt = await service.append(entryFor(subject));
    const row = (await db('audit_entry').where({ entry_id: receipt.entryId }).first()) as { body: string };
    expect(receipt.digest).to.equal(createHash('sha256').update(row.body).digest('base64url'));
    expect(canonicalJson(JSON.parse(row.body))).to.equal(row.body);
    expect(row.body).to.not.contain('900101');
    expect(JSON.parse(row.body)).to.include({ subjectKey: subject, outcome: 'released', v: 1 });
    expect(await db('audit_queue').where({ entry_id: receipt.entryId }).first()).to.not.equal(undefined);
  });

  it("joins the caller's transaction: a rollback leaves nothing, a commit keeps both rows", async () => {
    const { db, service } = await setup();
    const subject = subjectOf('1');
    await db
      .transaction(async (trx) => {
        await service.append(entryFor(subject), { trx });
        throw new Error('release failed');
      })
      .catch(() => undefined);
    expect(await db('audit_entry').count({ n: '*' }).first()).to.deep.equal({ n: 0 });
    const receipts = await db.transaction((trx) =>
      service.appendMany(
        [
          entryFor(subject),
          entryFor(subject, { outcome: 'denied', reasonCode: 'consent_revoked', fields: [] }),
        ],
        { trx },
      ),
    );
    expect(receipts.map((r) => r.entryId)).to.have.length(2);
    expect(new Set(receipts.map((r) => r.entryId)).size).to.equal(2);
    expect(await db('audit_queue').count({ n: '*' }).first()).to.deep.equal({ n: 2 });
  });

  it('appends conditionally on a guard in the same statement: both writes or neither', async () => {
    const { db, service } = await setup();
    const subject = subjectOf('2');
    await db.raw('CREATE TABLE guard_probe (id int PRIMARY KEY, uses int NOT NULL)');
    await db.raw('INSERT INTO guard_probe VALUES (1, 0)');
    const guard = (id: number) => ({
      sql: 'UPDATE guard_probe SET uses = uses + 1 WHERE id = ? AND uses < 1 RETURNING id',
      bindings: [id],
    });
    const receipts = await service.appendIf(guard(1), [entryFor(subject), entryFor(subject)]);
    expect(receipts).to.have.length(2);
    expect(await db('guard_probe').where({ id: 1 }).first()).to.deep.equal({ id: 1, uses: 1 });
    expect(await db('audit_queue').count({ n: '*' }).first()).to.deep.equal({ n: 2 });
    // The guard matches nothing now (uses < 1 fails; no row 2): nothing written, undefined.
    expect(await service.appendIf(guard(1), [entryFor(subject)])).to.equal(undefined);
    expect(await service.appendIf(guard(2), [entryFor(subject)])).to.equal(undefined);
    expect(await db('audit_entry').count({ n: '*' }).first()).to.deep.equal({ n: 2 });
    expect(await db('guard_probe').where({ id: 1 }).first()).to.deep.equal({ id: 1, uses: 1 });
    // An entry that fails to insert undoes the guard's write too.
    await db('guard_probe').where({ id: 1 }).update({ uses: 0 });
    await db.raw(`CREATE FUNCTION guard_probe_fail() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit storage failed'; END $$`);
    await db.raw(
      'CREATE TRIGGER guard_probe_fail BEFORE INSERT ON audit_queue FOR EACH ROW EXECUTE FUNCTION guard_probe_fail()',
    );
    const failed = await service.appendIf(guard(1), [entryFor(subject)]).catch((err: unknown) => err);
    expect(failed).to.be.instanceOf(AuditUnavailableError);
    expect(await db('guard_probe').where({ id: 1 }).first()).to.deep.equal({ id: 1, uses: 0 });
    expect(await db('audit_entry').count({ n: '*' }).first()).to.deep.equal({ n: 2 });
  });

  it('refuses an entry without a reason for a denial, and turns a database failure into audit_unavailable', async () => {
    const { db, service } = await setup();
    let error: unknown;
    try {
      await service.append(entryFor(subjectOf('1'), { outcome: 'denied' }));
    } catch (err) {
      error = err;
    }
    expect(error).to.have.property('code', 'validation_failed');
    await db.destroy();
    error = undefined;
    try {
      await service.append(entryFor(subjectOf('1')));
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(AuditUnavailableError);
  });

  it('sequences into gap-free indices with per-subject chains, a signed checkpoint and valid proofs', async () => {
    const { db, service, sequencer, checkpointer, logKeys } = await setup();
    const a = subjectOf('A');
    const b = subjectOf('B');
    for (let i = 0; i < 30; i++) await service.append(entryFor(i % 3 === 0 ? b : a));
    expect(await sequencer.runOnce()).to.equal(30);
    expect(await db('audit_queue').count({ n: '*' }).first()).to.deep.equal({ n: 0 });
    const idx = (await db('log_leaf').orderBy('idx').pluck('idx')) as number[];
    expect(idx).to.deep.equal([...Array(30).keys()]);
    const chainA = (await db('subject_index').where({ subject_key: a }).orderBy('subject_seq')) as {
      subject_seq: number;
      idx: number;
      prev_idx: number | null;
    }[];
    expect(chainA.map((r) => r.subject_seq)).to.deep.equal([...Array(20).keys()].map((i) => i + 1));
    chainA.forEach((r, i) => expect(r.prev_idx).to.equal(i === 0 ? null : chainA[i - 1]!.idx));

    expect(await checkpointer.publish()).to.equal(30);
    expect(await checkpointer.publish()).to.equal(null); // rate-limited and unchanged
    const note = await service.checkpoint();
    const checked = await checkCheckpoint(note, { logKey: logKeys()[0]! });
    expect(checked.ok).to.equal(true);
    if (!checked.ok) return;
    expect(checked.checkpoint.size).to.equal(30);

    const leaves = (await db('log_leaf').orderBy('idx').pluck('leaf_hash')) as Buffer[];
    for (const index of [0, 13, 29]) {
      const { proof } = await service.inclusionProof(index, 30);
      expect(
        verifyInclusion(leaves[index]!, index, 30, proof.map(fromBase64), checked.checkpoint.rootHash).ok,
      ).to.equal(true);
    }
    const head12 = (await db('tree_head').where('size', '<', 30).orderBy('size', 'desc').first()) as {
      size: number;
      root: Buffer;
    };
    const { proof } = await service.consistencyProof(head12.size, 30);
    expect(
      verifyConsistency(head12.size, 30, head12.root, checked.checkpoint.rootHash, proof.map(fromBase64)).ok,
    ).to.equal(true);

    const report = await verifyDatabase(db, { logKeys: logKeys(), origin: ORIGIN });
    expect(report).to.include({ ok: true, size: 30, checkpointsChecked: 1 });
  });

  it('looks for a due checkpoint in one statement and takes the lock and transaction only when one is', async () => {
    const { db, keys, service, sequencer } = await setup();
    let clock = new Date();
    const checkpointer = createCheckpointer({
      db,
      logger,
      keys,
      origin: ORIGIN,
      now: () => clock,
      minIntervalMs: 1000,
    });
    const statements: string[] = [];
    const seen = (q: { sql: string }) => statements.push(q.sql);
    db.on('query', seen);
    const look = async () => {
      statements.length = 0;
      const size = await checkpointer.publish();
      return { size, statements: [...statements] };
    };
    try {
      await service.append(entryFor(subjectOf('A')));
      await sequencer.runOnce();
      const first = await look();
      expect(first.size).to.equal(1);
      expect(first.statements.some((sql) => /pg_try_advisory_xact_lock/.test(sql))).to.equal(true);

      const unchanged = await look();
      expect(unchanged).to.deep.equal({ size: null, statements: [unchanged.statements[0]] });
      expect(unchanged.statements[0]).to.match(/FROM tree_head/);

      // Grown, but within the interval: still one statement, nothing published.
      await service.append(entryFor(subjectOf('A')));
      await sequencer.runOnce();
      const tooSoon = await look();
      expect(tooSoon.size).to.equal(null);
      expect(tooSoon.statements).to.have.length(1);

      // The database stamps the checkpoint; a clock past the interval makes the grown log due.
      clock = new Date(Date.now() + 5_000);
      expect((await look()).size).to.equal(2);
    } finally {
      db.removeListener('query', seen);
    }
  });

  it('elects one sequencer leader; the follower takes over when the leader stops', async () => {
    const { db, service } = await setup();
    const one = createSequencer({ db, logger, intervalMs: 20, batchSize: 100, retryMs: 50 });
    const two = createSequencer({ db, logger, intervalMs: 20, batchSize: 100, retryMs: 50 });
    one.start();
    await new Promise((r) => setTimeout(r, 150));
    two.start();
    await new Promise((r) => setTimeout(r, 150));
    expect([one.isLeader(), two.isLeader()]).to.deep.equal([true, false]);
    await one.stop();
    await new Promise((r) => setTimeout(r, 300));
    expect(two.isLeader()).to.equal(true);
    await service.append(entryFor(subjectOf('x')));
    await new Promise((r) => setTimeout(r, 200));
    expect(await db('log_leaf').count({ n: '*' }).first()).to.deep.equal({ n: 1 });
    await two.stop();
  });

  it('lets the app role insert and read but never UPDATE, DELETE or TRUNCATE; triggers stop even the owner', async () => {
    const { url, service, sequencer } = await setup();
    await service.append(entryFor(subjectOf('r')));
    await sequencer.runOnce();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const attempt = async (sql: string) => {
      try {
        await client.query(sql);
        return 'ok';
      } catch (err) {
        return (err as { code?: string }).code;
      }
    };
    try {
      await client.query('SET ROLE juc_app');
      for (const table of [
        'audit_entry',
        'log_leaf',
        'subject_index',
        'checkpoint',
        'tree_head',
        'audit_queue',
      ]) {
        expect(
          await attempt(
            `UPDATE ${table} SET ${table === 'audit_queue' ? 'enqueued_at = now()' : table === 'checkpoint' || table === 'tree_head' ? 'created_at = now()' : table === 'log_leaf' ? 'integrated_at = now()' : table === 'subject_index' ? 'prev_idx = NULL' : "body = '{}'"}`,
          ),
          table,
        ).to.equal('42501');
        expect(await attempt(`DELETE FROM ${table}`), table).to.equal('42501');
        expect(await attempt(`TRUNCATE ${table} CASCADE`), table).to.equal('42501');
      }
      expect(await attempt('SELECT count(*) FROM log_leaf')).to.equal('ok');
      expect(
        await attempt(`INSERT INTO audit_entry (request_id, subject_key, outcome, requester_org, purpose_code, record_type, body, digest, created_at)
          VALUES ('r', '${subjectOf('r')}', 'released', 'o', 'p', 't', '{}', decode(repeat('00', 32), 'hex'), now())`),
      ).to.equal('ok');
      await client.query('RESET ROLE');
      // As the owner (superuser here), the triggers still refuse.
      expect(await attempt("UPDATE audit_entry SET body = '{}'")).to.equal('42501');
      expect(await attempt('DELETE FROM log_leaf')).to.equal('42501');
      expect(await attempt('TRUNCATE checkpoint')).to.equal('42501');
    } finally {
      await client.end();
    }
  });
});
