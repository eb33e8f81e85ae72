/**
 * Tiles straight from the tree tables, knex only, one statement per tile: the rows are concatenated in
 * PostgreSQL (string_agg in index order), so a tile leaves the database as one bytea. Level 0 and entry
 * bundles are a range of `log_leaf` (its primary key on idx); level L ≥ 1 is the range of `tree_node`
 * at tree level 8·L, which is stored already (a completed perfect subtree), read from the covering
 * `tree_node_by_tile` index (migration 071) without touching the heap. Only completed rows exist, so
 * a short answer means the tile is not that wide yet.
 */
import type { Knex } from 'knex';
import { TILE_HEIGHT } from './audit.types.js';
import { HASH_BYTES, TILE_WIDTH, type TileRef } from './tiles.js';

type Db = Knex | Knex.Transaction;

// The tier/tile expressions are migration 071's, written out so the planner matches the index: the
// 8·L-level nodes of tile N lie under tier-tile keys [N·256·2^r >> 6, …) with r = (8·L) mod 6.
const HASH_TILE = `
  SELECT count(*)::int AS n, string_agg(hash, ''::bytea ORDER BY idx) AS bytes
  FROM (SELECT n.idx, n.hash FROM tree_node n
        WHERE n.level / ${TILE_HEIGHT} = ?::int
          AND ((n.idx << (n.level % ${TILE_HEIGHT})) >> ${TILE_HEIGHT}) >= ?::bigint
          AND ((n.idx << (n.level % ${TILE_HEIGHT})) >> ${TILE_HEIGHT}) < ?::bigint
          AND n.level = ?::int AND n.idx >= ?::bigint AND n.idx < ?::bigint) t`;

const LEAF_TILE = `
  SELECT count(*)::int AS n, string_agg(leaf_hash, ''::bytea ORDER BY idx) AS bytes
  FROM log_leaf WHERE idx >= ?::bigint AND idx < ?::bigint`;

// Entry bundle: big-endian uint16 length (int2send) before each leaf value.
const ENTRY_BUNDLE = `
  SELECT count(*)::int AS n,
         string_agg(int2send(octet_length(leaf_data)::int2) || leaf_data, ''::bytea ORDER BY idx) AS bytes
  FROM log_leaf WHERE idx >= ?::bigint AND idx < ?::bigint`;

/** The tile's bytes, or undefined when the log does not hold `ref.width` hashes there yet. */
export async function readTile(db: Db, ref: TileRef): Promise<Uint8Array | undefined> {
  const start = ref.index * TILE_WIDTH;
  const end = start + ref.width;
  let sql: string;
  let bindings: Knex.RawBinding[];
  if (ref.level === 'entries' || ref.level === 0) {
    sql = ref.level === 'entries' ? ENTRY_BUNDLE : LEAF_TILE;
    bindings = [start, end];
  } else {
    const level = ref.level * 8;
    const shift = level % TILE_HEIGHT;
    const key = (idx: number) => Math.floor((idx * 2 ** shift) / 2 ** TILE_HEIGHT);
    // Keys of the next index up bound the range; the level and idx filters keep exactly this tile.
    bindings = [Math.floor(level / TILE_HEIGHT), key(start), key(end - 1) + 1, level, start, end];
    sql = HASH_TILE;
  }
  const { rows } = await db.raw<{ rows: { n: number; bytes: Buffer | null }[] }>(sql, bindings);
  const row = rows[0]!;
  if (row.n < ref.width || !row.bytes) return undefined;
  const bytes = new Uint8Array(row.bytes.buffer, row.bytes.byteOffset, row.bytes.byteLength);
  if (ref.level !== 'entries' && bytes.length !== ref.width * HASH_BYTES) return undefined;
  return bytes;
}
