/**
 * C2SP tlog-tiles (c2sp.org/tlog-tiles) over our RFC 6962 tree: paths, widths and the entry-bundle
 * encoding. Pure (no node:*, no I/O) so the server, the mirror command and tests share one reading of
 * the spec. A tile at level L holds the Merkle hashes at tree level 8·L: level 0 the leaf hashes, level
 * L ≥ 1 the roots of the full tiles below. Our log entries, as tiles define them, are the 32-byte leaf
 * values (the salted commitments), never the audit entries behind them.
 */

/** Hashes per full tile (tile height 8). */
export const TILE_WIDTH = 256;
export const HASH_BYTES = 32;
/** Levels whose tiles can hold anything for a log that fits a JS safe integer (256^7 > 2^53). */
export const MAX_TILE_LEVEL = 6;
/** The contract declares at most three path segments for `<N>`: tile indices below 10^9. */
export const MAX_TILE_INDEX = 999_999_999;

export type TileKind = number | 'entries';

export interface TileRef {
  /** Hash level (0 = leaf hashes), or `entries` for an entry bundle. */
  level: TileKind;
  index: number;
  /** 256 for a full tile, 1-255 for a partial one. */
  width: number;
}

/** `<N>` as zero-padded 3-digit path segments, all but the last prefixed with `x` (1234067 → x001/x234/067). */
export function encodeTileIndex(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0)
    throw new RangeError('tile index must be a non-negative integer');
  const groups: string[] = [];
  let rest = index;
  do {
    groups.unshift(String(rest % 1000).padStart(3, '0'));
    rest = Math.floor(rest / 1000);
  } while (rest > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

/** The path of a tile below the log's prefix: `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`. */
export function tilePath(ref: TileRef): string {
  const partial = ref.width < TILE_WIDTH ? `.p/${ref.width}` : '';
  return `tile/${ref.level}/${encodeTileIndex(ref.index)}${partial}`;
}

const LEVEL = /^(0|[1-9][0-9]?)$/;
const WIDTH = /^([1-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])$/;

/**
 * Reads the segments after `tile/`; undefined for anything the spec does not name exactly (leading
 * zeros, a missing `x`, a width of 0 or 256, a level above 63), so one resource has one path.
 */
export function parseTilePath(segments: readonly string[]): TileRef | undefined {
  const [first, ...rest] = segments;
  if (first === undefined || rest.length === 0) return undefined;
  let level: TileKind;
  if (first === 'entries') level = 'entries';
  else if (LEVEL.test(first) && Number(first) <= 63) level = Number(first);
  else return undefined;
  let width = TILE_WIDTH;
  let parts = rest;
  const last = rest.at(-1)!;
  if (rest.length >= 2 && rest.at(-2)!.endsWith('.p')) {
    if (!WIDTH.test(last)) return undefined;
    width = Number(last);
    parts = [...rest.slice(0, -2), rest.at(-2)!.slice(0, -2)];
  }
  if (parts.length > 6) return undefined;
  let index = 0;
  for (const [i, part] of parts.entries()) {
    const digits = i < parts.length - 1 ? /^x([0-9]{3})$/.exec(part)?.[1] : /^([0-9]{3})$/.exec(part)?.[1];
    if (digits === undefined) return undefined;
    index = index * 1000 + Number(digits);
  }
  // x000/… would be a second name for a shorter path.
  if (parts.length > 1 && parts[0] === 'x000') return undefined;
  return { level, index, width };
}

/** Hashes that exist at a tile level in a tree of `size` leaves: floor(size / 256^level). */
export function hashesAtLevel(size: number, level: number): number {
  return Math.floor(size / TILE_WIDTH ** level);
}

/** Width of tile `index` at `level` in a tree of `size` (256 full, 0 none yet). Entries count as level 0. */
export function tileWidthAt(size: number, level: TileKind, index: number): number {
  const count = hashesAtLevel(size, level === 'entries' ? 0 : level);
  return Math.max(0, Math.min(TILE_WIDTH, count - index * TILE_WIDTH));
}

/** Every tile of one kind a tree of `size` consists of: the full ones, then the partial one if any. */
export function tilesAt(size: number, level: TileKind): TileRef[] {
  const count = hashesAtLevel(size, level === 'entries' ? 0 : level);
  const out: TileRef[] = [];
  for (let index = 0; index * TILE_WIDTH < count; index++) {
    out.push({ level, index, width: Math.min(TILE_WIDTH, count - index * TILE_WIDTH) });
  }
  return out;
}

/** The hash levels that have at least one tile in a tree of `size` (level 0 and those above it). */
export function tileLevels(size: number): number[] {
  const levels: number[] = [];
  for (let level = 0; level <= MAX_TILE_LEVEL && hashesAtLevel(size, level) > 0; level++) levels.push(level);
  return levels;
}

/** A hash tile's bytes cut into its 32-byte hashes; throws unless the length is a whole number of them. */
export function tileHashes(tile: Uint8Array, width: number): Uint8Array[] {
  if (tile.length !== width * HASH_BYTES)
    throw new RangeError(`tile of ${tile.length} bytes, expected ${width * HASH_BYTES}`);
  const out: Uint8Array[] = [];
  for (let i = 0; i < width; i++) out.push(tile.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES));
  return out;
}

/** Entry bundle: each entry as a big-endian uint16 length, then its bytes. */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(entries.reduce((n, e) => n + 2 + e.length, 0));
  let at = 0;
  for (const e of entries) {
    if (e.length > 0xffff) throw new RangeError('entry longer than 65535 bytes');
    out[at] = e.length >> 8;
    out[at + 1] = e.length & 0xff;
    out.set(e, at + 2);
    at += 2 + e.length;
  }
  return out;
}

/** The entries of a bundle; throws on a truncated bundle or a count other than `width`. */
export function decodeEntryBundle(bundle: Uint8Array, width: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < bundle.length) {
    if (at + 2 > bundle.length) throw new RangeError('entry bundle ends inside a length');
    const length = (bundle[at]! << 8) | bundle[at + 1]!;
    if (at + 2 + length > bundle.length) throw new RangeError('entry bundle ends inside an entry');
    out.push(bundle.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  if (out.length !== width) throw new RangeError(`entry bundle of ${out.length} entries, expected ${width}`);
  return out;
}
