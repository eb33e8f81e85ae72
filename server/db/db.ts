/** knex factory and PostgreSQL error mapping. */
import cluster from 'node:cluster';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';

// int8 (counts, log indices) as numbers: our values stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export interface DbOptions {
  url: string;
  poolMax: number;
  statementTimeoutMs: number;
  /** pg_stat_activity's application_name; the gateway's own by default (see gatewayApplicationName). */
  applicationName?: string;
  /** How long a connection may sit idle in the pool before it is closed (30 s by default). */
  poolIdleMs?: number;
}

/**
 * The gateway's connections name the process they belong to, `joint-use-center/worker-<n>/<pid>`
 * under node:cluster (`…/main/<pid>` otherwise), so that an operator (and reliability check L4)
 * can count each process's connections against its pool bound and tell them from other clients'.
 * PostgreSQL keeps 63 bytes of it.
 */
export function gatewayApplicationName(): string {
  const role = cluster.isWorker && cluster.worker ? `worker-${cluster.worker.id}` : 'main';
  return `joint-use-center/${role}/${process.pid}`;
}

export function createDb(options: DbOptions): Knex {
  return knexFactory({
    client: 'pg',
    connection: {
      connectionString: options.url,
      application_name: options.applicationName ?? gatewayApplicationName(),
      statement_timeout: options.statementTimeoutMs,
      // No JIT: every statement here is short, but a stale row estimate (audit_queue after a burst,
      // say) can lift a plan's cost past jit_above_cost, and compiling it then takes ~1.4 s per
      // execution (seen in `npm run bench`: history pages at 14 s). Compilation never pays off here.
      options: '-c jit=off',
      idle_in_transaction_session_timeout: options.statementTimeoutMs * 2,
      connectionTimeoutMillis: 5000,
    } as Knex.PgConnectionConfig,
    pool: { min: 0, max: options.poolMax, idleTimeoutMillis: options.poolIdleMs ?? 30_000 },
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

/**
 * Errors that mean "the database is not there" rather than "the query is wrong". 25006
 * (read_only_sql_transaction) is a connection that reached a node which is not, or no longer, the
 * leader: during a failover, before HAProxy's health check moves the write front (deploy/ha).
 */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; name?: string; message?: unknown } | null;
  if (!e) return false;
  if (e.name === 'KnexTimeoutError') return true;
  const code = e.code ?? '';
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '25006'].includes(code) ||
    code.startsWith('08') ||
    (code === '' && typeof e.message === 'string' && LOST_CONNECTION.test(e.message))
  );
}
