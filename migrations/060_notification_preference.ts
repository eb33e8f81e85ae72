import type { Knex } from 'knex';

// How a citizen wants to hear about each access to their records (portal, "Notifications"): by e-mail,
// by a webhook, or both. Keyed by the subject key (HMAC of the national ID, never the ID itself). Only
// accesses placed in the log at or after `from_idx` (the log size when notifications were switched on)
// are notified, so switching on does not replay the whole history.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE notification_preference (
      subject_key  text PRIMARY KEY CHECK (subject_key ~ '^[0-9a-f]{64}$'),
      email        text CHECK (email IS NULL OR length(email) <= 254),
      webhook_url  text CHECK (webhook_url IS NULL OR length(webhook_url) <= 2000),
      language     text NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'ja')),
      from_idx     bigint NOT NULL DEFAULT 0 CHECK (from_idx >= 0),
      created_at   timestamptz NOT NULL DEFAULT now(),
      updated_at   timestamptz NOT NULL DEFAULT now(),
      CHECK (email IS NOT NULL OR webhook_url IS NOT NULL)
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE notification_preference');
}
