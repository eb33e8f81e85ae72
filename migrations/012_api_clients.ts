import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('api_client', (t) => {
    t.text('id').primary();
    t.text('org_id').notNullable().references('organisation.id');
    t.text('name').notNullable();
    t.jsonb('jwks').notNullable();
    t.boolean('dpop_required').notNullable().defaultTo(true);
    t.text('status')
      .notNullable()
      .defaultTo('active')
      .checkIn(['active', 'suspended'], 'api_client_status_check');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['org_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('api_client');
}
