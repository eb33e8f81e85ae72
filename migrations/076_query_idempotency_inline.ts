import type { Knex } from 'knex';

// A sealed answer does not compress (ciphertext), so under the default EXTENDED storage every answer
// over ~2 KB goes out of line into the TOAST table: a second heap row and index entry per stored query.
// MAIN keeps it in the row unless the row cannot fit a page (a many-record answer). bench/at-rest.ts
// (AT_REST_STORAGE=extended for the old way) found the difference within its noise on a loaded 2-core
// machine once the answer's signed copy is realistic (random, so clear jsonb goes to TOAST as well).
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE query_idempotency ALTER COLUMN response_sealed SET STORAGE MAIN');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE query_idempotency ALTER COLUMN response_sealed SET STORAGE EXTENDED');
}
