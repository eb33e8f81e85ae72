import type { Knex } from 'knex';

// A retried query (same Idempotency-Key) gets the first answer back instead of a second release.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('query_idempotency', (t) => {
    t.text('requester').notNullable();
    t.text('key').notNullable();
    t.text('request_hash').notNullable();
    t.integer('status_code');
    t.jsonb('response');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.primary(['requester', 'key']);
    t.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('query_idempotency');
}
