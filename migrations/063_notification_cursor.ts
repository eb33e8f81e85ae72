import type { Knex } from 'knex';

// The notifier's high-water mark in the log: every log index at or below `last_idx` has been looked at
// for notification preferences. One row; the notifier locks it (FOR UPDATE SKIP LOCKED), so one process
// at a time scans, whichever gateway it runs in.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE notification_cursor (
      id        boolean PRIMARY KEY DEFAULT true CHECK (id),
      last_idx  bigint NOT NULL DEFAULT -1
    )`);
  await knex.raw(`INSERT INTO notification_cursor (id, last_idx) VALUES (true, -1)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE notification_cursor');
}
