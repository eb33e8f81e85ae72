/**
 * Idempotency-Key replay with the answer sealed at rest. The first answer under a key is what a retry
 * gets back, so it has to be kept (QUERY_IDEMPOTENCY_TTL_S); it holds released record values, which
 * user agencies must keep encrypted, so it is stored sealed by the query-replay data key
 * (server/at-rest/envelope.ts), bound to its requester, key, request hash and status.
 *
 * A stored answer that does not open is refused with a 500, never treated as absent: running the query
 * again would not be a replay but a second release (another audit entry, another use of a consent that
 * may allow only one), under a key the client uses precisely to prevent that. The reason is logged.
 */
import type { Logger } from 'pino';
import type { Sealer } from '../at-rest/envelope.js';
import { InternalError } from '../errors.js';
import type { QueriesRepo } from './queries.repo.js';

export type ReplayClaim =
  | { claimed: true }
  | {
      claimed: false;
      /** Undefined when the row vanished between the claim and the read (expired and purged). */
      existing?: { requestHash: string; statusCode: number | null; response: unknown };
    };

/** What the route needs; same names as the repo's, values in clear on this side only. */
export interface ReplayStore {
  claimIdempotencyKey(
    requester: string,
    key: string,
    requestHash: string,
    expiresAt: Date,
    now?: Date,
  ): Promise<ReplayClaim>;
  /** `requestHash` as claimed: the sealed answer is bound to it. */
  completeIdempotencyKey(
    requester: string,
    key: string,
    requestHash: string,
    statusCode: number,
    response: unknown,
  ): Promise<void>;
  releaseIdempotencyKey(requester: string, key: string): Promise<void>;
}

type ReplayRepo = Pick<
  QueriesRepo,
  'claimIdempotencyKey' | 'completeIdempotencyKey' | 'releaseIdempotencyKey'
>;

const context = (requester: string, key: string, requestHash: string, statusCode: number) => [
  'query_idempotency',
  requester,
  key,
  requestHash,
  String(statusCode),
];

export function createReplayStore(deps: { repo: ReplayRepo; sealer: Sealer; logger: Logger }): ReplayStore {
  const { repo, sealer, logger } = deps;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  return {
    async claimIdempotencyKey(requester, key, requestHash, expiresAt, now) {
      const claim = await repo.claimIdempotencyKey(requester, key, requestHash, expiresAt, now);
      if (claim.claimed) return claim;
      if (!claim.existing) return { claimed: false };
      const { answer, statusCode } = claim.existing;
      // Another query under this key, or the first still running: nothing to open.
      if (claim.existing.requestHash !== requestHash || statusCode === null || !answer) {
        return {
          claimed: false,
          existing: { requestHash: claim.existing.requestHash, statusCode, response: null },
        };
      }
      try {
        const plain = await sealer.open(answer, context(requester, key, requestHash, statusCode));
        return {
          claimed: false,
          existing: { requestHash, statusCode, response: JSON.parse(decoder.decode(plain)) as unknown },
        };
      } catch (err) {
        logger.error(
          { err, requester, dataKeyId: answer.dataKeyId },
          'stored idempotent answer does not open: refused, not replayed and not run again',
        );
        throw new InternalError(err);
      }
    },
    async completeIdempotencyKey(requester, key, requestHash, statusCode, response) {
      const plain = encoder.encode(JSON.stringify(response));
      await repo.completeIdempotencyKey(
        requester,
        key,
        statusCode,
        await sealer.seal(plain, context(requester, key, requestHash, statusCode)),
      );
    },
    async releaseIdempotencyKey(requester, key) {
      await repo.releaseIdempotencyKey(requester, key);
    },
  };
}
