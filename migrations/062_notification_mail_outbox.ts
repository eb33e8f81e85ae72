import type { Knex } from 'knex';

// What the e-mail adapter writes: a rendered message per notification. There is no SMTP relay in this
// project; a mail relay (or an operator's script) would send the unsent rows and set sent_at.
export async function up(knex: Knex): Promise<void> {
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
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE notification_mail_outbox');
}
