// Control flow of the RFC 9162 proof verifiers (§2.1.3.2 inclusion, §2.1.4.2 consistency), separated from
// hashing. Which side each proof hash goes on depends only on the index and sizes, never on hash values, so
// the sync server verifier (node:crypto) and the async browser verifier (WebCrypto) fold the same plan and
// cannot drift apart. Tree sizes are JS numbers: bit operators are 32-bit, so shifts are done by division.

/** 'left': r = HASH(0x01 || p || r); 'right': r = HASH(0x01 || r || p). */
export type InclusionStep = 'left' | 'right';

/** 'both': fr and sr take c on the left; 'second': only sr takes c on the right. */
export type ConsistencyStep = 'both' | 'second';

export type Plan<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface ConsistencyPlan {
  /** Step 2: first_hash is prepended when the first size is a power of two. */
  prependFirst: boolean;
  /** One step per path element after the first (after any prepending). */
  steps: ConsistencyStep[];
}

export const HASH_LENGTH = 32;

/**
 * Leaf and proof hashes must be SHA-256 sized (as transparency-dev checks); roots are only ever compared,
 * so a wrong-length root simply fails to match, except for equal sizes, where the vectors expect any two
 * equal byte strings to be consistent.
 */
export function hashLengthProblem(proof: readonly Uint8Array[], leaf?: Uint8Array): string | null {
  if (leaf !== undefined && leaf.length !== HASH_LENGTH) return `leaf hash must be ${HASH_LENGTH} bytes`;
  return proof.some((p) => p.length !== HASH_LENGTH) ? `proof hashes must be ${HASH_LENGTH} bytes` : null;
}

const isOdd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

function checkSize(name: string, n: number): string | null {
  return Number.isSafeInteger(n) && n >= 0 ? null : `${name} must be a non-negative safe integer`;
}

export function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}

export function inclusionPlan(index: number, size: number, proofLength: number): Plan<InclusionStep[]> {
  const bad = checkSize('index', index) ?? checkSize('size', size);
  if (bad) return { ok: false, reason: bad };
  // Step 1.
  if (index >= size) return { ok: false, reason: `index ${index} is not below tree size ${size}` };
  // Step 2.
  let fn = index;
  let sn = size - 1;
  const steps: InclusionStep[] = [];
  // Step 4.
  for (let i = 0; i < proofLength; i++) {
    if (sn === 0) return { ok: false, reason: `proof has ${proofLength} hashes, more than the tree needs` };
    if (isOdd(fn) || fn === sn) {
      steps.push('left');
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      steps.push('right');
    }
    fn = half(fn);
    sn = half(sn);
  }
  // Step 5 (the hash comparison is the caller's).
  if (sn !== 0) return { ok: false, reason: `proof has ${proofLength} hashes, fewer than the tree needs` };
  return { ok: true, value: steps };
}

/**
 * Preconditions first, then steps 2-6 of §2.1.4.2. A zero first size is rejected: consistency with the
 * empty tree proves nothing, and the transparency-dev vectors require refusing it. Equal sizes need an
 * empty proof and equal roots; that check is the caller's (`steps` is empty and no path is used).
 */
export function consistencyPlan(size1: number, size2: number, proofLength: number): Plan<ConsistencyPlan> {
  const bad = checkSize('size1', size1) ?? checkSize('size2', size2);
  if (bad) return { ok: false, reason: bad };
  if (size1 === 0) return { ok: false, reason: 'consistency from the empty tree is not defined' };
  if (size2 < size1) return { ok: false, reason: `size2 ${size2} is smaller than size1 ${size1}` };
  if (size1 === size2) {
    if (proofLength !== 0) return { ok: false, reason: 'sizes are equal but the proof is not empty' };
    return { ok: true, value: { prependFirst: false, steps: [] } };
  }
  // Step 1.
  if (proofLength === 0) return { ok: false, reason: 'proof is empty' };
  // Step 2.
  const prependFirst = isPowerOfTwo(size1);
  const pathLength = proofLength + (prependFirst ? 1 : 0);
  // Step 3.
  let fn = size1 - 1;
  let sn = size2 - 1;
  // Step 4.
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // Step 6 (step 5 seeds fr and sr in the caller).
  const steps: ConsistencyStep[] = [];
  for (let i = 1; i < pathLength; i++) {
    if (sn === 0) return { ok: false, reason: `proof has ${proofLength} hashes, more than the trees need` };
    if (isOdd(fn) || fn === sn) {
      steps.push('both');
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      steps.push('second');
    }
    fn = half(fn);
    sn = half(sn);
  }
  // Step 7, size part.
  if (sn !== 0) return { ok: false, reason: `proof has ${proofLength} hashes, fewer than the trees need` };
  return { ok: true, value: { prependFirst, steps } };
}
