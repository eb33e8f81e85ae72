/**
 * The API reference at /docs: Swagger UI served from the installed swagger-ui-dist package (no
 * CDN) with our own page and initializer file, so helmet's CSP needs no inline-script exception.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import swaggerUiDist from 'swagger-ui-dist';

const here = dirname(fileURLToPath(import.meta.url));
export const OPENAPI_DIR = resolve(here, '..', '..', 'openapi');

export function docsRouter(): Router {
  const router = Router();
  const assets = swaggerUiDist.getAbsoluteFSPath();
  router.get('/openapi/gateway.yaml', (_req, res) => {
    res.type('application/yaml').sendFile(join(OPENAPI_DIR, 'gateway.yaml'));
  });
  router.get('/docs', (_req, res) => {
    res.sendFile(join(here, 'public', 'index.html'));
  });
  router.use('/docs', express.static(join(here, 'public'), { index: false, fallthrough: true }));
  router.use('/docs/vendor', express.static(assets, { index: false, fallthrough: false }));
  return router;
}
