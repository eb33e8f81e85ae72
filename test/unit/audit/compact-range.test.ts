import { expect } from 'chai';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { CompactRange } from '../../../server/audit/compact-range.js';
import {
  EMPTY_ROOT,
  leafHash,
  lookupFromLeaves,
  nodeHash,
  rootFromLeafHashes,
} from '../../../server/audit/merkle.js';
import { hex, STANDARD_LEAVES } from './fixtures.js';

function leaves(seed: number, n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => createHash('sha256').update(`${seed}:${i}`).digest());
}

/** Splits n leaves into consecutive batches at random cut points. */
const batches = fc
  .tuple(fc.integer({ min: 0, max: 300 }), fc.array(fc.nat(), { maxLength: 12 }), fc.integer())
  .map(([n, cuts, seed]) => {
    const points = [...new Set(cuts.map((c) => c % (n + 1)))].sort((a, b) => a - b);
    return { n, points, seed };
  });

describe('audit/compact-range', () => {
  it('starts as the empty tree', () => {
    const range = new CompactRange();
    expect(range.size).to.equal(0);
    expect(hex(range.root())).to.equal(hex(EMPTY_ROOT));
    expect(range.toBytes()).to.have.length(0);
  });

  it('reproduces the roots of the standard leaves at every size', () => {
    const range = new CompactRange();
    const hashes = STANDARD_LEAVES.map(leafHash);
    hashes.forEach((h, i) => {
      range.append([h]);
      expect(hex(range.root())).to.equal(hex(rootFromLeafHashes(hashes.slice(0, i + 1))));
    });
    expect(hex(range.root())).to.equal('5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328');
  });

  it('root equals the RFC MTH for any batching, and survives persistence between batches', () => {
    fc.assert(
      fc.property(batches, ({ n, points, seed }) => {
        const hashes = leaves(seed, n);
        let range = new CompactRange();
        let from = 0;
        for (const to of [...points, n]) {
          range.append(hashes.slice(from, to));
          // Alternate between the two persisted forms, as a sequencer restarting between batches would.
          range =
            to % 2 === 0
              ? CompactRange.fromBytes(range.size, range.toBytes())
              : CompactRange.fromState(range.state());
          from = to;
          expect(hex(range.root())).to.equal(hex(rootFromLeafHashes(hashes.slice(0, to))));
        }
        expect(range.size).to.equal(n);
      }),
      { numRuns: 200 },
    );
  });

  it('reports each completed perfect subtree with its id and hash', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 130 }), fc.integer(), (n, seed) => {
        const hashes = leaves(seed, n);
        const lookup = lookupFromLeaves((i) => hashes[i]!);
        const completed = new CompactRange().append(hashes);
        let expectedCount = 0;
        for (let level = 0; 2 ** level <= n; level++) expectedCount += Math.floor(n / 2 ** level);
        expect(completed).to.have.length(expectedCount);
        for (const node of completed) expect(hex(node.hash)).to.equal(hex(lookup(node.level, node.index)));
      }),
      { numRuns: 60 },
    );
  });

  it('keeps exact node indices past 2^32 leaves', () => {
    const size = 2 ** 40 - 1; // 40 border nodes, levels 39..0
    const filler = new Uint8Array(32).fill(7);
    const nodes = Array.from({ length: 40 }, (_, i) => ({ level: 39 - i, hash: filler }));
    const range = CompactRange.fromState({ size, nodes });
    const leaf = new Uint8Array(32).fill(9);
    const completed = range.append([leaf]);
    expect(completed.at(-1)).to.include({ level: 40, index: 0 });
    expect(completed[0]).to.include({ level: 0, index: size });
    expect(range.state().nodes.map((x) => x.level)).to.deep.equal([40]);
    let expected: Uint8Array = leaf;
    for (let i = 0; i < 40; i++) expected = nodeHash(filler, expected);
    expect(hex(range.root())).to.equal(hex(expected));
  });

  it('rejects state that does not match its size', () => {
    const h = new Uint8Array(32);
    expect(() => CompactRange.fromState({ size: 3, nodes: [{ level: 1, hash: h }] })).to.throw(RangeError);
    expect(() =>
      CompactRange.fromState({
        size: 3,
        nodes: [
          { level: 0, hash: h },
          { level: 1, hash: h },
        ],
      }),
    ).to.throw(RangeError);
    expect(() =>
      CompactRange.fromState({ size: 1, nodes: [{ level: 0, hash: new Uint8Array(31) }] }),
    ).to.throw(RangeError);
    expect(() => CompactRange.fromBytes(3, new Uint8Array(32))).to.throw(RangeError);
    expect(() => new CompactRange().append([new Uint8Array(31)])).to.throw(RangeError);
  });

  it('does not let callers mutate its state through returned arrays', () => {
    const range = new CompactRange();
    range.append(leaves(1, 3));
    const before = hex(range.root());
    range.state().nodes[0]!.hash.fill(0);
    range.toBytes().fill(0);
    expect(hex(range.root())).to.equal(before);
  });
});
