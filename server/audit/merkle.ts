// RFC 6962 / RFC 9162 Merkle tree: hashing, the reference root (MTH), proof generation and verification.
//
// Proof generation is split in two so the database layer never loads all leaves: `inclusionNodes` /
// `consistencyNodes` name the perfect subtrees a proof needs (pure index arithmetic), the store fetches
// those node hashes in one batch (tiles), and `assembleProof` combines them. Every proof element is
// either one perfect aligned subtree or a right-edge subtree ending at the tree size, which is the
// ordered list of perfect subtrees of its binary decomposition.
import { createHash } from 'node:crypto';
import { consistencyCheck, inclusionCheck, runSync, type Verdict } from './proof-check.js';

export const HASH_SIZE = 32;

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

export function sha256(...parts: readonly Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const part of parts) h.update(part);
  return h.digest();
}

export const EMPTY_ROOT: Uint8Array = sha256();

export function leafHash(leaf: Uint8Array): Uint8Array {
  return sha256(LEAF_PREFIX, leaf);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(NODE_PREFIX, left, right);
}

/** Largest power of two strictly below n (n >= 2): the RFC's split point k. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[n]) straight from the RFC definition; the reference the faster paths are tested against. */
export function rootFromLeafHashes(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length === 0) return EMPTY_ROOT;
  const mth = (lo: number, hi: number): Uint8Array => {
    if (hi - lo === 1) return hashes[lo]!;
    const k = splitPoint(hi - lo);
    return nodeHash(mth(lo, lo + k), mth(lo + k, hi));
  };
  return mth(0, hashes.length);
}

// ---- verification -------------------------------------------------------------------------------------

export type { Verdict };

export const verifyInclusion = (
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): Verdict => runSync(inclusionCheck(leaf, index, size, proof, root), nodeHash);

export const verifyConsistency = (
  size1: number,
  size2: number,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: readonly Uint8Array[],
): Verdict => runSync(consistencyCheck(size1, size2, root1, root2, proof), nodeHash);

// ---- proof generation ---------------------------------------------------------------------------------

/** A perfect subtree: leaves [index * 2^level, (index + 1) * 2^level). Level 0 is a leaf hash. */
export interface NodeId {
  level: number;
  index: number;
}

/** One proof element: the MTH of its perfect subtrees, left to right (one id unless it is right-edge). */
export type ProofElement = NodeId[];

export type NodeHashLookup = (level: number, index: number) => Uint8Array;

/** The minimal view of a stored log. */
export interface TreeStore {
  readonly size: number;
  getLeafHash(index: number): Uint8Array;
}

function rangeNodes(lo: number, hi: number): ProofElement {
  const ids: NodeId[] = [];
  while (lo < hi) {
    let width = 1;
    let level = 0;
    while (width * 2 <= hi - lo) {
      width *= 2;
      level++;
    }
    if (lo % width !== 0) throw new Error(`range [${lo}, ${hi}) is not a tree range`);
    ids.push({ level, index: lo / width });
    lo += width;
  }
  return ids;
}

function checkIndex(name: string, n: number, min: number): void {
  if (!Number.isSafeInteger(n) || n < min) throw new RangeError(`${name} must be a safe integer >= ${min}`);
}

/** PATH(m, D[n]) of RFC 9162 §2.1.3.1, as subtree ids. */
export function inclusionNodes(index: number, size: number): ProofElement[] {
  checkIndex('index', index, 0);
  checkIndex('size', size, 1);
  if (index >= size) throw new RangeError(`index ${index} is not below size ${size}`);
  const out: ProofElement[] = [];
  const path = (lo: number, hi: number): void => {
    if (hi - lo === 1) return;
    const k = splitPoint(hi - lo);
    if (index < lo + k) {
      path(lo, lo + k);
      out.push(rangeNodes(lo + k, hi));
    } else {
      path(lo + k, hi);
      out.push(rangeNodes(lo, lo + k));
    }
  };
  path(0, size);
  return out;
}

/** PROOF(m, D[n]) = SUBPROOF(m, D[n], true) of RFC 9162 §2.1.4.1, as subtree ids. */
export function consistencyNodes(size1: number, size2: number): ProofElement[] {
  checkIndex('size1', size1, 1);
  checkIndex('size2', size2, size1);
  const out: ProofElement[] = [];
  const subproof = (m: number, lo: number, hi: number, complete: boolean): void => {
    if (m === hi - lo) {
      if (!complete) out.push(rangeNodes(lo, hi));
      return;
    }
    const k = splitPoint(hi - lo);
    if (m <= k) {
      subproof(m, lo, lo + k, complete);
      out.push(rangeNodes(lo + k, hi));
    } else {
      subproof(m - k, lo + k, hi, false);
      out.push(rangeNodes(lo, lo + k));
    }
  };
  subproof(size1, 0, size2, true);
  return out;
}

/** Distinct ids to fetch for a proof, e.g. to turn into one tile query. */
export function proofNodeIds(elements: readonly ProofElement[]): NodeId[] {
  const seen = new Map<string, NodeId>();
  for (const element of elements) for (const id of element) seen.set(`${id.level}/${id.index}`, id);
  return [...seen.values()];
}

/**
 * `rightEdge`, shared by proofs at one tree size, keeps the hash of each right-edge suffix it has
 * folded (keyed by the suffix's first subtree, which fixes the rest at that size): every proof of a
 * citizen's page ends in the same few right-edge elements.
 */
export function assembleProof(
  elements: readonly ProofElement[],
  lookup: NodeHashLookup,
  rightEdge?: Map<string, Uint8Array>,
): Uint8Array[] {
  return elements.map((ids) => {
    let acc: Uint8Array | undefined;
    for (let i = ids.length - 1; i >= 0; i--) {
      const id = ids[i]!;
      const key = i < ids.length - 1 && rightEdge ? `${id.level}/${id.index}` : undefined;
      const known = key === undefined ? undefined : rightEdge!.get(key);
      if (known) {
        acc = known;
        continue;
      }
      const h = lookup(id.level, id.index);
      acc = acc === undefined ? h : nodeHash(h, acc);
      if (key !== undefined) rightEdge!.set(key, acc);
    }
    if (acc === undefined) throw new Error('empty proof element');
    return acc;
  });
}

/** Node hashes computed from leaf hashes: O(2^level) each, for tests and small trees. */
export function lookupFromLeaves(getLeafHash: (index: number) => Uint8Array): NodeHashLookup {
  const node = (level: number, index: number): Uint8Array =>
    level === 0 ? getLeafHash(index) : nodeHash(node(level - 1, 2 * index), node(level - 1, 2 * index + 1));
  return node;
}

export type ProofSource = readonly Uint8Array[] | TreeStore | NodeHashLookup;

function toLookup(source: ProofSource, size: number): NodeHashLookup {
  if (typeof source === 'function') return source;
  const available = 'getLeafHash' in source ? source.size : source.length;
  if (size > available) throw new RangeError(`tree size ${size} exceeds the ${available} leaves available`);
  const get =
    'getLeafHash' in source ? (i: number) => source.getLeafHash(i) : (i: number): Uint8Array => source[i]!;
  return lookupFromLeaves(get);
}

export function inclusionProof(source: ProofSource, index: number, size: number): Uint8Array[] {
  return assembleProof(inclusionNodes(index, size), toLookup(source, size));
}

export function consistencyProof(source: ProofSource, size1: number, size2: number): Uint8Array[] {
  return assembleProof(consistencyNodes(size1, size2), toLookup(source, size2));
}
