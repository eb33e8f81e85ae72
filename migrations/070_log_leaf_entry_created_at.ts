import type { Knex } from 'knex';

// The entry's partition key next to its leaf. audit_entry is partitioned by month of created_at, so a
// join on entry_id alone probes every month's index (60 probes per entry with 5 years kept); with
// created_at in the join condition PostgreSQL prunes to the one partition at run time. Not part of
// the leaf's commitment: a locator, like entry_id. Rows whose entry body was dropped by retention
// keep NULL (there is nothing to join to).
export async function up(knex: Knex): Promise<void> {
  // One pass over the whole log: longer than the service's statement timeout on a large one.
  await knex.raw('SET LOCAL statement_timeout = 0');
  await knex.raw('ALTER TABLE log_leaf ADD COLUMN entry_created_at timestamptz');
  // log_leaf refuses UPDATE (037); this one-time fill of the new column is the schema owner's.
  await knex.raw('ALTER TABLE log_leaf DISABLE TRIGGER log_leaf_no_change');
  await knex.raw(`
    UPDATE log_leaf l SET entry_created_at = e.created_at
    FROM audit_entry e WHERE e.entry_id = l.entry_id`);
  await knex.raw('ALTER TABLE log_leaf ENABLE TRIGGER log_leaf_no_change');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE log_leaf DROP COLUMN entry_created_at');
}
