import type { Knex } from 'knex';

// Korea's Resident Registration Act lets a victim of domestic violence bar a named person from viewing
// or obtaining their record. An order bars one party from one citizen's records: a person (by the
// subject key of their national ID, never the ID itself), an organisation, or one clerk. The citizen
// registers it in the portal, or an administrator on a court order (whose reference is then required).
// Withdrawn orders are kept, so the citizen's list and an auditor can see what was in force when.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE protection_order (
      id               uuid PRIMARY KEY,
      subject_key      text NOT NULL CHECK (subject_key ~ '^[0-9a-f]{64}$'),
      party_kind       text NOT NULL CHECK (party_kind IN ('person', 'organisation', 'clerk')),
      party_ref        text NOT NULL CHECK (length(party_ref) BETWEEN 1 AND 100),
      party_label      text CHECK (party_label IS NULL OR length(party_label) <= 100),
      registered_by    text NOT NULL CHECK (registered_by IN ('citizen', 'admin')),
      registrar        text NOT NULL CHECK (length(registrar) BETWEEN 1 AND 200),
      court_order_ref  text CHECK (court_order_ref IS NULL OR length(court_order_ref) BETWEEN 1 AND 100),
      created_at       timestamptz NOT NULL,
      withdrawn_at     timestamptz,
      withdrawn_by     text,
      CHECK (party_kind <> 'person' OR party_ref ~ '^[0-9a-f]{64}$'),
      CHECK (registered_by <> 'admin' OR court_order_ref IS NOT NULL),
      CHECK ((withdrawn_at IS NULL) = (withdrawn_by IS NULL))
    )`);
  await knex.raw(`
    CREATE INDEX protection_order_in_force ON protection_order (subject_key, party_kind, party_ref)
      WHERE withdrawn_at IS NULL`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE protection_order');
}
