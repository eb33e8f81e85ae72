/**
 * What the audit repos share: the knex handle they take (pool or transaction), the advisory lock keys,
 * and the conversions between pg values and bytes.
 */
import type { Knex } from 'knex';

export type Db = Knex | Knex.Transaction;

/** Advisory lock keys (arbitrary constants): leadership, batch fencing, checkpoint publishing. */
export const LOCK_SEQUENCER_LEADER = 0x6a75_6301;
export const LOCK_SEQUENCER_BATCH = 0x6a75_6302;
export const LOCK_CHECKPOINTER = 0x6a75_6303;

/** pg sends JS arrays as PostgreSQL arrays (nulls included); knex's binding types are narrower. */
export const arrays = (values: unknown[][]): Knex.RawBinding[] => values as unknown as Knex.RawBinding[];
export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const bytes = (b: Buffer): Uint8Array => new Uint8Array(b);
