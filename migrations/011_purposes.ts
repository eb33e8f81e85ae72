import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('purpose', (t) => {
    t.text('code').primary();
    t.jsonb('names').notNullable();
    t.text('legal_basis').notNullable();
    t.text('consent_basis')
      .notNullable()
      .checkIn(['consent', 'statutory', 'consent-or-statutory'], 'purpose_consent_basis_check');
    t.specificType('record_types', 'text[]').notNullable();
    t.jsonb('bounds').notNullable();
    t.boolean('procedure').notNullable().defaultTo(false);
    t.text('status').notNullable().defaultTo('active').checkIn(['active', 'retired'], 'purpose_status_check');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('org_purpose', (t) => {
    t.text('org_id').notNullable().references('organisation.id').onDelete('CASCADE');
    t.text('purpose_code').notNullable().references('purpose.code');
    t.primary(['org_id', 'purpose_code']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('org_purpose');
  await knex.schema.dropTable('purpose');
}
