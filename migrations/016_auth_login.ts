import type { Knex } from 'knex';

// Sign-ins in progress: PKCE verifier, state and nonce, keyed by the SHA-256 of a short-lived
// browser-binding cookie, consumed exactly once by the callback.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('auth_login', (t) => {
    t.text('binding_hash').primary();
    t.text('state').notNullable();
    t.text('nonce').notNullable();
    t.text('code_verifier').notNullable();
    t.text('kind').notNullable().checkIn(['citizen', 'clerk', 'staff'], 'auth_login_kind_check');
    t.text('return_to').notNullable();
    t.text('redirect_uri').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('auth_login');
}
