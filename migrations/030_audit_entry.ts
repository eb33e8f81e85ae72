import type { Knex } from 'knex';

// The durable body of every access (DESIGN §9). `body` holds the RFC 8785 canonical JSON exactly as it
// was hashed for the receipt; the other columns are copies for filtering. No national ID: the subject is
// the HMAC subject key. Not partitioned by month yet. Citizens read through subject_index, so the only
// extra index is the one the auditor view needs; every index is paid on the append path.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE audit_entry (
      entry_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      request_id     text NOT NULL,
      subject_key    text NOT NULL CHECK (subject_key ~ '^[0-9a-f]{64}$'),
      outcome        text NOT NULL CHECK (outcome IN ('released', 'denied', 'provider_error')),
      reason_code    text,
      requester_org  text NOT NULL,
      client_id      text,
      clerk_ref      text,
      purpose_code   text NOT NULL,
      legal_basis    text,
      consent_id     text,
      consent_mode   text CHECK (consent_mode IN ('citizen', 'attested', 'statutory')),
      record_type    text NOT NULL,
      body           text NOT NULL,
      digest         bytea NOT NULL CHECK (octet_length(digest) = 32),
      created_at     timestamptz NOT NULL,
      embargo_until  timestamptz
    )`);
  await knex.raw(`CREATE INDEX audit_entry_org_created ON audit_entry (requester_org, created_at)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE audit_entry');
}
