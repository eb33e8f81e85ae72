import type { Knex } from 'knex';

// A first, small table so the migration chain and /readyz have something real to check.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('service_meta', (t) => {
    t.text('key').primary();
    t.jsonb('value').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('service_meta');
}
