import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('clerk', (t) => {
    t.text('id').primary();
    t.text('org_id').notNullable().references('organisation.id');
    t.text('idp_issuer').notNullable();
    t.text('idp_sub').notNullable();
    t.text('name').notNullable();
    t.text('status').notNullable().defaultTo('active').checkIn(['active', 'suspended'], 'clerk_status_check');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['idp_issuer', 'idp_sub']);
    t.index(['org_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('clerk');
}
