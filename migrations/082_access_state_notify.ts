import type { Knex } from 'knex';

// Issue 18: gateways cache clients, organisations, purposes and entitlements per process
// (server/db/state-cache.ts) and empty that cache when any of them changes. These triggers say so
// on channel juc_access_state when the change commits, whoever made it (admin API, CLI, SQL).
const TABLES = ['organisation', 'api_client', 'purpose', 'org_purpose'];

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION notify_access_state() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('juc_access_state', TG_TABLE_NAME);
      RETURN NULL;
    END $$`);
  for (const table of TABLES) {
    await knex.raw(`
      CREATE TRIGGER ${table}_notify_access_state
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION notify_access_state()`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of TABLES) await knex.raw(`DROP TRIGGER ${table}_notify_access_state ON ${table}`);
  await knex.raw('DROP FUNCTION notify_access_state()');
}
