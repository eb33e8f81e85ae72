/**
 * Request budgets over fixed windows counted in PostgreSQL (rate-windows.repo.ts), shared by the
 * query gateway and consent requests. No Express, no knex: a request names its budgets, each is
 * counted, and any budget over its limit refuses the request with 429 `rate_limited` and a
 * `Retry-After` that runs to the end of the longest exceeded window.
 */
import { RateLimitedError } from '../errors.js';
import type { RateBucket, RateWindow } from './rate-windows.repo.js';

export type { RateWindow } from './rate-windows.repo.js';

export interface RateBudget extends RateBucket {
  /** Requests allowed in one window; the next one is refused. */
  limit: number;
}

export interface RateCounter {
  take(buckets: readonly RateBucket[], now: Date): Promise<number[]>;
}

export interface RateLimiter {
  /** Counts this request against every budget; throws RateLimitedError when any is exceeded. */
  admit(budgets: readonly RateBudget[], now: Date): Promise<void>;
}

/** Whole seconds (at least 1) until the window that holds `now` ends. */
export function secondsLeftInWindow(window: RateWindow, now: Date): number {
  const elapsed = window === 'minute' ? now.getUTCSeconds() : now.getUTCMinutes() * 60 + now.getUTCSeconds();
  return Math.max(1, (window === 'minute' ? 60 : 3600) - elapsed);
}

/** Throws RateLimitedError when `count` (this request included) is over the budget's limit. */
export function refuseOverBudget(
  budget: Pick<RateBudget, 'window' | 'limit'>,
  count: number,
  now: Date,
): void {
  if (count > budget.limit) throw new RateLimitedError(secondsLeftInWindow(budget.window, now));
}

export function createRateLimiter(counter: RateCounter): RateLimiter {
  return {
    async admit(budgets, now) {
      const counts = await counter.take(budgets, now);
      let retryAfter = 0;
      budgets.forEach((budget, i) => {
        if (counts[i]! > budget.limit)
          retryAfter = Math.max(retryAfter, secondsLeftInWindow(budget.window, now));
      });
      if (retryAfter > 0) throw new RateLimitedError(retryAfter);
    },
  };
}
