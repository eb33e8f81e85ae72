/**
 * Stored tree nodes in memory. A stored node is a completed perfect subtree, so its hash never
 * changes and needs no invalidation. Every inclusion proof takes one node per level; the upper
 * levels are shared by many proofs and cost a random index probe each when read from PostgreSQL
 * (a citizen's page of 50 entries needs ~1,200 nodes at 10 M entries). Nodes at `fromLevel` and
 * above are kept as packed 32-byte hashes: n / 2^(fromLevel-1) × 32 bytes for n leaves (10 MB at
 * 10 M entries from level 6), filled as proofs ask for them, within `maxBytes`.
 *
 * Nodes below `fromLevel` are mostly one entry's own siblings (a history page reads those with its
 * entries), but the small subtrees at the log's right edge are in every proof at one tree size:
 * with a size that is not a multiple of 2^fromLevel they made each page fetch nodes. The last
 * `lowerEntries` lower nodes asked for are kept by key, the oldest dropped first.
 */
import type { NodeId } from './merkle.js';

const HASH = 32;

interface Level {
  hashes: Uint8Array;
  present: Uint8Array;
}

export interface NodeCacheOptions {
  fromLevel?: number;
  maxBytes?: number;
  lowerEntries?: number;
}

export function cachedNodeFetcher(
  fetch: (ids: NodeId[]) => Promise<Map<string, Uint8Array>>,
  options: NodeCacheOptions = {},
): (ids: NodeId[]) => Promise<Map<string, Uint8Array>> {
  const fromLevel = options.fromLevel ?? 6;
  const maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  const lowerEntries = options.lowerEntries ?? 4096;
  const levels = new Map<number, Level>();
  const lower = new Map<string, Uint8Array>();
  let bytes = 0;

  const get = (id: NodeId): Uint8Array | undefined => {
    const level = levels.get(id.level);
    if (!level || id.index >= level.present.length || !level.present[id.index]) return undefined;
    return level.hashes.subarray(id.index * HASH, (id.index + 1) * HASH);
  };

  const put = (id: NodeId, hash: Uint8Array) => {
    if (hash.length !== HASH) return;
    let level = levels.get(id.level);
    if (!level || id.index >= level.present.length) {
      const capacity = Math.max(1024, 2 ** Math.ceil(Math.log2(id.index + 1)));
      const grow = capacity * (HASH + 1) - (level ? level.present.length * (HASH + 1) : 0);
      if (bytes + grow > maxBytes) return;
      const next = { hashes: new Uint8Array(capacity * HASH), present: new Uint8Array(capacity) };
      if (level) {
        next.hashes.set(level.hashes);
        next.present.set(level.present);
      }
      levels.set(id.level, next);
      bytes += grow;
      level = next;
    }
    level.hashes.set(hash, id.index * HASH);
    level.present[id.index] = 1;
  };

  return async (ids) => {
    const out = new Map<string, Uint8Array>();
    const missing: NodeId[] = [];
    for (const id of ids) {
      const key = `${id.level}/${id.index}`;
      const hash = id.level >= fromLevel ? get(id) : lower.get(key);
      if (hash) out.set(key, hash);
      else missing.push(id);
    }
    if (missing.length === 0) return out;
    const found = await fetch(missing);
    for (const id of missing) {
      const hash = found.get(`${id.level}/${id.index}`);
      if (!hash) continue;
      const key = `${id.level}/${id.index}`;
      out.set(key, hash);
      if (id.level >= fromLevel) put(id, hash);
      else if (lowerEntries > 0) {
        if (lower.size >= lowerEntries) lower.delete(lower.keys().next().value!);
        lower.set(key, hash);
      }
    }
    return out;
  };
}
