import type { Knex } from 'knex';

// Per-requester request budget (fixed one-minute windows) shared by every gateway process.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('rate_window', (t) => {
    t.text('requester').notNullable();
    t.timestamp('window_start', { useTz: true }).notNullable();
    t.integer('count').notNullable();
    t.primary(['requester', 'window_start']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('rate_window');
}
