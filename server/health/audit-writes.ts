/**
 * Whether audit appends are being accepted, for readiness (reliability check F4, AU-5: a gateway
 * that cannot write its log fails closed and says so). Passive: it learns from the appends that
 * requests make, so probing never writes an entry (an entry id spent on a probe would be a gap in
 * the log). After a failed append the process is not ready until an append succeeds again; with
 * no traffic (a balancer stops sending it some once it is not ready) readiness returns after
 * `retryAfterMs`, so that real requests test the store again — a failure then turns it off again.
 */

export type AuditWriteState = 'ok' | 'failing';

export interface AuditWrites {
  /** Called after every append with whether the store accepted it. */
  record(accepted: boolean): void;
  state(): AuditWriteState;
}

export function createAuditWrites(options: { retryAfterMs?: number; now?: () => number } = {}): AuditWrites {
  const retryAfterMs = options.retryAfterMs ?? 10_000;
  const now = options.now ?? Date.now;
  let failedAt: number | undefined;
  return {
    record(accepted) {
      failedAt = accepted ? undefined : now();
    },
    state() {
      if (failedAt === undefined) return 'ok';
      if (now() - failedAt >= retryAfterMs) return 'ok';
      return 'failing';
    },
  };
}
