import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('organisation', (t) => {
    t.text('id').primary();
    t.text('class')
      .notNullable()
      .checkIn(['agency', 'public-institution', 'bank'], 'organisation_class_check');
    t.jsonb('names').notNullable();
    t.text('status')
      .notNullable()
      .defaultTo('active')
      .checkIn(['active', 'suspended'], 'organisation_status_check');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('organisation');
}
