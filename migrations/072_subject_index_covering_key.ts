import type { Knex } from 'knex';

// A citizen's history page walks subject_index by (subject_key, subject_seq) and needs each entry's
// log index and chain link. The entries of one subject were written months apart, so through the
// plain key every one of them is a heap page of its own, read from disk on a cold cache (about 20 of
// the ~100 random reads of a 20-entry page at 10 M entries, `npm run bench`, scenario d). Carrying
// idx and prev_idx in the key's index makes the walk an index-only scan of one or two pages; the
// sequencer's head-of-chain lookup reads the same index. The key itself is unchanged.
export async function up(knex: Knex): Promise<void> {
  // Rebuilds the index in one pass: longer than the service's statement timeout on a large log.
  await knex.raw('SET LOCAL statement_timeout = 0');
  await knex.raw(`
    ALTER TABLE subject_index
      DROP CONSTRAINT subject_index_pkey,
      ADD CONSTRAINT subject_index_pkey PRIMARY KEY (subject_key, subject_seq) INCLUDE (idx, prev_idx)`);
  // Insert-only: keep the visibility map current, as for tree_node (071), or the scan is not index-only.
  await knex.raw(
    'ALTER TABLE subject_index SET (autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 50000)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(
    'ALTER TABLE subject_index RESET (autovacuum_vacuum_insert_scale_factor, autovacuum_vacuum_insert_threshold)',
  );
  await knex.raw(`
    ALTER TABLE subject_index
      DROP CONSTRAINT subject_index_pkey,
      ADD CONSTRAINT subject_index_pkey PRIMARY KEY (subject_key, subject_seq)`);
}
