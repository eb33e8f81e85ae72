/**
 * Remembers DPoP proof ids until they can no longer be replayed (their acceptance window ends).
 * `markUsed` must be atomic: it returns true for the first caller only. The PostgreSQL store
 * implements the same contract with a unique index.
 */
export interface ReplayStore {
  markUsed(jti: string, expiresAt: Date): Promise<boolean>;
}

export interface MemoryReplayStore extends ReplayStore {
  readonly size: number;
}

/** For tests and single-process dev runs only: state is lost on restart and not shared. */
export function createMemoryReplayStore(now: () => number = Date.now): MemoryReplayStore {
  const seen = new Map<string, number>();
  let insertsSincePrune = 0;

  const prune = () => {
    const t = now();
    for (const [key, expiresAt] of seen) if (expiresAt <= t) seen.delete(key);
    insertsSincePrune = 0;
  };

  return {
    get size() {
      return seen.size;
    },
    async markUsed(jti, expiresAt) {
      const existing = seen.get(jti);
      if (existing !== undefined && existing > now()) return false;
      seen.set(jti, expiresAt.getTime());
      if (++insertsSincePrune >= 1000) prune();
      return true;
    },
  };
}
