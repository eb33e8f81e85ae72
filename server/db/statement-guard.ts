/**
 * A data-modifying statement another domain's write is conditional on, so both commit in ONE
 * statement (one round trip, one implicit transaction). Its SQL must be a single statement with
 * `?` bind parameters that RETURNs at least one row when the condition holds; the caller's write then
 * happens only if it did, and neither happens otherwise.
 */
export interface StatementGuard {
  readonly sql: string;
  readonly bindings: readonly unknown[];
  /**
   * More data-modifying CTEs (`name AS (...)`, comma-separated) written with the guard's own write
   * and reading its rows from `guard`, so they too happen only if it matched; their `?` parameters
   * follow the guard's. PostgreSQL allows data-modifying CTEs only at the top level, hence not inside
   * `sql`.
   */
  readonly alongside?: { readonly sql: string; readonly bindings: readonly unknown[] };
}
