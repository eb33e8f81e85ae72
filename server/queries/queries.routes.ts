/** HTTP only: POST /v1/queries, with Idempotency-Key replay (mounted as a hot route: server/app.ts). */
import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { HotRoute } from '../http/hot-route.js';
import { canonicalJson } from '../audit/commitment.js';
import { claimPendingProof, pendingProofOf } from '../auth/deferred-proof.js';
import { principalOf, requirePrincipal, type Principal } from '../auth/principal.js';
import type { ReplayStore as ProofIdStore } from '../auth/replay-store.js';
import { ConflictError } from '../errors.js';
import type { ReplayStore } from './idempotency.js';
import type { QueryService } from './queries.service.js';
import type { QueryRequest } from './queries.types.js';

export function requesterKey(principal: Principal): string {
  if (principal.kind === 'client') return `client:${principal.clientId}`;
  if (principal.kind === 'clerk') return `clerk:${principal.clerkId}`;
  return `${principal.kind}:${principal.sub}`;
}

export function queriesRoute(
  service: QueryService,
  repo: ReplayStore,
  options: { proofIds: ProofIdStore; now: () => Date; idempotencyTtlMs: number },
): HotRoute {
  const run: RequestHandler = async (req, res) => {
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
        // An answer that skips admission spends its DPoP proof id here instead.
        await claimPendingProof(options.proofIds, pendingProofOf(res));
        res.setHeader('Idempotent-Replayed', 'true');
        res.status(existing.statusCode).json(existing.response);
        return;
      }
    }
    try {
      const proof = pendingProofOf(res);
      const ctx = { requestId: String(req.id), now, ...(proof ? { proof } : {}) };
      const response = await service.run(principal, body, ctx);
      if (key) await repo.completeIdempotencyKey(requester, key, hash, 200, response);
      res.json(response);
    } catch (err) {
      // A failed attempt released nothing, so the same key may be tried again.
      if (key) await repo.releaseIdempotencyKey(requester, key);
      throw err;
    }
  };
  return { method: 'post', path: '/v1/queries', handlers: [requirePrincipal('client', 'clerk'), run] };
}
