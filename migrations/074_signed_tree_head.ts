import type { Knex } from 'knex';

// Compare-and-swap guard of the signed tree head: before the checkpointer signs (origin, size, root) it
// claims that pair here. The primary key admits one root per size and log, so two checkpointers — two
// instances after a failover, a lagging replica, a forked tree_head — can never both sign a root for one
// size: the second insert finds the first row and its root, and the checkpointer refuses to sign.
// Append-only like the other audit tables (the function comes from migration 037).
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE signed_tree_head (
      origin     text NOT NULL,
      size       bigint NOT NULL CHECK (size >= 0),
      root       bytea NOT NULL CHECK (octet_length(root) = 32),
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      PRIMARY KEY (origin, size)
    )`);
  await knex.raw(`CREATE TRIGGER signed_tree_head_no_change BEFORE UPDATE OR DELETE ON signed_tree_head
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`);
  await knex.raw(`CREATE TRIGGER signed_tree_head_no_truncate BEFORE TRUNCATE ON signed_tree_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`);
  await knex.raw('REVOKE UPDATE, DELETE, TRUNCATE ON signed_tree_head FROM PUBLIC');
  await knex.raw('GRANT SELECT ON signed_tree_head TO juc_app');
  await knex.raw('GRANT SELECT, INSERT ON signed_tree_head TO juc_sequencer');
  // Checkpoints signed before this table existed claim their sizes now; a fork among them fails here.
  await knex.raw(`
    INSERT INTO signed_tree_head (origin, size, root, created_at)
    SELECT DISTINCT ON (origin, size, root) origin, size, root, created_at
      FROM (SELECT split_part(note, E'\n', 1) AS origin, size, root, created_at, id FROM checkpoint) c
     ORDER BY origin, size, root, id`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE signed_tree_head');
}
