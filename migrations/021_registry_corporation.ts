import type { Knex } from 'knex';

/** Reference registry: synthetic corporations; their representative is a registry_person. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('registry_corporation', (t) => {
    t.bigInteger('idx').primary();
    t.integer('seed').notNullable();
    t.specificType('brn', 'char(10)').notNullable().unique();
    t.specificType('crn', 'char(13)').notNullable().unique();
    t.text('trade_name').notNullable();
    t.bigInteger('representative_idx').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('registry_corporation');
}
