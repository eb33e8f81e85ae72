import type { Knex } from 'knex';

// Signed checkpoints (C2SP signed note) as published, witness cosignature lines included.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE checkpoint (
      id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      size        bigint NOT NULL CHECK (size >= 0),
      root        bytea NOT NULL CHECK (octet_length(root) = 32),
      note        text NOT NULL,
      cosigned_by text[] NOT NULL DEFAULT '{}',
      created_at  timestamptz NOT NULL DEFAULT clock_timestamp()
    )`);
  await knex.raw('CREATE INDEX checkpoint_size ON checkpoint (size)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE checkpoint');
}
