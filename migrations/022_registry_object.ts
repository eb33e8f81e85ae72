import type { Knex } from 'knex';

/**
 * Reference registry: objects (parcels, vehicles, ships, IP rights) by identifier, each owned by
 * a person or a corporation. Object records are generated from the owner, so the owner's address
 * and name agree across the land ledger, the vehicle register and the resident abstract.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('registry_object', (t) => {
    t.text('scheme').notNullable();
    t.text('identifier').notNullable();
    t.text('owner_kind').notNullable().checkIn(['person', 'corporation'], 'registry_object_owner_kind_check');
    t.bigInteger('owner_idx').notNullable();
    t.primary(['scheme', 'identifier']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('registry_object');
}
