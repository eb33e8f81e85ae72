/**
 * Node hashes and leaf bundles for proofs and the public log, knex only.
 */
import type { Knex } from 'knex';
import { preparedQuery } from '../db/prepared.js';
import { bytes, type Db } from './audit-db.js';
import { TILE_HEIGHT, type LeafBundle } from './audit.types.js';
import type { NodeId } from './merkle.js';

/**
 * The one statement reading node hashes: leaves from log_leaf, the other nodes by tile (an
 * index-only scan of `tree_node_by_tile` per tile, one or two pages, instead of a probe per node).
 */
export function nodeStatement(ids: NodeId[]): { sql: string; bindings: Knex.RawBinding[] } | undefined {
  const leaves = ids.filter((id) => id.level === 0).map((id) => id.index);
  const nodes = ids.filter((id) => id.level > 0);
  const parts: { sql: string; bindings: Knex.RawBinding[] }[] = [];
  if (leaves.length) {
    parts.push({
      sql: 'SELECT 0::smallint AS level, l.idx, l.leaf_hash AS hash FROM log_leaf l WHERE l.idx = ANY(?::bigint[])',
      bindings: [leaves],
    });
  }
  if (nodes.length) {
    const tiles = new Map<string, { tier: number; tile: number }>();
    for (const id of nodes) {
      const tier = Math.floor(id.level / TILE_HEIGHT);
      const tile = Math.floor((id.index * 2 ** (id.level % TILE_HEIGHT)) / 2 ** TILE_HEIGHT);
      tiles.set(`${tier}/${tile}`, { tier, tile });
    }
    // The tile join drives the index; the key filter keeps only the asked-for nodes of each tile.
    // Keys as decimal strings: level << 56 exceeds a JS number's exact range.
    const keys = nodes.map((id) => ((BigInt(id.level) << 56n) | BigInt(id.index)).toString());
    parts.push({
      sql: `SELECT n.level, n.idx, n.hash
            FROM unnest(?::int[], ?::bigint[]) AS t(tier, tile)
            JOIN tree_node n ON n.level / ${TILE_HEIGHT} = t.tier
              AND ((n.idx << (n.level % ${TILE_HEIGHT})) >> ${TILE_HEIGHT}) = t.tile
            WHERE ((n.level::bigint << 56) | n.idx) = ANY(?::bigint[])`,
      bindings: [[...tiles.values()].map((t) => t.tier), [...tiles.values()].map((t) => t.tile), keys],
    });
  }
  if (parts.length === 0) return undefined;
  return { sql: parts.map((q) => q.sql).join('\nUNION ALL\n'), bindings: parts.flatMap((q) => q.bindings) };
}

/**
 * Node hashes by `${level}/${index}`: level 0 from log_leaf, above from tree_node. `prepared` (only
 * outside a transaction) plans the statement once per connection, as for history pages.
 */
export async function nodeHashes(
  db: Db,
  ids: NodeId[],
  options: { prepared?: boolean } = {},
): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  const statement = nodeStatement(ids);
  if (!statement) return out;
  type Row = { level: number; idx: number; hash: Buffer };
  const rows = options.prepared
    ? await preparedQuery<Row>(db as Knex, db.raw(statement.sql, statement.bindings).toSQL().toNative())
    : (await db.raw<{ rows: Row[] }>(statement.sql, statement.bindings)).rows;
  for (const r of rows) out.set(`${r.level}/${r.idx}`, bytes(r.hash));
  return out;
}

export async function leafBundles(db: Db, start: number, count: number): Promise<LeafBundle[]> {
  const rows = (await db('log_leaf')
    .where('idx', '>=', start)
    .andWhere('idx', '<', start + count)
    .orderBy('idx')
    .select('idx', 'leaf_data', 'leaf_hash')) as { idx: number; leaf_data: Buffer; leaf_hash: Buffer }[];
  return rows.map((r) => ({ index: r.idx, leaf: bytes(r.leaf_data), leafHash: bytes(r.leaf_hash) }));
}
