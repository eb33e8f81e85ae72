/** Our public keys (consent tokens, response signatures, checkpoints) as a JWKS, for anyone to verify. */
import { Router } from 'express';
import type { KeyStore } from './key-store.js';

export function keysRouter(keys: KeyStore): Router {
  const router = Router();
  router.get('/.well-known/jwks.json', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(keys.publicJwks());
  });
  return router;
}
