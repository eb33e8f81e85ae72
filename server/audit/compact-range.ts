// The right border of a log: one perfect subtree per set bit of the size, largest first. It is all the
// sequencer has to keep between batches to extend the tree, so appending a batch and computing the new
// root costs O(batch + log n) hashes without reading old leaves. The nodes it completes on the way are
// reported so the caller can store them (tiles) and later serve proofs from them.
import { EMPTY_ROOT, HASH_SIZE, nodeHash, type NodeId } from './merkle.js';

export interface RangeNode {
  level: number;
  hash: Uint8Array;
}

export interface CompactRangeState {
  size: number;
  nodes: RangeNode[];
}

export interface CompletedNode extends NodeId {
  hash: Uint8Array;
}

/** Levels of the perfect subtrees covering [0, size), largest first. */
function borderLevels(size: number): number[] {
  const levels: number[] = [];
  for (let level = 0, rest = size; rest > 0; level++, rest = Math.floor(rest / 2)) {
    if (rest % 2 === 1) levels.unshift(level);
  }
  return levels;
}

export class CompactRange {
  #size = 0;
  #nodes: RangeNode[] = [];

  static fromState(state: CompactRangeState): CompactRange {
    if (!Number.isSafeInteger(state.size) || state.size < 0)
      throw new RangeError('invalid compact range size');
    const expected = borderLevels(state.size);
    if (expected.length !== state.nodes.length) throw new RangeError('compact range does not match its size');
    state.nodes.forEach((node, i) => {
      if (node.level !== expected[i]) throw new RangeError('compact range levels do not match its size');
      if (node.hash.length !== HASH_SIZE) throw new RangeError('compact range hash has the wrong length');
    });
    const range = new CompactRange();
    range.#size = state.size;
    range.#nodes = state.nodes.map((n) => ({ level: n.level, hash: Uint8Array.from(n.hash) }));
    return range;
  }

  /** Hashes only; the levels follow from the size. This is the `tree_head.compact_range` column. */
  static fromBytes(size: number, bytes: Uint8Array): CompactRange {
    const levels = borderLevels(size);
    if (bytes.length !== levels.length * HASH_SIZE)
      throw new RangeError('compact range bytes have the wrong length');
    const nodes = levels.map((level, i) => ({
      level,
      hash: bytes.slice(i * HASH_SIZE, (i + 1) * HASH_SIZE),
    }));
    return CompactRange.fromState({ size, nodes });
  }

  get size(): number {
    return this.#size;
  }

  state(): CompactRangeState {
    return {
      size: this.#size,
      nodes: this.#nodes.map((n) => ({ level: n.level, hash: Uint8Array.from(n.hash) })),
    };
  }

  toBytes(): Uint8Array {
    const out = new Uint8Array(this.#nodes.length * HASH_SIZE);
    this.#nodes.forEach((n, i) => out.set(n.hash, i * HASH_SIZE));
    return out;
  }

  /** Appends leaf hashes; returns every perfect subtree completed (level 0 included), in creation order. */
  append(leafHashes: Iterable<Uint8Array>): CompletedNode[] {
    const completed: CompletedNode[] = [];
    for (const leaf of leafHashes) {
      if (leaf.length !== HASH_SIZE) throw new RangeError('leaf hash has the wrong length');
      let node: RangeNode = { level: 0, hash: Uint8Array.from(leaf) };
      completed.push({ level: 0, index: this.#size, hash: node.hash });
      for (
        let last = this.#nodes.at(-1);
        last !== undefined && last.level === node.level;
        last = this.#nodes.at(-1)
      ) {
        this.#nodes.pop();
        node = { level: node.level + 1, hash: nodeHash(last.hash, node.hash) };
        completed.push({
          level: node.level,
          index: Math.floor(this.#size / 2 ** node.level),
          hash: node.hash,
        });
      }
      this.#nodes.push(node);
      this.#size++;
    }
    return completed;
  }

  /** MTH of the range: the border folded from the right, since each node is bigger than all to its right. */
  root(): Uint8Array {
    let acc: Uint8Array | undefined;
    for (let i = this.#nodes.length - 1; i >= 0; i--) {
      const h = this.#nodes[i]!.hash;
      acc = acc === undefined ? h : nodeHash(h, acc);
    }
    return acc ?? EMPTY_ROOT;
  }
}
