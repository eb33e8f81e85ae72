// Tiles read from the tree tables of a log past one full level-1 tile (65,536 leaves): every level-1
// hash is the root of a full level-0 tile computed here from the leaf hashes, the level-2 partial tile
// is the root of the first 65,536 leaves, each tile is one statement (the plan is an index-only scan for
// levels ≥ 1), and the storage per entry of tree_node and its indexes is printed (TILES_SIZE=100000 for
// the README's figures).
import { expect } from 'chai';
import pino from 'pino';
import { knexAuditRepo } from '../../../server/audit/audit.repo.js';
import { createAuditService } from '../../../server/audit/audit.service.js';
import { rootFromLeafHashes } from '../../../server/audit/merkle.js';
import { createSequencer } from '../../../server/audit/sequencer.js';
import { readTile } from '../../../server/audit/tiles.repo.js';
import { freshDatabase, type TestDatabase } from '../../support/database.js';
import { entryFor, subjectOf } from '../audit/helpers.js';

const logger = pino({ level: 'silent' });
const SIZE = Number(process.env.TILES_SIZE ?? 65_536 + 300);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('tiles from the tree tables (log_leaf, tree_node, tree_node_by_tile)', function () {
  this.timeout(600_000);
  let t: TestDatabase;
  let leaves: Uint8Array[];

  before(async () => {
    t = await freshDatabase();
    const service = createAuditService({ repo: knexAuditRepo(t.db), logKeys: () => [] });
    const subjects = [...Array(50).keys()].map((i) => subjectOf(`tiles-${i}`));
    for (let done = 0; done < SIZE; done += 2000) {
      const n = Math.min(2000, SIZE - done);
      await service.appendMany([...Array(n).keys()].map((i) => entryFor(subjects[(done + i) % 50]!)));
    }
    const sequencer = createSequencer({ db: t.db, logger, intervalMs: 20, batchSize: 2000 });
    let sequenced = 0;
    while (sequenced < SIZE) sequenced += await sequencer.runOnce();
    await t.db.raw('VACUUM ANALYZE tree_node');
    await t.db.raw('VACUUM ANALYZE log_leaf');
    leaves = ((await t.db('log_leaf').orderBy('idx').pluck('leaf_hash')) as Buffer[]).map(
      (b) => new Uint8Array(b),
    );
  });

  it('serves the level-1 tile as the roots of the full level-0 tiles, and level 2 as their root', async () => {
    const level1 = await readTile(t.db, { level: 1, index: 0, width: 256 });
    expect(level1?.length).to.equal(8192);
    for (const i of [0, 1, 127, 200, 255]) {
      expect(hex(level1!.subarray(i * 32, i * 32 + 32)), `hash ${i}`).to.equal(
        hex(rootFromLeafHashes(leaves.slice(i * 256, (i + 1) * 256))),
      );
    }
    const level2 = await readTile(t.db, { level: 2, index: 0, width: 1 });
    expect(hex(level2!)).to.equal(hex(rootFromLeafHashes(leaves.slice(0, 65_536))));
    // The next level-1 tile has floor((SIZE - 65,536) / 256) hashes, no more.
    const width = Math.floor((SIZE - 65_536) / 256);
    expect((await readTile(t.db, { level: 1, index: 1, width }))?.length).to.equal(width * 32);
    expect(await readTile(t.db, { level: 1, index: 1, width: width + 1 })).to.equal(undefined);
    expect(await readTile(t.db, { level: 2, index: 0, width: 2 })).to.equal(undefined);
  });

  it('reads a level-1 tile with an index-only scan of tree_node_by_tile', async () => {
    const plan = (
      await t.db.raw<{ rows: { 'QUERY PLAN': string }[] }>(
        `EXPLAIN SELECT n.idx, n.hash FROM tree_node n
         WHERE n.level / 6 = 1 AND ((n.idx << (n.level % 6)) >> 6) >= 0
           AND ((n.idx << (n.level % 6)) >> 6) < 16 AND n.level = 8 AND n.idx >= 0 AND n.idx < 256`,
      )
    ).rows
      .map((r) => r['QUERY PLAN'])
      .join('\n');
    expect(plan).to.match(/Index Only Scan using tree_node_by_tile/);
  });

  it('measures tile reads and the per-entry storage of the node tables', async () => {
    const time = async (ref: Parameters<typeof readTile>[1]) => {
      const runs: number[] = [];
      for (let i = 0; i < 40; i++) {
        const start = performance.now();
        await readTile(t.db, {
          ...ref,
          index:
            (ref.index + i) %
            Math.max(1, Math.floor(SIZE / 256 ** (ref.level === 'entries' ? 1 : ref.level + 1))),
        });
        runs.push(performance.now() - start);
      }
      runs.sort((a, b) => a - b);
      return `median ${runs[20]!.toFixed(2)} ms, p95 ${runs[38]!.toFixed(2)} ms`;
    };
    console.log(`      level 0 tile: ${await time({ level: 0, index: 0, width: 256 })}`);
    console.log(`      entry bundle: ${await time({ level: 'entries', index: 0, width: 256 })}`);
    console.log(`      level 1 tile: ${await time({ level: 1, index: 0, width: 256 })}`);
    const sizes = (
      await t.db.raw<{ rows: { name: string; bytes: string }[] }>(
        `SELECT c.relname AS name, pg_relation_size(c.oid) AS bytes FROM pg_class c
         WHERE c.relname IN ('tree_node', 'tree_node_pkey', 'tree_node_by_tile', 'log_leaf', 'log_leaf_pkey')`,
      )
    ).rows;
    const nodes = Number((await t.db('tree_node').count({ n: '*' }).first())!.n);
    for (const s of sizes)
      console.log(`      ${s.name}: ${(Number(s.bytes) / SIZE).toFixed(1)} bytes per entry`);
    console.log(`      ${SIZE} entries, ${nodes} tree_node rows`);
    // The alternative: the tile levels (tree levels 8, 16, ...) as one row per tile, levels between
    // recomputed on read; level 0 would stay log_leaf.leaf_hash. Table, TOAST and primary key.
    await t.db.raw(`CREATE TABLE tile_row AS SELECT level / 8 AS tile_level, idx / 256 AS tile_index,
                      string_agg(hash, ''::bytea ORDER BY idx) AS hashes
                    FROM tree_node WHERE level % 8 = 0 GROUP BY 1, 2`);
    await t.db.raw('ALTER TABLE tile_row ADD PRIMARY KEY (tile_level, tile_index)');
    const tileBytes = Number(
      (await t.db.raw<{ rows: { b: string }[] }>("SELECT pg_total_relation_size('tile_row') AS b")).rows[0]!
        .b,
    );
    console.log(`      tile rows for levels >= 1: ${(tileBytes / SIZE).toFixed(2)} bytes per entry`);
    expect(tileBytes / SIZE).to.be.below(5);
    // Every completed subtree above the leaves is a row: n - popcount(n) of them.
    expect(nodes).to.equal(SIZE - SIZE.toString(2).replace(/0/g, '').length);
  });
});
