import type { Knex } from 'knex';

// Envelope encryption at rest (docs/data-at-rest.md). `data_key` holds data keys only in wrapped form
// (`kw1.<kek kid>.<iv>.<sealed>`): each is sealed by a key-encryption key that stays in the key store,
// so the database alone opens nothing. Answers kept for Idempotency-Key replay are stored sealed by one of these keys
// (AES-256-GCM, associated data naming the row) instead of as clear JSON. The foreign key keeps a data
// key while a row still needs it. Answers stored in clear before this migration are deleted: they are
// at most QUERY_IDEMPOTENCY_TTL_S old, and a retry of one runs again as a new, audited query.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE data_key (
      id          uuid PRIMARY KEY,
      purpose     text NOT NULL,
      wrapped     text NOT NULL,
      created_at  timestamptz NOT NULL
    )`);
  await knex.raw(`CREATE INDEX data_key_purpose_created ON data_key (purpose, created_at)`);
  await knex.raw(`DELETE FROM query_idempotency WHERE status_code IS NOT NULL`);
  await knex.raw(`ALTER TABLE query_idempotency DROP COLUMN response`);
  await knex.raw(`ALTER TABLE query_idempotency
    ADD COLUMN data_key_id uuid REFERENCES data_key (id),
    ADD COLUMN response_sealed bytea,
    ADD CONSTRAINT query_idempotency_sealed
      CHECK (status_code IS NULL OR (data_key_id IS NOT NULL AND response_sealed IS NOT NULL))`);
  await knex.raw(
    `CREATE INDEX query_idempotency_data_key ON query_idempotency (data_key_id) WHERE data_key_id IS NOT NULL`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`DELETE FROM query_idempotency WHERE status_code IS NOT NULL`);
  await knex.raw(`ALTER TABLE query_idempotency
    DROP CONSTRAINT query_idempotency_sealed,
    DROP COLUMN response_sealed,
    DROP COLUMN data_key_id,
    ADD COLUMN response jsonb`);
  await knex.raw('DROP TABLE data_key');
}
