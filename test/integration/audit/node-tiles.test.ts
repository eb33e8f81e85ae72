import { expect } from 'chai';
import pino from 'pino';
import { knexAuditRepo } from '../../../server/audit/audit.repo.js';
import { nodeHashes, nodeStatement } from '../../../server/audit/proof-nodes.repo.js';
import { createAuditService } from '../../../server/audit/audit.service.js';
import { TILE_HEIGHT } from '../../../server/audit/audit.types.js';
import { toBase64 } from '../../../server/audit/bytes.js';
import { inclusionProof, rootFromLeafHashes, type NodeId } from '../../../server/audit/merkle.js';
import { createSequencer } from '../../../server/audit/sequencer.js';
import { freshDatabase, type TestDatabase } from '../../support/database.js';
import { entryFor, subjectOf } from './helpers.js';

const logger = pino({ level: 'silent' });
// Past one full tier-1 tile (4,096 leaves) into a partial second: proofs cross tile edges in two
// tiers and the right edge.
const SIZE = 4096 + 4 * 64 + 37;

/** MTH of a perfect subtree straight from the leaf hashes: the reference for stored nodes. */
function subtree(leaves: Uint8Array[], id: NodeId): Uint8Array {
  const width = 2 ** id.level;
  return rootFromLeafHashes(leaves.slice(id.index * width, (id.index + 1) * width));
}

describe('audit proofs: tree nodes read by tile (tree_node_by_tile)', function () {
  this.timeout(60_000);
  let t: TestDatabase;
  let leaves: Uint8Array[];

  before(async () => {
    t = await freshDatabase();
    const service = createAuditService({ repo: knexAuditRepo(t.db), logKeys: () => [] });
    const subjects = [subjectOf('A'), subjectOf('B'), subjectOf('C')];
    await service.appendMany([...Array(SIZE).keys()].map((i) => entryFor(subjects[i % 3]!)));
    const sequencer = createSequencer({ db: t.db, logger, intervalMs: 20, batchSize: 100 });
    let sequenced = 0;
    while (sequenced < SIZE) sequenced += await sequencer.runOnce();
    leaves = ((await t.db('log_leaf').orderBy('idx').pluck('leaf_hash')) as Buffer[]).map(
      (b) => new Uint8Array(b),
    );
  });

  it('returns exactly the asked-for nodes, in every tier, equal to the MTH of their leaves', async () => {
    expect(TILE_HEIGHT).to.equal(6);
    const ids: NodeId[] = [
      { level: 0, index: 5 },
      { level: 1, index: 0 },
      { level: 1, index: 33 }, // tier 0, tile 1
      { level: 3, index: 7 }, // tier 0, last of tile 0
      { level: 5, index: 3 }, // tier 0, second half of tile 1
      { level: 3, index: 530 }, // tier 0, tile 66 (leaves 4240-4247)
      { level: 2, index: 1096 }, // tier 0, tile 68, the last complete one (leaves 4384-4387)
      { level: 6, index: 2 }, // tier 1, tile 0
      { level: 8, index: 15 }, // tier 1, last of tile 0 (leaves 3840-4095)
      { level: 6, index: 65 }, // tier 1, tile 1
      { level: 7, index: 32 }, // tier 1, tile 1 (leaves 4096-4223)
      { level: 12, index: 0 }, // tier 2, tile 0 (leaves 0-4095)
    ];
    const found = await nodeHashes(t.db, ids);
    expect([...found.keys()].sort()).to.deep.equal(ids.map((id) => `${id.level}/${id.index}`).sort());
    for (const id of ids) {
      expect(
        Buffer.from(found.get(`${id.level}/${id.index}`)!).toString('hex'),
        `${id.level}/${id.index}`,
      ).to.equal(Buffer.from(subtree(leaves, id)).toString('hex'));
    }
    // Nodes not yet complete at the right edge are not stored, and not made up.
    const partial = await nodeHashes(t.db, [
      { level: 5, index: 137 },
      { level: 1, index: 2194 },
    ]);
    expect(partial.size).to.equal(0);
  });

  it("gives every leaf's inclusion proof equal to the reference, at the full size and at tile edges", async () => {
    const service = createAuditService({ repo: knexAuditRepo(t.db), logKeys: () => [] });
    // A spread of leaves and each side of the tile edges, at the full size and at sizes ending on one.
    const edges = [0, 1, 63, 64, 127, 4031, 4032, 4095, 4096, 4159, 4160, 4351, 4352, SIZE - 1];
    for (const size of [SIZE, 4096, 128]) {
      const indices = [...Array(size).keys()].filter((i) => i % 97 === 0 || edges.includes(i));
      for (const index of [...indices, size - 1]) {
        const { proof } = await service.inclusionProof(index, size);
        const expected = inclusionProof(leaves.slice(0, size), index, size).map(toBase64);
        expect(proof, `${index} of ${size}`).to.deep.equal(expected);
      }
    }
  });

  it('reads nodes of every tier through the tile index, not the primary key', async () => {
    const statement = nodeStatement([
      { level: 1, index: 40 },
      { level: 4, index: 9 },
      { level: 7, index: 33 },
      { level: 12, index: 0 },
    ])!;
    const plan = await t.db.transaction(async (trx) => {
      // The table is tiny here; without this the planner may read it whole.
      await trx.raw('SET LOCAL enable_seqscan = off');
      const r = await trx.raw<{ rows: { 'QUERY PLAN': unknown }[] }>(
        `EXPLAIN (FORMAT JSON) ${statement.sql}`,
        statement.bindings,
      );
      return JSON.stringify(r.rows[0]!['QUERY PLAN']);
    });
    expect(plan).to.contain('"Index Name":"tree_node_by_tile"');
    expect(plan).to.not.contain('tree_node_pkey');
  });
});
