import type { Knex } from 'knex';

// PIPA arts. 23 and 24: what the citizen agreed to apart from the rest of the consent (sensitive
// information, unique identifiers), item by item, and who agreed (server/consents/separate-consent.ts).
// Null: no separate agreement; a query that would release such an item under it is refused.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE consent ADD COLUMN separate_agreement jsonb
      CHECK (separate_agreement IS NULL OR jsonb_typeof(separate_agreement) = 'object')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE consent DROP COLUMN separate_agreement');
}
