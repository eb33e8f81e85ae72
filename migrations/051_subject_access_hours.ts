import type { Knex } from 'knex';

// Harvesting detection: which subjects each clerk or client touched in each hour, and how many.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('subject_access_hour', (t) => {
    t.text('requester').notNullable();
    t.timestamp('hour', { useTz: true }).notNullable();
    t.text('subject_key').notNullable();
    t.primary(['requester', 'hour', 'subject_key']);
  });
  await knex.schema.createTable('requester_hour', (t) => {
    t.text('requester').notNullable();
    t.timestamp('hour', { useTz: true }).notNullable();
    t.integer('distinct_subjects').notNullable();
    t.timestamp('flagged_at', { useTz: true });
    t.primary(['requester', 'hour']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('requester_hour');
  await knex.schema.dropTable('subject_access_hour');
}
