import type { Knex } from 'knex';

// Every administrative change, append-only: who did what to which object, and when.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('admin_event', (t) => {
    t.bigIncrements('id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('actor').notNullable();
    t.text('action').notNullable();
    t.text('target_kind').notNullable();
    t.text('target_id').notNullable();
    t.jsonb('detail').notNullable().defaultTo('{}');
    t.text('request_id');
    t.index(['target_kind', 'target_id']);
  });
  await knex.raw(`
    CREATE FUNCTION admin_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'admin_event is append-only';
    END $$;
    CREATE TRIGGER admin_event_no_change BEFORE UPDATE OR DELETE ON admin_event
      FOR EACH ROW EXECUTE FUNCTION admin_event_append_only();
    CREATE TRIGGER admin_event_no_truncate BEFORE TRUNCATE ON admin_event
      FOR EACH STATEMENT EXECUTE FUNCTION admin_event_append_only();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('admin_event');
  await knex.raw('DROP FUNCTION admin_event_append_only()');
}
