import type { Knex } from 'knex';

// Redirect URIs registered for an API client: where the citizen returns after deciding on a consent
// request. Exact match only. A client with none registered may use any https (or, outside production,
// loopback http) URI; see server/consents/consents.service.ts.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('api_client_redirect_uri', (t) => {
    t.text('client_id').notNullable().references('api_client.id').onDelete('CASCADE');
    t.text('uri').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['client_id', 'uri']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('api_client_redirect_uri');
}
