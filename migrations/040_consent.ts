import type { Knex } from 'knex';

// The authoritative consent record (DESIGN §6, consent.md §7.2): a request (REQUESTED) becomes a grant
// (ACTIVE) or a refusal; every change of terms or state bumps `version` and recomputes `rec_hash`, the
// SHA-256 of the record's RFC 8785 canonical form that consent tokens carry. No national ID: the subject is
// the HMAC subject key, null until the approving citizen establishes it when the request named nobody.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE consent (
      id                  uuid PRIMARY KEY,
      version             integer NOT NULL DEFAULT 1 CHECK (version >= 1),
      schema_version      text NOT NULL DEFAULT '1',
      status              text NOT NULL CHECK (status IN
                            ('REQUESTED', 'ACTIVE', 'REJECTED', 'PAUSED', 'REVOKED', 'EXPIRED', 'EXHAUSTED')),
      status_reason       text,
      mode                text NOT NULL CHECK (mode IN ('citizen', 'attested', 'statutory')),
      subject_key         text CHECK (subject_key ~ '^[0-9a-f]{64}$'),
      subject_named       boolean NOT NULL,
      requester_org       text NOT NULL REFERENCES organisation(id),
      requester_class     text NOT NULL,
      client_id           text REFERENCES api_client(id),
      clerk_id            text,
      purpose_code        text NOT NULL REFERENCES purpose(code),
      legal_basis         text NOT NULL,
      record_types        text[] NOT NULL,
      fields_requested    jsonb NOT NULL,
      fields_granted      jsonb,
      data_range          jsonb,
      usage               jsonb NOT NULL,
      max_uses            integer NOT NULL CHECK (max_uses >= 1),
      use_count           integer NOT NULL DEFAULT 0 CHECK (use_count >= 0 AND use_count <= max_uses),
      last_used_at        timestamptz,
      data_life           jsonb,
      duration_days       integer NOT NULL CHECK (duration_days >= 0 AND duration_days <= 365),
      valid_from          timestamptz,
      valid_until         timestamptz,
      request_expires_at  timestamptz NOT NULL,
      redirect_uri        text,
      client_state        text,
      webhook_url         text,
      short_code          text UNIQUE,
      collection_method   text NOT NULL,
      document_reference  text,
      acr                 text,
      amr                 text[],
      auth_time           timestamptz,
      language            text,
      jurisdiction        text NOT NULL DEFAULT 'KR',
      rec_hash            text NOT NULL,
      created_at          timestamptz NOT NULL,
      updated_at          timestamptz NOT NULL,
      CHECK (status = 'REQUESTED' OR status = 'REJECTED' OR status = 'EXPIRED' OR subject_key IS NOT NULL),
      CHECK (client_id IS NOT NULL OR clerk_id IS NOT NULL)
    )`);
  await knex.raw(
    `CREATE INDEX consent_subject ON consent (subject_key, status) WHERE subject_key IS NOT NULL`,
  );
  await knex.raw(`CREATE INDEX consent_client ON consent (client_id) WHERE client_id IS NOT NULL`);
  await knex.raw(`CREATE INDEX consent_due ON consent (valid_until) WHERE status IN ('ACTIVE', 'PAUSED')`);
  await knex.raw(
    `CREATE INDEX consent_request_due ON consent (request_expires_at) WHERE status = 'REQUESTED'`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE consent');
}
