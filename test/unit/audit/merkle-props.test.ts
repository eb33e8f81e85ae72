import { expect } from 'chai';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import {
  assembleProof,
  consistencyNodes,
  consistencyProof,
  inclusionNodes,
  inclusionProof,
  lookupFromLeaves,
  proofNodeIds,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
  type TreeStore,
} from '../../../server/audit/merkle.js';
import { consistencyPlan, inclusionPlan } from '../../../server/audit/proof-plan.js';
import { verifyConsistencyProof, verifyInclusionProof } from '../../../server/audit/verifier.js';

function leaves(seed: number, n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => createHash('sha256').update(`${seed}/${i}`).digest());
}

/** A tree size and an index below it. */
const sizeAndIndex = fc
  .integer({ min: 1, max: 200 })
  .chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 }), fc.integer()));

/** Two sizes 1 <= m <= n. */
const twoSizes = fc
  .integer({ min: 1, max: 200 })
  .chain((n) => fc.tuple(fc.integer({ min: 1, max: n }), fc.constant(n), fc.integer()));

function flip(bytes: Uint8Array, position: number, mask: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[position % out.length]! ^= mask;
  return out;
}

const mask = fc.integer({ min: 1, max: 255 });

describe('audit/merkle: properties', () => {
  it('inclusion proofs from random trees verify (node:crypto and WebCrypto)', async () => {
    await fc.assert(
      fc.asyncProperty(sizeAndIndex, async ([n, index, seed]) => {
        const hashes = leaves(seed, n);
        const root = rootFromLeafHashes(hashes);
        const proof = inclusionProof(hashes, index, n);
        expect(verifyInclusion(hashes[index]!, index, n, proof, root).ok).to.equal(true);
        expect((await verifyInclusionProof(hashes[index]!, index, n, proof, root)).ok).to.equal(true);
      }),
      { numRuns: 150 },
    );
  });

  it('flipping any byte of leaf, proof or root breaks an inclusion proof', () => {
    fc.assert(
      fc.property(sizeAndIndex, fc.nat(), mask, fc.nat(), ([n, index, seed], position, m, target) => {
        const hashes = leaves(seed, n);
        const root = rootFromLeafHashes(hashes);
        const proof = inclusionProof(hashes, index, n);
        const leaf = hashes[index]!;
        const which = target % (proof.length + 2);
        const badLeaf = which === 0 ? flip(leaf, position, m) : leaf;
        const badRoot = which === 1 ? flip(root, position, m) : root;
        const badProof = proof.map((p, i) => (i === which - 2 ? flip(p, position, m) : p));
        expect(verifyInclusion(badLeaf, index, n, badProof, badRoot).ok).to.equal(false);
      }),
      { numRuns: 300 },
    );
  });

  // Only the index: a proof does not bind the tree size (sizes 9 and 10 share proof shapes for leaf 0);
  // the signed checkpoint binds size to root, which is why verifiers take the size from it.
  it('an inclusion proof does not verify for another leaf position', () => {
    fc.assert(
      fc.property(sizeAndIndex, fc.integer({ min: 1, max: 64 }), ([n, index, seed], delta) => {
        const hashes = leaves(seed, n);
        const root = rootFromLeafHashes(hashes);
        const proof = inclusionProof(hashes, index, n);
        expect(verifyInclusion(hashes[index]!, (index + delta) % n, n, proof, root).ok).to.equal(
          delta % n === 0,
        );
      }),
      { numRuns: 150 },
    );
  });

  it('consistency proofs between random sizes verify (node:crypto and WebCrypto)', async () => {
    await fc.assert(
      fc.asyncProperty(twoSizes, async ([m, n, seed]) => {
        const hashes = leaves(seed, n);
        const r1 = rootFromLeafHashes(hashes.slice(0, m));
        const r2 = rootFromLeafHashes(hashes);
        const proof = consistencyProof(hashes, m, n);
        expect(verifyConsistency(m, n, r1, r2, proof).ok).to.equal(true);
        expect((await verifyConsistencyProof(m, n, r1, r2, proof)).ok).to.equal(true);
      }),
      { numRuns: 150 },
    );
  });

  it('flipping any byte of a root or proof breaks a consistency proof', () => {
    fc.assert(
      fc.property(twoSizes, fc.nat(), mask, fc.nat(), ([m, n, seed], position, msk, target) => {
        const hashes = leaves(seed, n);
        const r1 = rootFromLeafHashes(hashes.slice(0, m));
        const r2 = rootFromLeafHashes(hashes);
        const proof = consistencyProof(hashes, m, n);
        const which = target % (proof.length + 2);
        const bad1 = which === 0 ? flip(r1, position, msk) : r1;
        const bad2 = which === 1 ? flip(r2, position, msk) : r2;
        const badProof = proof.map((p, i) => (i === which - 2 ? flip(p, position, msk) : p));
        expect(verifyConsistency(m, n, bad1, bad2, badProof).ok).to.equal(false);
      }),
      { numRuns: 300 },
    );
  });

  it('serves the same proofs from a TreeStore, a node lookup and a batch of fetched node ids', () => {
    fc.assert(
      fc.property(twoSizes, ([m, n, seed]) => {
        const hashes = leaves(seed, n);
        const store: TreeStore = { size: n, getLeafHash: (i) => hashes[i]! };
        const lookup = lookupFromLeaves((i) => hashes[i]!);
        const elements = consistencyNodes(m, n);
        // What a database layer does: fetch the distinct ids once, then assemble from the map.
        const fetched = new Map(
          proofNodeIds(elements).map((id) => [`${id.level}/${id.index}`, lookup(id.level, id.index)]),
        );
        const fromMap = assembleProof(elements, (level, index) => fetched.get(`${level}/${index}`)!);
        const expected = consistencyProof(hashes, m, n);
        expect(fromMap).to.deep.equal(expected);
        expect(consistencyProof(store, m, n)).to.deep.equal(expected);
        expect(inclusionProof(lookup, m - 1, n)).to.deep.equal(inclusionProof(store, m - 1, n));
      }),
      { numRuns: 100 },
    );
  });

  it('plans and node lists agree on proof length beyond 2^32 leaves (no 32-bit shifts)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2 ** 32, max: 2 ** 50 }), fc.nat(), fc.nat(), (size, a, b) => {
        const index = a % size;
        const inc = inclusionNodes(index, size);
        const plan = inclusionPlan(index, size, inc.length);
        expect(plan.ok).to.equal(true);
        expect(inclusionPlan(index, size, inc.length + 1).ok).to.equal(false);
        const m = 1 + (b % size);
        const cons = consistencyNodes(m, size);
        expect(consistencyPlan(m, size, cons.length).ok).to.equal(true);
        if (cons.length > 0) expect(consistencyPlan(m, size, cons.length - 1).ok).to.equal(false);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses to build proofs outside the tree', () => {
    const hashes = leaves(1, 4);
    expect(() => inclusionProof(hashes, 4, 4)).to.throw(RangeError);
    expect(() => inclusionProof(hashes, 0, 5)).to.throw(RangeError);
    expect(() => consistencyProof(hashes, 0, 4)).to.throw(RangeError);
    expect(() => consistencyProof(hashes, 3, 2)).to.throw(RangeError);
    expect(consistencyProof(hashes, 4, 4)).to.deep.equal([]);
  });
});
