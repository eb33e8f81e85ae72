import type { Knex } from 'knex';

// Every completed perfect subtree above the leaves (level >= 1; level 0 is log_leaf.leaf_hash): node
// (level, idx) covers leaves [idx * 2^level, (idx + 1) * 2^level). Proofs are O(log n) lookups here.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE tree_node (
      level smallint NOT NULL CHECK (level BETWEEN 1 AND 63),
      idx   bigint NOT NULL CHECK (idx >= 0),
      hash  bytea NOT NULL CHECK (octet_length(hash) = 32),
      PRIMARY KEY (level, idx)
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE tree_node');
}
