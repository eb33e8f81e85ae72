/** knex only: the monthly partitions of audit_entry and the record of dropped months (audit_retention). */
import type { Database } from '../db/unit-of-work.js';

export interface DroppedMonth {
  partition: string;
  entries: number;
}

export interface PartitionsRepo {
  exists(name: string): Promise<boolean>;
  /** Creates the partition for [from, to); false when rows of that month already sit in the default partition. */
  create(name: string, from: Date, to: Date): Promise<boolean>;
  /** Names of audit_entry's partitions, in order. */
  list(): Promise<string[]>;
  /** Whether an entry of the partition still waits for the sequencer. */
  hasQueued(name: string): Promise<boolean>;
  /** Records the month's id range and count, then detaches and drops it, in one transaction. */
  drop(name: string, from: Date, to: Date): Promise<DroppedMonth>;
}

export function createPartitionsRepo(db: Database): PartitionsRepo {
  return {
    async exists(name) {
      const found = await db.raw<{ rows: unknown[] }>('SELECT 1 FROM pg_class WHERE relname = ?', [name]);
      return found.rows.length > 0;
    },
    async create(name, from, to) {
      try {
        // DDL takes no bind parameters; the name and bounds are our own, not input.
        await db.raw(
          `CREATE TABLE ${name} PARTITION OF audit_entry FOR VALUES FROM ('${from.toISOString()}') TO ('${to.toISOString()}')`,
        );
        return true;
      } catch (err) {
        if ((err as { code?: string }).code !== '23514') throw err;
        return false;
      }
    },
    async list() {
      const { rows } = await db.raw<{ rows: { name: string }[] }>(
        `SELECT c.relname AS name FROM pg_inherits i
           JOIN pg_class c ON c.oid = i.inhrelid
           JOIN pg_class p ON p.oid = i.inhparent
          WHERE p.relname = 'audit_entry' ORDER BY c.relname`,
      );
      return rows.map((r) => r.name);
    },
    async hasQueued(name) {
      const waiting = await db.raw<{ rows: unknown[] }>(
        `SELECT 1 FROM ${name} e JOIN audit_queue q ON q.entry_id = e.entry_id LIMIT 1`,
      );
      return waiting.rows.length > 0;
    },
    drop(name, from, to) {
      return db.transaction(async (trx) => {
        const stats = (
          await trx.raw<{ rows: { first: number | null; last: number | null; n: number }[] }>(
            `SELECT min(entry_id) AS first, max(entry_id) AS last, count(*)::bigint AS n FROM ${name}`,
          )
        ).rows[0]!;
        await trx('audit_retention').insert({
          partition: name,
          range_from: from,
          range_to: to,
          first_entry_id: stats.first,
          last_entry_id: stats.last,
          entries: stats.n,
        });
        await trx.raw(`ALTER TABLE audit_entry DETACH PARTITION ${name}`);
        await trx.raw(`DROP TABLE ${name}`);
        return { partition: name, entries: Number(stats.n) };
      });
    },
  };
}
