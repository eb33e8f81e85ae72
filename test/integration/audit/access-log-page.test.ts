import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createAuditService } from '../../../server/audit/audit.service.js';
import { accessLogPage, PENDING_FOR_SUBJECT } from '../../../server/audit/access-log.repo.js';
import { knexAuditRepo } from '../../../server/audit/audit.repo.js';
import { createCheckpointer } from '../../../server/audit/checkpointer.js';
import { createSequencer } from '../../../server/audit/sequencer.js';
import { FileKeyStore } from '../../../server/keys/file-key-store.js';
import { freshDatabase } from '../../support/database.js';
import { entryFor, subjectOf } from './helpers.js';

const logger = pino({ level: 'silent' });

describe('audit repo: a history page in one statement', function () {
  this.timeout(30_000);

  it('carries the checkpoint and the pending count with the rows, also when there are no rows', async () => {
    const { db } = await freshDatabase();
    const service = createAuditService({ repo: knexAuditRepo(db), logKeys: () => [] });
    const keys = await FileKeyStore.open({
      dir: mkdtempSync(join(tmpdir(), 'juc-keys-')),
      allowGenerate: true,
    });
    const sequencer = createSequencer({ db, logger, intervalMs: 20, batchSize: 100 });
    const checkpointer = createCheckpointer({ db, logger, keys, origin: 'test.example/audit/v1' });
    const a = subjectOf('page-A');
    const b = subjectOf('page-B');
    const now = new Date();

    // Nothing at all: one row of nothing.
    expect(await accessLogPage(db, a, {}, now, { limit: 10 })).to.deep.equal({
      checkpoint: null,
      rows: [],
      pending: 0,
    });

    // Queued, not sequenced: counted as pending (an embargoed one only once its date has passed).
    for (let i = 0; i < 4; i++) await service.append(entryFor(i === 3 ? b : a));
    await service.append(entryFor(a, { embargoUntil: new Date(now.getTime() + 86_400_000) }));
    const queued = await accessLogPage(db, a, {}, now, { limit: 10 });
    expect(queued).to.deep.include({ checkpoint: null, rows: [], pending: 3 });
    expect(
      (await accessLogPage(db, a, {}, new Date(now.getTime() + 2 * 86_400_000), { limit: 10 })).pending,
    ).to.equal(4);

    // Sequenced and checkpointed: newest first, paged, with the checkpoint on the page.
    expect(await sequencer.runOnce()).to.equal(5);
    expect(await checkpointer.publish()).to.equal(5);
    const page = await accessLogPage(db, a, {}, now, { limit: 2 });
    expect(page.pending).to.equal(0);
    expect(page.checkpoint?.size).to.equal(5);
    expect(page.checkpoint?.note).to.contain('test.example/audit/v1');
    expect(page.rows.map((r) => r.subjectSeq)).to.deep.equal([3, 2]);
    const next = await accessLogPage(db, a, {}, now, { beforeSeq: 2, limit: 2 });
    expect(next.rows.map((r) => r.subjectSeq)).to.deep.equal([1]);
    expect(next.rows[0]!.salt).to.have.length(32);

    // A subject with entries filtered out entirely still gets the checkpoint.
    const none = await accessLogPage(db, b, { organisation: 'org-nobody' }, now, { limit: 10 });
    expect(none).to.deep.include({ rows: [], pending: 0 });
    expect(none.checkpoint?.size).to.equal(5);
  });

  it("counts a citizen's queued entries from their own queue rows, not by probing the whole queue", async () => {
    const { db } = await freshDatabase();
    const service = createAuditService({ repo: knexAuditRepo(db), logKeys: () => [] });
    const a = subjectOf('queue-A');
    await service.appendMany([...Array(30).keys()].map((i) => entryFor(i < 3 ? a : subjectOf(`other-${i}`))));
    const queued = (await db('audit_queue').where({ subject_key: a }).select('embargo_until')) as unknown[];
    expect(queued).to.have.length(3);
    const plan = await db.transaction(async (trx) => {
      await trx.raw('SET LOCAL enable_seqscan = off');
      const r = await trx.raw<{ rows: { 'QUERY PLAN': unknown }[] }>(
        `EXPLAIN (FORMAT JSON) ${PENDING_FOR_SUBJECT}`,
        [a, new Date()],
      );
      return JSON.stringify(r.rows[0]!['QUERY PLAN']);
    });
    expect(plan).to.contain('"Index Name":"audit_queue_subject"');
    expect(plan).to.not.contain('audit_entry');
    expect((await accessLogPage(db, a, {}, new Date(), { limit: 5 })).pending).to.equal(3);
  });
});
