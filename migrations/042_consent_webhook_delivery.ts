import type { Knex } from 'knex';

// Outbox of signed webhooks to requesters: written in the transaction that changes the consent, sent by
// a background task with retries and exponential backoff.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE consent_webhook_delivery (
      id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      consent_id       uuid NOT NULL REFERENCES consent(id) ON DELETE CASCADE,
      event_id         bigint NOT NULL REFERENCES consent_event(id) ON DELETE CASCADE,
      url              text NOT NULL,
      audience         text NOT NULL,
      payload          jsonb NOT NULL,
      status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
      attempts         integer NOT NULL DEFAULT 0,
      next_attempt_at  timestamptz NOT NULL,
      last_error       text,
      last_status      integer,
      created_at       timestamptz NOT NULL,
      delivered_at     timestamptz
    )`);
  await knex.raw(
    `CREATE INDEX consent_webhook_due ON consent_webhook_delivery (next_attempt_at) WHERE status = 'pending'`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE consent_webhook_delivery');
}
