/**
 * RFC 9162 §2.1.3.2 and §2.1.4.2 proof verification, written once as a sequence of node hashes to
 * compute: merkle.ts runs it with node:crypto (synchronous, server), verifier.ts with WebCrypto
 * (asynchronous, browser-safe). No node:* here.
 */
import { bytesEqual } from './bytes.js';
import { consistencyPlan, hashLengthProblem, inclusionPlan } from './proof-plan.js';

export type Verdict = { ok: true } | { ok: false; reason: string };

/** Asks for the node hash of (left, right) and is given it back. */
type NodeHashes<T> = Generator<[Uint8Array, Uint8Array], T, Uint8Array>;

export function* inclusionCheck(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): NodeHashes<Verdict> {
  const plan = inclusionPlan(index, size, proof.length);
  if (!plan.ok) return plan;
  const badLength = hashLengthProblem(proof, leaf);
  if (badLength) return { ok: false, reason: badLength };
  let r = leaf;
  for (const [i, step] of plan.value.entries()) {
    const p = proof[i]!;
    r = step === 'left' ? yield [p, r] : yield [r, p];
  }
  return bytesEqual(r, root) ? { ok: true } : { ok: false, reason: 'computed root does not match' };
}

export function* consistencyCheck(
  size1: number,
  size2: number,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: readonly Uint8Array[],
): NodeHashes<Verdict> {
  const plan = consistencyPlan(size1, size2, proof.length);
  if (!plan.ok) return plan;
  const badLength = hashLengthProblem(proof);
  if (badLength) return { ok: false, reason: badLength };
  if (size1 === size2) {
    return bytesEqual(root1, root2) ? { ok: true } : { ok: false, reason: 'equal sizes but different roots' };
  }
  const path = plan.value.prependFirst ? [root1, ...proof] : proof;
  let fr = path[0]!;
  let sr = fr;
  for (const [i, step] of plan.value.steps.entries()) {
    const c = path[i + 1]!;
    if (step === 'both') {
      fr = yield [c, fr];
      sr = yield [c, sr];
    } else {
      sr = yield [sr, c];
    }
  }
  if (!bytesEqual(fr, root1)) return { ok: false, reason: 'computed first root does not match' };
  if (!bytesEqual(sr, root2)) return { ok: false, reason: 'computed second root does not match' };
  return { ok: true };
}

export function runSync<T>(check: NodeHashes<T>, nodeHash: (l: Uint8Array, r: Uint8Array) => Uint8Array): T {
  let step = check.next();
  while (!step.done) step = check.next(nodeHash(...step.value));
  return step.value;
}

export async function runAsync<T>(
  check: NodeHashes<T>,
  nodeHash: (l: Uint8Array, r: Uint8Array) => Promise<Uint8Array>,
): Promise<T> {
  let step = check.next();
  while (!step.done) step = check.next(await nodeHash(...step.value));
  return step.value;
}
