import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import pino from 'pino';
import { knexAuditRepo } from '../../../server/audit/audit.repo.js';
import { createAuditService } from '../../../server/audit/audit.service.js';
import { vkeyFor } from '../../../server/audit/checkpoint.js';
import { createCheckpointer } from '../../../server/audit/checkpointer.js';
import { createSequencer } from '../../../server/audit/sequencer.js';
import { claimSignedHead } from '../../../server/audit/signed-head.repo.js';
import { createDb } from '../../../server/db/db.js';
import { FileKeyStore } from '../../../server/keys/file-key-store.js';
import { freshDatabase } from '../../support/database.js';
import { entryFor, subjectOf } from '../audit/helpers.js';

const ORIGIN = 'race.example/audit/v1';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('witness: compare-and-swap on the signed tree head (two checkpointers, one database)', function () {
  this.timeout(60_000);
  let db: Knex;
  let second: Knex;

  before(async () => {
    const fresh = await freshDatabase();
    db = fresh.db;
    // The second instance has its own pool, as a second process would.
    second = createDb({ url: fresh.url, poolMax: 4, statementTimeoutMs: 30_000 });
  });
  after(() => second?.destroy());

  it('of two instances claiming different roots for the same size at the same time, exactly one wins', async () => {
    const rootA = new Uint8Array(32).fill(0xaa);
    const rootB = new Uint8Array(32).fill(0xbb);
    const outcomes: [boolean, boolean][] = [];
    for (let size = 1; size <= 40; size++) {
      // Each claim holds its transaction open a moment, so the other's insert meets it on the key.
      const claim = (pool: Knex, root: Uint8Array, delay: number) =>
        pool.transaction(async (trx) => {
          await sleep(delay);
          const result = await claimSignedHead(trx, ORIGIN, size, root);
          await sleep(10);
          return result.ok;
        });
      const [a, b] = await Promise.all([claim(db, rootA, size % 3), claim(second, rootB, (size + 1) % 3)]);
      outcomes.push([a, b]);
    }
    expect(outcomes.filter(([a, b]) => a !== b)).to.have.length(40);
    const stored = (await db('signed_tree_head').where({ origin: ORIGIN }).orderBy('size')) as {
      size: string;
      root: Buffer;
    }[];
    expect(stored).to.have.length(40);
    stored.forEach((row, i) => {
      const winner = outcomes[i]![0] ? 0xaa : 0xbb;
      expect(
        row.root.every((b) => b === winner),
        `size ${row.size}`,
      ).to.equal(true);
    });
    // The same root again (an idle re-signing) is not a conflict; updates and deletes are refused.
    expect(await claimSignedHead(db, ORIGIN, 1, stored[0]!.root)).to.deep.equal({ ok: true });
    let refused = '';
    await db('signed_tree_head')
      .where({ origin: ORIGIN, size: 1 })
      .del()
      .catch((e: Error) => (refused = e.message));
    expect(refused).to.match(/append-only/);
  });

  it('two racing checkpointers publish one root per size, and refuse to sign over a root claimed for a fork', async () => {
    const keys = await FileKeyStore.open({
      dir: mkdtempSync(join(tmpdir(), 'juc-race-keys-')),
      allowGenerate: true,
    });
    const logger = pino({ level: 'silent' });
    const audit = createAuditService({
      repo: knexAuditRepo(db),
      logKeys: () => [vkeyFor('log.example/race', keys.current('checkpoint').publicKey)],
    });
    const sequencer = createSequencer({ db, logger, intervalMs: 20, batchSize: 50 });
    const origin = 'log.example/race';
    const one = createCheckpointer({ db, logger, keys, origin, minIntervalMs: 0 });
    const two = createCheckpointer({ db: second, logger, keys, origin, minIntervalMs: 0 });
    let published = 0;
    for (let round = 0; round < 15; round++) {
      for (let i = 0; i < 3; i++) await audit.append(entryFor(subjectOf(`race-${i}`)));
      await sequencer.runOnce();
      const sizes = await Promise.all([one.publish(true), two.publish(true), one.publish(true)]);
      published += sizes.filter((s) => s !== null).length;
    }
    expect(published).to.be.at.least(15);
    const roots = (await db('checkpoint')
      .select('size')
      .countDistinct({ roots: 'root' })
      .groupBy('size')
      .orderBy('size')) as { size: string; roots: string }[];
    expect(roots.map((r) => [Number(r.size), Number(r.roots)])).to.deep.equal(
      Array.from({ length: 15 }, (_, i) => [3 * (i + 1), 1]),
    );

    // Another instance (a replica that forked) already claimed a different root for the next size.
    await audit.append(entryFor(subjectOf('race-x')));
    await sequencer.runOnce();
    await claimSignedHead(second, origin, 46, new Uint8Array(32).fill(1));
    let error = '';
    await one.publish(true).catch((e: Error) => (error = e.message));
    expect(error).to.match(/^refusing to sign root .* for size 46: AQEBAQEB/);
    expect(await db('checkpoint').where({ size: 46 }).first()).to.equal(undefined);
  });
});
