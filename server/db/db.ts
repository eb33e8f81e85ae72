/** knex factory and PostgreSQL error mapping. */
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';

// int8 (counts, log indices) as numbers: our values stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export interface DbOptions {
  url: string;
  poolMax: number;
  statementTimeoutMs: number;
  applicationName?: string;
}

export function createDb(options: DbOptions): Knex {
  return knexFactory({
    client: 'pg',
    connection: {
      connectionString: options.url,
      application_name: options.applicationName ?? 'joint-use-center',
      statement_timeout: options.statementTimeoutMs,
      // No JIT: every statement here is short, but a stale row estimate (audit_queue after a burst,
      // say) can lift a plan's cost past jit_above_cost, and compiling it then takes ~1.4 s per
      // execution (seen in `npm run bench`: history pages at 14 s). Compilation never pays off here.
      options: '-c jit=off',
      idle_in_transaction_session_timeout: options.statementTimeoutMs * 2,
      connectionTimeoutMillis: 5000,
    } as Knex.PgConnectionConfig,
    pool: { min: 0, max: options.poolMax, idleTimeoutMillis: 30000 },
    acquireConnectionTimeout: 10000,
  });
}

export interface PoolStats {
  used: number;
  free: number;
  pending: number;
  max: number;
}

export function poolStats(db: Knex): PoolStats {
  const pool = db.client.pool as
    { numUsed(): number; numFree(): number; numPendingAcquires(): number; max: number } | undefined;
  if (!pool) return { used: 0, free: 0, pending: 0, max: 0 };
  return { used: pool.numUsed(), free: pool.numFree(), pending: pool.numPendingAcquires(), max: pool.max };
}

/**
 * node-postgres reports a connection lost mid-query (a server crash) as a plain Error without a
 * code; knex prefixes the SQL to its message.
 */
const LOST_CONNECTION =
  /(Connection terminated unexpectedly|Connection terminated|Client has encountered a connection error and is not queryable|Client was closed and is not queryable)$/;

/** Errors that mean "the database is not there" rather than "the query is wrong". */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; name?: string; message?: unknown } | null;
  if (!e) return false;
  if (e.name === 'KnexTimeoutError') return true;
  const code = e.code ?? '';
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03'].includes(code) ||
    code.startsWith('08') ||
    (code === '' && typeof e.message === 'string' && LOST_CONNECTION.test(e.message))
  );
}
