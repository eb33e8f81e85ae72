import type { Knex } from 'knex';

// DPoP proof ids seen, per key thumbprint, until the proof could no longer be accepted anyway.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('dpop_replay', (t) => {
    t.text('jkt').notNullable();
    t.text('jti').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.primary(['jkt', 'jti']);
    t.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('dpop_replay');
}
