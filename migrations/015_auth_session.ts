import type { Knex } from 'knex';

// Browser sessions (DESIGN §7): the cookie holds a random token, the table only its SHA-256, so a
// database read does not hand out live sessions. Idle and absolute timeouts are both enforced.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('auth_session', (t) => {
    t.text('id_hash').primary();
    t.jsonb('principal').notNullable();
    t.text('csrf_secret').notNullable();
    t.text('idp_issuer').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('idle_expires_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.index(['expires_at']);
    t.index(['idle_expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('auth_session');
}
