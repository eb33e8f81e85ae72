/**
 * A statement run as a named prepared statement on one of knex's pooled connections. PostgreSQL
 * then plans it once per connection instead of on every call: for a join over the monthly audit
 * partitions planning costs more than executing (about 1.2 ms against 0.4 ms for a warm history
 * page). knex has no API for this; node-postgres prepares the name on first use on each connection
 * (and again on a new one after a reconnect). Outside transactions only.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';

interface PgClient {
  query(config: { name: string; text: string; values: readonly unknown[] }): Promise<{ rows: unknown[] }>;
}

/** `{ sql, bindings }` as knex's `toSQL().toNative()` gives them (numbered parameters: $1, $2, …). */
export async function preparedQuery<Row>(
  db: Knex,
  statement: { sql: string; bindings: readonly unknown[] },
): Promise<Row[]> {
  // The name follows the text: one name can never stand for two statements on a connection.
  const name = `juc_${createHash('sha256').update(statement.sql).digest('base64url').slice(0, 24)}`;
  const client = (await db.client.acquireConnection()) as PgClient;
  try {
    const { rows } = await client.query({ name, text: statement.sql, values: statement.bindings });
    return rows as Row[];
  } finally {
    await db.client.releaseConnection(client);
  }
}

/** Statement texts seen, with their `?` parameters numbered; bounded, though there are only a few shapes. */
const NUMBERED = new Map<string, { text: string; count: number }>();
const NUMBERED_MAX = 256;

/**
 * `sql` with knex's `?` parameters numbered `$1, $2, …`, as `db.raw(sql, bindings).toSQL().toNative()`
 * gives them, but worked out once per statement text rather than re-parsing a 3 KB statement per query
 * (knex's raw binding walk and renumbering were ~2 % of a query's gateway CPU). For raw statements whose
 * bindings are plain values: no `??` identifiers, no escaped `\?`, no knex builders among the values.
 */
export function numbered(
  sql: string,
  bindings: readonly unknown[],
): { sql: string; bindings: readonly unknown[] } {
  let entry = NUMBERED.get(sql);
  if (!entry) {
    if (/\?\?|\\\?/.test(sql)) throw new Error('numbered(): identifiers (??) and escaped \\? are knex-only');
    let count = 0;
    entry = { text: sql.replace(/\?/g, () => `$${++count}`), count };
    if (NUMBERED.size >= NUMBERED_MAX) NUMBERED.clear();
    NUMBERED.set(sql, entry);
  }
  if (entry.count !== bindings.length)
    throw new Error(`expected ${entry.count} bindings for the statement, got ${bindings.length}`);
  if (bindings.some((b) => b === undefined)) throw new Error('undefined binding in a prepared statement');
  return { sql: entry.text, bindings };
}
