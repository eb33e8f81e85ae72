/**
 * A data-modifying statement another domain's write is conditional on, so both commit in ONE
 * statement (one round trip, one implicit transaction). Its SQL must be a single statement with
 * `?` bind parameters that RETURNs at least one row when the condition holds; the caller's write then
 * happens only if it did, and neither happens otherwise.
 */
export interface StatementGuard {
  readonly sql: string;
  readonly bindings: readonly unknown[];
}
