import type { Knex } from 'knex';

// Work for the sequencer: a row per committed, not yet sequenced entry. The queue (not a high-water mark
// over entry_id, which commits out of order) drives sequencing, so late commits are never skipped.
// No foreign key: the row is written by the same statement as its entry, and the check would cost every
// append; the verifier reports entries that are neither queued nor sequenced.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE audit_queue (
      entry_id    bigint PRIMARY KEY,
      enqueued_at timestamptz NOT NULL DEFAULT clock_timestamp()
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE audit_queue');
}
