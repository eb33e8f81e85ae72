import type { Knex } from 'knex';

// Private per-citizen chain: each entry of a subject gets the next subject_seq and points at the log
// index of the previous one; both are inside the leaf commitment, so a citizen detects omitted entries.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE subject_index (
      subject_key text NOT NULL,
      subject_seq integer NOT NULL CHECK (subject_seq >= 1),
      idx         bigint NOT NULL UNIQUE REFERENCES log_leaf (idx),
      prev_idx    bigint REFERENCES log_leaf (idx),
      PRIMARY KEY (subject_key, subject_seq),
      CHECK ((subject_seq = 1) = (prev_idx IS NULL))
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE subject_index');
}
