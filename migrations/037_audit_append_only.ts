import type { Knex } from 'knex';

// Insert-only audit tables: row triggers refuse UPDATE and DELETE, a statement trigger refuses TRUNCATE
// (which fires no row triggers). A superuser can still disable them; the signed checkpoints catch that.
const TABLES = ['audit_entry', 'log_leaf', 'subject_index', 'tree_node', 'tree_head', 'checkpoint'];

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
    END $$`);
  for (const table of TABLES) {
    await knex.raw(`CREATE TRIGGER ${table}_no_change BEFORE UPDATE OR DELETE ON ${table}
      FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`);
    await knex.raw(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
      FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of TABLES) {
    await knex.raw(`DROP TRIGGER ${table}_no_truncate ON ${table}`);
    await knex.raw(`DROP TRIGGER ${table}_no_change ON ${table}`);
  }
  await knex.raw('DROP FUNCTION audit_refuse_change()');
}
