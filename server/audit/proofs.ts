// Proofs from stored nodes: name the subtrees a proof needs, fetch them in one query, fold them.
import {
  assembleProof,
  consistencyNodes,
  inclusionNodes,
  proofNodeIds,
  type NodeId,
  type ProofElement,
} from './merkle.js';

export type NodeFetcher = (ids: NodeId[]) => Promise<Map<string, Uint8Array>>;

async function fetchProof(elements: ProofElement[], fetch: NodeFetcher): Promise<Uint8Array[]> {
  const ids = proofNodeIds(elements);
  const found = ids.length ? await fetch(ids) : new Map<string, Uint8Array>();
  return assembleProof(elements, (level, index) => {
    const hash = found.get(`${level}/${index}`);
    if (!hash) throw new Error(`tree node ${level}/${index} is missing`);
    return hash;
  });
}

export function inclusionProofFrom(fetch: NodeFetcher, index: number, size: number): Promise<Uint8Array[]> {
  return fetchProof(inclusionNodes(index, size), fetch);
}

export function consistencyProofFrom(fetch: NodeFetcher, from: number, to: number): Promise<Uint8Array[]> {
  if (from === to) return Promise.resolve([]);
  return fetchProof(consistencyNodes(from, to), fetch);
}

/** Several inclusion proofs at one size with a single fetch (a citizen's page of entries). */
export async function inclusionProofsFrom(
  fetch: NodeFetcher,
  indices: number[],
  size: number,
): Promise<Uint8Array[][]> {
  const plans = indices.map((i) => inclusionNodes(i, size));
  const ids = proofNodeIds(plans.flat());
  const found = ids.length ? await fetch(ids) : new Map<string, Uint8Array>();
  const rightEdge = new Map<string, Uint8Array>();
  return plans.map((elements) =>
    assembleProof(
      elements,
      (level, index) => {
        const hash = found.get(`${level}/${index}`);
        if (!hash) throw new Error(`tree node ${level}/${index} is missing`);
        return hash;
      },
      rightEdge,
    ),
  );
}
