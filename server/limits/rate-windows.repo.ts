/**
 * knex only: fixed-window request counters in PostgreSQL (table rate_window, migration 050), so a
 * budget holds across every gateway process. One row per (bucket key, window start); a request adds
 * one to each of its buckets and learns the new counts in the same statement.
 */
import type { Knex } from 'knex';

/** Fixed windows aligned on UTC minutes or hours. */
export type RateWindow = 'minute' | 'hour';

export interface RateBucket {
  /** Namespaced by its user, e.g. `client:bank-app` or `consent-request:subject:<key>`. */
  key: string;
  window: RateWindow;
}

/**
 * The statement that counts one request in a bucket's current window and returns the new `count`,
 * for a caller that embeds it as a CTE of its own statement (the query gateway counts its budget and
 * its harvesting figures in one round trip). Parameters are knex named bindings, e.g. ':requester'.
 */
export function countInWindowSql(keyParam: string, nowParam: string, window: RateWindow): string {
  return `INSERT INTO rate_window (requester, window_start, count)
           VALUES (${keyParam}, date_trunc('${window}', ${nowParam}::timestamptz), 1)
           ON CONFLICT (requester, window_start) DO UPDATE SET count = rate_window.count + 1
           RETURNING count`;
}

export function createRateWindowsRepo(db: Knex) {
  return {
    /**
     * Adds one request to every bucket in one statement; returns the counts in the buckets' order.
     * Like the query budget, it commits without waiting for the WAL flush: every request of a
     * requester updates the same rows, and a crash forgetting the last few counts only loosens a
     * limit for one window.
     */
    async take(buckets: readonly RateBucket[], now: Date): Promise<number[]> {
      if (buckets.length === 0) return [];
      const bindings: Record<string, string> = { now: now.toISOString() };
      buckets.forEach((b, i) => (bindings[`key${i}`] = b.key));
      const ctes = buckets.map((b, i) => `b${i} AS (${countInWindowSql(`:key${i}`, ':now', b.window)})`);
      const columns = buckets.map((_, i) => `(SELECT count FROM b${i}) AS c${i}`);
      const { rows } = await db.raw<{ rows: Record<string, number>[] }>(
        `WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true) AS sc), ${ctes.join(', ')}
         SELECT ${columns.join(', ')} FROM relaxed`,
        bindings,
      );
      return buckets.map((_, i) => rows[0]![`c${i}`]!);
    },
  };
}

export type RateWindowsRepo = ReturnType<typeof createRateWindowsRepo>;
