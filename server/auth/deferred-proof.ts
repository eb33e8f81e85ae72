/**
 * A DPoP proof id whose claim moves from authentication to the request's own first statement.
 * POST /v1/queries claims it inside its admission statement (server/queries/queries.repo.ts): the
 * verified query then costs one round trip to PostgreSQL fewer. Every other way such a request can
 * end claims the id before anything is answered: the error step below before any refusal, and
 * `claimPendingProof` before an answer that skips admission (an idempotent replay). A claim that
 * finds the id taken refuses the request exactly as authentication would have. The proof's other
 * checks (signature, htm, htu, iat, ath, key binding) stay in authentication.
 */
import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { USED_BEFORE } from './dpop.js';
import type { ReplayStore } from './replay-store.js';
import { authenticationRefused } from './refusal.js';

export interface PendingProof {
  /** `<jkt>:<jti>`, as the replay store keys it. */
  readonly key: string;
  readonly expiresAt: Date;
  /** Set by whoever claims it, so that it is claimed once. */
  claimed: boolean;
}

/** The refusal of a proof whose id was already claimed. */
export function replayedProof() {
  return authenticationRefused(`The DPoP proof is not valid: ${USED_BEFORE}.`, true);
}

/** A replay store for one request that only notes the proof id it is asked to claim. */
export function deferringStore(): { store: ReplayStore; pending(): PendingProof | undefined } {
  let pending: PendingProof | undefined;
  return {
    store: {
      async markUsed(key, expiresAt) {
        pending = { key, expiresAt, claimed: false };
        return true;
      },
    },
    pending: () => pending,
  };
}

export function pendingProofOf(res: Response): PendingProof | undefined {
  return res.locals.pendingProof as PendingProof | undefined;
}

/** Claims the request's deferred proof id now, if nothing has; throws the 401 for a replay. */
export async function claimPendingProof(store: ReplayStore, pending: PendingProof | undefined) {
  if (!pending || pending.claimed) return;
  pending.claimed = true;
  if (!(await store.markUsed(pending.key, pending.expiresAt))) throw replayedProof();
}

/** The error step: a request refused before its admission statement still spends its proof id. */
export function claimBeforeRefusal(store: ReplayStore): ErrorRequestHandler {
  return async (err, _req, res, next) => {
    try {
      await claimPendingProof(store, pendingProofOf(res));
    } catch (refusal) {
      return next(refusal);
    }
    next(err);
  };
}

/**
 * A last guard for a path that answered without claiming (none is known): the id is claimed as
 * the response ends, so it cannot be used again, and the slip is logged as the defect it is.
 */
export function claimAfterResponse(store: ReplayStore, res: Response, logger: Logger) {
  res.once('finish', () => {
    const pending = pendingProofOf(res);
    if (!pending || pending.claimed) return;
    logger.error({ status: res.statusCode }, 'a deferred DPoP proof id was not claimed before the answer');
    claimPendingProof(store, pending).catch(() => undefined);
  });
}
