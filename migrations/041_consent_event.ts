import type { Knex } from 'knex';

// Lifecycle history of a consent (ISO/IEC TS 27560 Event: time, entity, type, state): what the citizen's
// view lists and what each webhook announces. Append-only by convention.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE consent_event (
      id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      consent_id  uuid NOT NULL REFERENCES consent(id) ON DELETE CASCADE,
      version     integer NOT NULL,
      at          timestamptz NOT NULL,
      type        text NOT NULL CHECK (type IN ('requested', 'approved', 'rejected', 'paused', 'resumed',
                    'revoked', 'expired', 'exhausted', 'attested', 'statutory')),
      state       text NOT NULL,
      actor       text NOT NULL,
      reason      text,
      detail      jsonb NOT NULL DEFAULT '{}'::jsonb
    )`);
  await knex.raw(`CREATE INDEX consent_event_consent ON consent_event (consent_id, id)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE consent_event');
}
