import type { Knex } from 'knex';

// A representative acts for a principal under a grant: a guardian for a minor or an adult under
// guardianship, a company's authorised agent, or a citizen's own delegation. Both parties are keyed by
// subject key (HMAC of the identifier); the names are the ones the evidence gives, shown on the consent
// screen ("on behalf of …") and recorded in the consent's events. Whether the principal may revoke the
// grant follows from its kind (a minor cannot revoke a guardian's grant); revoked grants are kept.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE representative_grant (
      id                  uuid PRIMARY KEY,
      kind                text NOT NULL
                          CHECK (kind IN ('guardian_minor', 'guardian_adult', 'agent', 'delegation')),
      representative_key  text NOT NULL CHECK (representative_key ~ '^[0-9a-f]{64}$'),
      representative_name text NOT NULL CHECK (length(representative_name) BETWEEN 1 AND 100),
      principal_key       text NOT NULL CHECK (principal_key ~ '^[0-9a-f]{64}$'),
      principal_name      text NOT NULL CHECK (length(principal_name) BETWEEN 1 AND 100),
      record_types        text[] NOT NULL CHECK (cardinality(record_types) BETWEEN 1 AND 50),
      valid_until         timestamptz NOT NULL,
      evidence_kind       text NOT NULL CHECK (evidence_kind IN
                            ('court_decision', 'family_relation', 'power_of_attorney', 'own_delegation')),
      evidence_ref        text NOT NULL CHECK (length(evidence_ref) BETWEEN 1 AND 100),
      registered_by       text NOT NULL CHECK (registered_by IN ('citizen', 'admin')),
      registrar           text NOT NULL CHECK (length(registrar) BETWEEN 1 AND 200),
      created_at          timestamptz NOT NULL,
      revoked_at          timestamptz,
      revoked_by          text,
      CHECK (representative_key <> principal_key),
      CHECK (valid_until > created_at),
      CHECK ((kind = 'delegation') = (evidence_kind = 'own_delegation')),
      CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
    )`);
  await knex.raw(`
    CREATE INDEX representative_grant_by_pair ON representative_grant (representative_key, principal_key)
      WHERE revoked_at IS NULL`);
  await knex.raw(`
    CREATE INDEX representative_grant_by_principal ON representative_grant (principal_key, created_at)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE representative_grant');
}
