import type { Knex } from 'knex';

// One row per integrated size: root and the compact range (right border) the next batch extends.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE tree_head (
      size          bigint PRIMARY KEY CHECK (size >= 1),
      root          bytea NOT NULL CHECK (octet_length(root) = 32),
      compact_range bytea NOT NULL,
      created_at    timestamptz NOT NULL DEFAULT clock_timestamp()
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE tree_head');
}
