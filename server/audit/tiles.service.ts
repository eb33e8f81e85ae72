/**
 * The tiled read API's use case (no express, no knex): a tile by its path, or not found. The path is
 * the spec's only name for a resource, so anything that is not exactly that name is not found too.
 */
import { NotFoundError } from '../errors.js';
import { parseTilePath, TILE_WIDTH, type TileRef } from './tiles.js';

export interface TileService {
  /** The tile addressed by the path segments after `tile/`, and whether it is a full (immutable) one. */
  tile(segments: readonly string[]): Promise<{ bytes: Uint8Array; full: boolean }>;
  /** The latest cosigned checkpoint, as `GET /v1/log/checkpoint` serves it. */
  checkpoint(): Promise<string>;
}

export function createTileService(deps: {
  readTile: (ref: TileRef) => Promise<Uint8Array | undefined>;
  checkpoint: () => Promise<string>;
}): TileService {
  return {
    async tile(segments) {
      const ref = parseTilePath(segments);
      const bytes = ref && (await deps.readTile(ref));
      if (!ref || !bytes) throw new NotFoundError(`No tile ${segments.join('/')}.`);
      return { bytes, full: ref.width === TILE_WIDTH };
    },
    checkpoint: deps.checkpoint,
  };
}
