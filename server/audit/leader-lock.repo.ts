/**
 * knex only: the sequencer's leadership, a session-level advisory lock held on one pooled connection
 * for as long as it leads; its batches run in transactions on that same connection.
 */
import { withTransaction, type Database, type Transaction } from '../db/unit-of-work.js';
import { LOCK_SEQUENCER_LEADER } from './audit-db.js';

interface PoolClient {
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<void>;
}

/** A connection taken from the pool for the lock. */
export interface LeaderConnection {
  /** Whether this connection now holds the leader lock. */
  tryLock(): Promise<boolean>;
  unlock(): Promise<void>;
  /** Runs `work` in a transaction on this connection. */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  release(): Promise<void>;
}

export async function acquireLeaderConnection(db: Database): Promise<LeaderConnection> {
  const client = db.client as unknown as PoolClient;
  const connection = await client.acquireConnection();
  return {
    async tryLock() {
      const got = await db
        .raw<{ rows: { ok: boolean }[] }>('SELECT pg_try_advisory_lock(?) AS ok', [LOCK_SEQUENCER_LEADER])
        .connection(connection);
      return got.rows[0]!.ok;
    },
    async unlock() {
      await db.raw('SELECT pg_advisory_unlock(?)', [LOCK_SEQUENCER_LEADER]).connection(connection);
    },
    transaction: (work) => withTransaction(db, work, { connection }),
    release: () => client.releaseConnection(connection),
  };
}
