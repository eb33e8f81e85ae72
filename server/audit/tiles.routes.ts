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

  router.get(`${TILES_PREFIX}/tile/*path`, async (req, res) => {
    const segments = (req.params as { path: string[] }).path;
    const { bytes, full } = await tiles.tile(segments);
    res
      .set('Cache-Control', full ? IMMUTABLE : PARTIAL)
      .type('application/octet-stream')
      .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  });

  return router;
}
