import type { Knex } from 'knex';

// The public log in index order: gap-free indices from 0, each the salted commitment of one entry.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE log_leaf (
      idx           bigint PRIMARY KEY CHECK (idx >= 0),
      entry_id      bigint NOT NULL UNIQUE REFERENCES audit_entry (entry_id),
      leaf_data     bytea NOT NULL CHECK (octet_length(leaf_data) = 32),
      leaf_hash     bytea NOT NULL CHECK (octet_length(leaf_hash) = 32),
      salt          bytea NOT NULL CHECK (octet_length(salt) = 32),
      integrated_at timestamptz NOT NULL DEFAULT clock_timestamp()
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE log_leaf');
}
