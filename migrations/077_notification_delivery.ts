import type { Knex } from 'knex';

// Notices are sent for real now (SMTP, signed webhooks), so the outbox row carries the delivery state:
// - `sending`: claimed by one gateway until `next_attempt_at` (a lease); a gateway that dies mid-send
//   leaves it to be claimed again once the lease has passed. One index serves both due and stale rows.
// - `dead`: given up after the last attempt, with `last_error` kept for operators (was `failed`).
// - `message_id`: the SMTP Message-ID, stable across retries, so a relay's log can be matched.
// The rendered-mail table goes: nothing ever read it, and it kept a second copy of each address and text.
// Korean is the first language of the service; a citizen who never chose one hears in Korean.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE notification_event DROP CONSTRAINT notification_event_status_check`);
  await knex.raw(`UPDATE notification_event SET status = 'dead' WHERE status = 'failed'`);
  await knex.raw(`
    ALTER TABLE notification_event
      ADD CONSTRAINT notification_event_status_check
        CHECK (status IN ('pending', 'sending', 'delivered', 'dead')),
      ADD COLUMN message_id text CHECK (message_id IS NULL OR length(message_id) <= 250)`);
  for (const table of ['notification_event', 'notification_preference']) {
    await knex.raw(`
      ALTER TABLE ${table}
        DROP CONSTRAINT ${table}_language_check,
        ADD CONSTRAINT ${table}_language_check CHECK (language IN ('ko', 'en', 'ja')),
        ALTER COLUMN language SET DEFAULT 'ko'`);
  }
  await knex.raw(`DROP INDEX notification_event_due`);
  await knex.raw(`
    CREATE INDEX notification_event_due ON notification_event (next_attempt_at)
      WHERE status IN ('pending', 'sending')`);
  await knex.raw(
    `CREATE INDEX notification_event_dead ON notification_event (channel) WHERE status = 'dead'`,
  );
  await knex.raw(`DROP TABLE notification_mail_outbox`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE notification_mail_outbox (
      id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      notification_event_id  bigint NOT NULL UNIQUE REFERENCES notification_event (id) ON DELETE CASCADE,
      to_address             text NOT NULL,
      subject                text NOT NULL,
      body_text              text NOT NULL,
      language               text NOT NULL,
      created_at             timestamptz NOT NULL DEFAULT now(),
      sent_at                timestamptz
    )`);
  await knex.raw(
    `CREATE INDEX notification_mail_unsent ON notification_mail_outbox (id) WHERE sent_at IS NULL`,
  );
  await knex.raw(`DROP INDEX notification_event_dead`);
  await knex.raw(`DROP INDEX notification_event_due`);
  await knex.raw(
    `CREATE INDEX notification_event_due ON notification_event (next_attempt_at) WHERE status = 'pending'`,
  );
  for (const table of ['notification_event', 'notification_preference']) {
    await knex.raw(`UPDATE ${table} SET language = 'en' WHERE language = 'ko'`);
    await knex.raw(`
      ALTER TABLE ${table}
        DROP CONSTRAINT ${table}_language_check,
        ADD CONSTRAINT ${table}_language_check CHECK (language IN ('en', 'ja')),
        ALTER COLUMN language SET DEFAULT 'en'`);
  }
  await knex.raw(`ALTER TABLE notification_event DROP CONSTRAINT notification_event_status_check`);
  await knex.raw(`UPDATE notification_event SET status = 'pending' WHERE status = 'sending'`);
  await knex.raw(`UPDATE notification_event SET status = 'failed' WHERE status = 'dead'`);
  await knex.raw(`
    ALTER TABLE notification_event
      DROP COLUMN message_id,
      ADD CONSTRAINT notification_event_status_check
        CHECK (status IN ('pending', 'delivered', 'failed'))`);
}
