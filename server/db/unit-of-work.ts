/**
 * The one way to spell a transaction. Use cases and domain interfaces name `Transaction` and pass
 * it along without looking inside; only repos run statements on it (knex stays in *.repo.ts and
 * server/db/). `withTransaction` opens a unit of work on the database handle a module was given.
 */
import type { Knex } from 'knex';

/** A unit of work in progress. */
export type Transaction = Knex.Transaction;
/** The database handle composition gives a module: repos run on it or on a transaction. */
export type Database = Knex;
/** Where a repo statement runs: the database itself or an open transaction. */
export type Runner = Database | Transaction;
/** Runs `work` in a transaction that commits when it resolves and rolls back when it throws. */
export type UnitOfWork = <T>(work: (tx: Transaction) => Promise<T>) => Promise<T>;

export function withTransaction<T>(
  db: Database,
  work: (tx: Transaction) => Promise<T>,
  options?: { connection?: unknown },
): Promise<T> {
  return options?.connection === undefined ? db.transaction(work) : db.transaction(work, options);
}

/** A unit of work bound to one database handle, for use cases that take it as a port. */
export function unitOfWork(db: Database): UnitOfWork {
  return (work) => withTransaction(db, work);
}
