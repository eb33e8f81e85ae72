/** HTTP only: POST /v1/queries, with Idempotency-Key replay. */
import { createHash } from 'node:crypto';
import { Router } from 'express';
import { canonicalJson } from '../audit/commitment.js';
import { principalOf, requirePrincipal, type Principal } from '../auth/principal.js';
import { ConflictError } from '../errors.js';
import type { ReplayStore } from './idempotency.js';
import type { QueryService } from './queries.service.js';
import type { QueryRequest } from './queries.types.js';

export function requesterKey(principal: Principal): string {
  if (principal.kind === 'client') return `client:${principal.clientId}`;
  if (principal.kind === 'clerk') return `clerk:${principal.clerkId}`;
  return `${principal.kind}:${principal.sub}`;
}

export function queriesRouter(
  service: QueryService,
  repo: ReplayStore,
  options: { now: () => Date; idempotencyTtlMs: number },
): Router {
  const router = Router();
  router.post('/v1/queries', requirePrincipal('client', 'clerk'), async (req, res) => {
    const principal = principalOf(res)!;
    const body = req.body as QueryRequest;
    const key = req.get('idempotency-key');
    const requester = requesterKey(principal);
    const now = options.now();
    const hash = key ? createHash('sha256').update(canonicalJson(body)).digest('base64url') : '';
    if (key) {
      const claim = await repo.claimIdempotencyKey(
        requester,
        key,
        hash,
        new Date(now.getTime() + options.idempotencyTtlMs),
        now,
      );
      if (!claim.claimed) {
        const existing = claim.existing;
        if (!existing || existing.requestHash !== hash) {
          throw new ConflictError('This Idempotency-Key was already used for a different query.');
        }
        if (existing.statusCode === null)
          throw new ConflictError('The query with this Idempotency-Key is still running.');
        res.setHeader('Idempotent-Replayed', 'true');
        res.status(existing.statusCode).json(existing.response);
        return;
      }
    }
    try {
      const response = await service.run(principal, body, { requestId: String(req.id), now });
      if (key) await repo.completeIdempotencyKey(requester, key, hash, 200, response);
      res.json(response);
    } catch (err) {
      // A failed attempt released nothing, so the same key may be tried again.
      if (key) await repo.releaseIdempotencyKey(requester, key);
      throw err;
    }
  });
  return router;
}
