/** Static files of the web pages at /assets (stylesheet, scripts): files only, no directory listing. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';

export const WEB_PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), 'public');

export function webAssetsRouter(): Router {
  const router = Router();
  router.use(
    '/assets',
    express.static(WEB_PUBLIC_DIR, { index: false, fallthrough: false, maxAge: '1h', immutable: false }),
  );
  return router;
}
