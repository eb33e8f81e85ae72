import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import pino from 'pino';
import { createAuditService } from '../../../server/audit/audit.service.js';
import { accessLog, accessLogPage, PENDING_FOR_SUBJECT } from '../../../server/audit/access-log.repo.js';
import type { AuditRepo } from '../../../server/audit/audit.ports.js';
import { knexAuditRepo } from '../../../server/audit/audit.repo.js';
import { createCheckpointer } from '../../../server/audit/checkpointer.js';
import { createSequencer } from '../../../server/audit/sequencer.js';
import { FileKeyStore } from '../../../server/keys/file-key-store.js';
import { freshDatabase } from '../../support/database.js';
import { leafHash, rootFromLeafHashes, verifyInclusion, type NodeId } from '../../../server/audit/merkle.js';
import { entryFor, subjectOf } from './helpers.js';

const logger = pino({ level: 'silent' });

/** An audit service over `repo`, with a sequencer and a checkpointer signing with a throwaway key. */
async function logOn(db: Knex, repo: AuditRepo = knexAuditRepo(db)) {
  const service = createAuditService({ repo, logKeys: () => [] });
  const keys = await FileKeyStore.open({
    dir: mkdtempSync(join(tmpdir(), 'juc-keys-')),
    allowGenerate: true,
  });
  const sequencer = createSequencer({ db, logger, intervalMs: 20, batchSize: 100 });
  const checkpointer = createCheckpointer({ db, logger, keys, origin: 'test.example/audit/v1' });
  return { service, sequencer, checkpointer };
}

describe('audit repo: a history page in one statement', function () {
  this.timeout(30_000);

  it('carries the checkpoint and the pending count with the rows, also when there are no rows', async () => {
    const { db } = await freshDatabase();
    const { service, sequencer, checkpointer } = await logOn(db);
    const a = subjectOf('page-A');
    const b = subjectOf('page-B');
    const now = new Date();

    // Nothing at all: one row of nothing.
    expect(await accessLogPage(db, a, {}, now, { limit: 10 })).to.deep.equal({
      checkpoint: null,
      rows: [],
      pending: 0,
      nodes: new Map(),
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

  it("reads each entry's low proof siblings with the page, so a page needs no second statement", async () => {
    const { db } = await freshDatabase();
    const repo = knexAuditRepo(db);
    const fetched: NodeId[][] = [];
    const counting = {
      ...repo,
      nodeHashes: (ids: NodeId[]) => {
        fetched.push(ids);
        return repo.nodeHashes(ids);
      },
    };
    const { service, sequencer, checkpointer } = await logOn(db, counting);
    const a = subjectOf('siblings-A');
    // 256 leaves: every subtree complete; the subject's entries at every 9th, across both tiers.
    await service.appendMany(
      [...Array(256).keys()].map((i) => entryFor(i % 9 === 4 ? a : subjectOf(`s-${i}`))),
    );
    while ((await sequencer.runOnce()) > 0);
    expect(await checkpointer.publish()).to.equal(256);

    // The oracle: every subtree hashed here from the leaves (not from tree_node).
    const leaves = ((await db('log_leaf').orderBy('idx').pluck('leaf_data')) as Buffer[]).map((l) =>
      leafHash(new Uint8Array(l)),
    );
    const subtree = (level: number, index: number) =>
      rootFromLeafHashes(leaves.slice(index * 2 ** level, (index + 1) * 2 ** level));
    const page = await accessLogPage(db, a, {}, new Date(), { limit: 50 });
    expect(page.rows).to.have.length(28);
    const expected = new Map<string, Uint8Array>();
    for (const r of page.rows) {
      for (let level = 0; level < 8; level++) {
        const own = Math.floor(r.index / 2 ** level);
        const sibling = own % 2 === 0 ? own + 1 : own - 1;
        expected.set(`${level}/${sibling}`, subtree(level, sibling));
      }
    }
    const hex = (m: Map<string, Uint8Array>) =>
      Object.fromEntries([...m].map(([k, v]) => [k, Buffer.from(v).toString('hex')]));
    expect(hex(page.nodes)).to.deep.equal(hex(expected));

    // The citizen's page: every proof verifies, and no node was fetched apart.
    const history = await service.accessLog(a, { limit: 50 });
    expect(fetched).to.deep.equal([]);
    const root = subtree(8, 0);
    for (const e of history.entries) {
      const proof = e.inclusionProof!.map((p) => new Uint8Array(Buffer.from(p, 'base64')));
      const leaf = leaves[e.index]!;
      expect(verifyInclusion(leaf, e.index, 256, proof, root).ok, `entry ${e.index}`).to.equal(true);
    }

    // A size that is not a power of two: the right edge's small subtrees are fetched once, then
    // kept, as every proof at that size shares them.
    await service.appendMany([...Array(3).keys()].map((i) => entryFor(subjectOf(`edge-${i}`))));
    while ((await sequencer.runOnce()) > 0);
    expect(await checkpointer.publish(true)).to.equal(259);
    await service.accessLog(a, { limit: 50 });
    expect(fetched.flat().some((id) => id.level < 6)).to.equal(true);
    fetched.length = 0;
    const again = await service.accessLog(a, { limit: 50 });
    expect(fetched).to.deep.equal([]);
    expect(again.treeSize).to.equal(259);
  });

  it('reads the same rows as the per-call query for every shape of filters and paging', async () => {
    const { db } = await freshDatabase();
    let clock = new Date('2026-02-01T00:00:00Z');
    const service = createAuditService({ repo: knexAuditRepo(db), logKeys: () => [], now: () => clock });
    const sequencer = createSequencer({ db, logger, intervalMs: 20, batchSize: 100 });
    const a = subjectOf('shapes-A');
    for (let i = 0; i < 12; i++) {
      clock = new Date(Date.parse('2026-02-01T00:00:00Z') + i * 86_400_000);
      await service.append(
        entryFor(a, {
          requester: { org: i % 3 ? 'org-bank-a' : 'org-agency-x', clientId: 'client-1' },
          recordType: i % 2 ? 'land.ledger' : 'resident.registration-abstract',
        }),
      );
    }
    while ((await sequencer.runOnce()) > 0);
    const visibleAt = new Date('2026-03-01T00:00:00Z');
    const values = {
      from: new Date('2026-02-03T00:00:00Z'),
      to: new Date('2026-02-10T00:00:00Z'),
      organisation: 'org-bank-a',
      recordType: 'land.ledger',
    } as const;
    for (let shape = 0; shape < 32; shape++) {
      const filters = Object.fromEntries(
        Object.entries(values).filter((_, i) => shape & (1 << i)),
      ) as Partial<typeof values>;
      const page = { limit: 4, ...(shape & 16 ? { beforeSeq: 9 } : {}) };
      const expected = await accessLog(db, a, filters, visibleAt, page);
      const got = await accessLogPage(db, a, filters, visibleAt, page);
      expect(got.rows, `shape ${shape.toString(2)}`).to.deep.equal(expected);
      if (shape === 0) expect(expected.map((r) => r.subjectSeq)).to.deep.equal([12, 11, 10, 9]);
    }
  });
});
