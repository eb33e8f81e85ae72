import type { Knex } from 'knex';

// A sealed answer does not compress (ciphertext), so under the default EXTENDED storage every answer
// over ~2 KB went out of line into the TOAST table: a second heap row and index entry per query, which
// bench/at-rest.ts measured at +1–3 ms per stored query against clear jsonb (which compresses and
// stayed inline). MAIN keeps it in the row unless the row cannot fit a page (a many-record answer).
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE query_idempotency ALTER COLUMN response_sealed SET STORAGE MAIN');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE query_idempotency ALTER COLUMN response_sealed SET STORAGE EXTENDED');
}
