import type { Knex } from 'knex';

// Outbox of access notifications: one row per (citizen, log entry, channel), written by the portal's
// notifier as entries are sequenced, delivered by a pluggable adapter (e-mail outbox, signed webhook)
// with retries. An entry under embargo is held until its embargo ends (next_attempt_at).
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE notification_event (
      id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      subject_key      text NOT NULL,
      log_idx          bigint NOT NULL,
      channel          text NOT NULL CHECK (channel IN ('email', 'webhook')),
      target           text NOT NULL,
      language         text NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'ja')),
      payload          jsonb NOT NULL,
      status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
      attempts         integer NOT NULL DEFAULT 0,
      next_attempt_at  timestamptz NOT NULL,
      last_error       text,
      created_at       timestamptz NOT NULL DEFAULT now(),
      delivered_at     timestamptz,
      UNIQUE (subject_key, log_idx, channel)
    )`);
  await knex.raw(
    `CREATE INDEX notification_event_due ON notification_event (next_attempt_at) WHERE status = 'pending'`,
  );
  await knex.raw(`CREATE INDEX notification_event_subject ON notification_event (subject_key, id DESC)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE notification_event');
}
