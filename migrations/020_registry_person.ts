import type { Knex } from 'knex';

/*
 * Reference registry (demo and benchmarks only, DESIGN §6): synthetic persons. Records are not
 * stored; the registry regenerates them from (seed, idx) and the overrides in `profile`. The
 * registry is the holder, so it keeps the resident registration number; gateway tables never do.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('registry_person', (t) => {
    t.bigInteger('idx').primary();
    t.integer('seed').notNullable();
    t.specificType('rrn', 'char(13)').notNullable().unique();
    /** Business registration number of the person's sole-proprietor business. */
    t.specificType('brn', 'char(10)').notNullable().index();
    t.text('name').notNullable();
    t.date('birth_date').notNullable();
    t.text('sex').notNullable().checkIn(['male', 'female'], 'registry_person_sex_check');
    t.bigInteger('household').notNullable();
    /** Explicit values (demo citizens) that replace the generated ones. */
    t.jsonb('profile');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('registry_person');
}
