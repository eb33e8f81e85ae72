import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { knexAuditRepo } from '../../../server/audit/audit.repo.js';
import { createAuditService } from '../../../server/audit/audit.service.js';
import { fromBase64 } from '../../../server/audit/bytes.js';
import { vkeyFor } from '../../../server/audit/checkpoint.js';
import { createCheckpointer } from '../../../server/audit/checkpointer.js';
import { verifyDatabase } from '../../../server/audit/db-verifier.js';
import { verifyInclusion } from '../../../server/audit/merkle.js';
import { parseCheckpoint, parseNote } from '../../../server/audit/note.js';
import { createPartitionsRepo } from '../../../server/audit/partitions.repo.js';
import { dropExpiredPartitions, ensurePartitions, retentionCutoff } from '../../../server/audit/retention.js';
import { createSequencer } from '../../../server/audit/sequencer.js';
import { FileKeyStore } from '../../../server/keys/file-key-store.js';
import { freshDatabase } from '../../support/database.js';
import { entryFor, subjectOf } from './helpers.js';

const logger = pino({ level: 'silent' });
const ORIGIN = 'test.example/audit/v1';

describe('audit log retention by monthly partition', function () {
  this.timeout(60_000);

  it('drops a month of entry bodies past retention while every leaf, chain and other proof still verifies', async () => {
    const { db } = await freshDatabase();
    const keys = await FileKeyStore.open({
      dir: mkdtempSync(join(tmpdir(), 'juc-keys-')),
      allowGenerate: true,
    });
    const logKeys = () => keys.verifyingKeys('checkpoint').map((k) => vkeyFor(ORIGIN, k.publicKey));
    let clock = new Date('2021-03-15T01:00:00Z');
    const service = createAuditService({
      repo: knexAuditRepo(db),
      logKeys,
      now: () => clock,
    });
    const sequencer = createSequencer({ db, logger, intervalMs: 20, batchSize: 100 });
    const checkpointer = createCheckpointer({ db, logger, keys, origin: ORIGIN });
    const citizen = subjectOf('retention-citizen');

    // March and April 2021 (old), then this month.
    await ensurePartitions(createPartitionsRepo(db), new Date('2021-03-01T00:00:00Z'), 1);
    for (let i = 0; i < 5; i++) await service.append(entryFor(i < 3 ? citizen : subjectOf(`other-${i}`)));
    clock = new Date('2021-04-10T01:00:00Z');
    await service.append(entryFor(citizen));
    clock = new Date();
    for (let i = 0; i < 4; i++) await service.append(entryFor(citizen));
    expect(await sequencer.runOnce()).to.equal(10);
    // One April entry is appended and not yet sequenced: April must be kept.
    clock = new Date('2021-04-20T01:00:00Z');
    await service.append(entryFor(subjectOf('late')));
    clock = new Date();
    await checkpointer.publish(true);

    const { dropped, kept } = await dropExpiredPartitions(
      createPartitionsRepo(db),
      retentionCutoff(new Date(), 60),
    );
    expect(dropped).to.deep.equal([{ partition: 'audit_entry_p202103', entries: 5 }]);
    expect(kept).to.deep.equal(['audit_entry_p202104']);
    const recorded = await db('audit_retention').select('partition', 'entries');
    expect(recorded.map((r) => [r.partition, Number(r.entries)])).to.deep.equal([['audit_entry_p202103', 5]]);

    // Leaves stay; bodies are gone; the verifier accounts for exactly the pruned ones.
    expect(Number((await db('log_leaf').count({ n: '*' }).first())!.n)).to.equal(10);
    await sequencer.runOnce();
    await checkpointer.publish(true);
    const report = await verifyDatabase(db, { logKeys: logKeys(), origin: ORIGIN });
    expect(report.problems).to.deep.equal([]);
    expect(report).to.include({ ok: true, size: 11, pruned: 5 });

    // A kept entry's inclusion proof verifies against the newest checkpoint.
    const note = await service.checkpoint();
    const cp = parseCheckpoint(parseNote(note).text);
    const leaf = (await db('log_leaf').where({ idx: 7 }).first()) as { leaf_hash: Buffer };
    const { proof } = await service.inclusionProof(7, cp.size);
    expect(
      verifyInclusion(new Uint8Array(leaf.leaf_hash), 7, cp.size, proof.map(fromBase64), cp.rootHash).ok,
    ).to.equal(true);

    // The citizen's history now starts after the pruned month.
    const history = await service.accessLog(citizen, { limit: 100 });
    expect(history.entries.length).to.equal(5);

    // A body deleted outside retention is still caught.
    await db.raw('ALTER TABLE audit_entry DISABLE TRIGGER USER');
    const victim = (await db('log_leaf').where({ idx: 9 }).first()) as { entry_id: number };
    await db('audit_entry').where({ entry_id: victim.entry_id }).delete();
    const tampered = await verifyDatabase(db, { logKeys: logKeys(), origin: ORIGIN });
    expect(tampered.ok).to.equal(false);
    expect(tampered.firstBadIndex).to.equal(9);
  });

  it('keeps every month when retention is off and creates the coming months ahead', async () => {
    const { db } = await freshDatabase();
    const created = await ensurePartitions(createPartitionsRepo(db), new Date('2030-01-15T00:00:00Z'), 2);
    expect(created).to.deep.equal(['audit_entry_p203001', 'audit_entry_p203002', 'audit_entry_p203003']);
    expect(
      await ensurePartitions(createPartitionsRepo(db), new Date('2030-01-15T00:00:00Z'), 2),
    ).to.deep.equal([]);
    expect(retentionCutoff(new Date('2026-11-23T00:00:00Z'), 60).toISOString()).to.equal(
      '2021-11-01T00:00:00.000Z',
    );
  });
});
