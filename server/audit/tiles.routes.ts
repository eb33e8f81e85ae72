/**
 * C2SP tlog-tiles read API under the log's prefix `/audit/v1` (the path of the checkpoint origin, as
 * the spec recommends): `checkpoint`, `tile/<L>/<N>[.p/<W>]` and `tile/entries/<N>[.p/<W>]`. Full tiles
 * never change and are cached for a year; a partial tile's bytes never change either, but it stops
 * being needed once the full tile exists, so caches keep it briefly; the checkpoint a second.
 */
import { Router } from 'express';
import type { TileService } from './tiles.service.js';

export const TILES_PREFIX = '/audit/v1';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const PARTIAL = 'public, max-age=60';
const CHECKPOINT = 'public, max-age=1';

export function tilesRouter(tiles: TileService): Router {
  const router = Router();

  router.get(`${TILES_PREFIX}/checkpoint`, async (_req, res) => {
    const note = await tiles.checkpoint();
    res.set('Cache-Control', CHECKPOINT).type('text/plain; charset=utf-8').send(note);
  });

  // One route per path the contract declares (up to three segments for <N>, with or without a partial
  // width), so the contract test can hold each mounted route to its operation; parseTilePath checks them.
  const indices = [':n0', ':x1/:n0', ':x2/:x1/:n0'];
  const paths = indices.flatMap((n) => [
    `${TILES_PREFIX}/tile/:level/${n}`,
    `${TILES_PREFIX}/tile/:level/${n}.p/:width`,
  ]);
  router.get(paths, async (req, res) => {
    const segments = req.path.slice(`${TILES_PREFIX}/tile/`.length).split('/');
    const { bytes, full } = await tiles.tile(segments);
    res
      .set('Cache-Control', full ? IMMUTABLE : PARTIAL)
      .type('application/octet-stream')
      .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  });

  return router;
}
