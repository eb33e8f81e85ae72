import type { Knex } from 'knex';

// Monthly partitions of audit_entry so that retention can drop a whole month of entry bodies (the
// openings) while log_leaf keeps every leaf, and proofs of other entries keep verifying. A partitioned
// table's keys must include the partition column, so log_leaf no longer has a foreign key to it (the
// sequencer writes both in one transaction; the database verifier checks the pairing), and entry ids
// come from a sequence. A default partition catches rows no monthly partition covers yet.
const COLUMNS = `entry_id, request_id, subject_key, outcome, reason_code, requester_org, client_id, clerk_ref,
  purpose_code, legal_basis, consent_id, consent_mode, record_type, body, digest, created_at, embargo_until`;

// Every column but the id, as both the partitioned table (up) and the plain one (down) declare them.
const ENTRY_COLUMNS = `request_id     text NOT NULL,
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
      embargo_until  timestamptz`;

async function roleExists(knex: Knex, role: string): Promise<boolean> {
  const { rows } = await knex.raw<{ rows: unknown[] }>('SELECT 1 FROM pg_roles WHERE rolname = ?', [role]);
  return rows.length > 0;
}

async function guard(knex: Knex, table: string): Promise<void> {
  await knex.raw(`CREATE TRIGGER ${table}_no_change BEFORE UPDATE OR DELETE ON ${table}
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`);
  await knex.raw(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`);
}

async function grant(knex: Knex, sequence: string | null): Promise<void> {
  await knex.raw('REVOKE UPDATE, DELETE, TRUNCATE ON audit_entry FROM PUBLIC');
  for (const role of ['juc_app', 'juc_sequencer']) {
    if (!(await roleExists(knex, role))) continue;
    await knex.raw(`REVOKE ALL ON audit_entry FROM ${role}`);
    await knex.raw(`GRANT SELECT, INSERT ON audit_entry TO ${role}`);
    if (sequence) await knex.raw(`GRANT USAGE ON SEQUENCE ${sequence} TO ${role}`);
  }
}

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE log_leaf DROP CONSTRAINT IF EXISTS log_leaf_entry_id_fkey');
  await knex.raw('ALTER TABLE audit_entry RENAME TO audit_entry_unpartitioned');
  await knex.raw('ALTER INDEX audit_entry_pkey RENAME TO audit_entry_unpartitioned_pkey');
  await knex.raw('ALTER INDEX audit_entry_org_created RENAME TO audit_entry_unpartitioned_org_created');
  await knex.raw('CREATE SEQUENCE audit_entry_id_seq AS bigint');
  await knex.raw(`
    CREATE TABLE audit_entry (
      entry_id       bigint NOT NULL DEFAULT nextval('audit_entry_id_seq'),
      ${ENTRY_COLUMNS},
      PRIMARY KEY (entry_id, created_at)
    ) PARTITION BY RANGE (created_at)`);
  await knex.raw('ALTER SEQUENCE audit_entry_id_seq OWNED BY audit_entry.entry_id');
  await knex.raw('CREATE TABLE audit_entry_default PARTITION OF audit_entry DEFAULT');
  // Months from the oldest existing entry (or now) through three months ahead.
  await knex.raw(`
    DO $$
    DECLARE
      m date := date_trunc('month', least(coalesce((SELECT min(created_at) FROM audit_entry_unpartitioned), now()), now()))::date;
      last date := (date_trunc('month', now()) + interval '3 months')::date;
    BEGIN
      WHILE m <= last LOOP
        EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF audit_entry FOR VALUES FROM (%L) TO (%L)',
          'audit_entry_p' || to_char(m, 'YYYYMM'), m::timestamptz, (m + interval '1 month')::timestamptz);
        m := (m + interval '1 month')::date;
      END LOOP;
    END $$`);
  await knex.raw(`INSERT INTO audit_entry (${COLUMNS}) SELECT ${COLUMNS} FROM audit_entry_unpartitioned`);
  await knex.raw(
    `SELECT setval('audit_entry_id_seq', coalesce((SELECT max(entry_id) FROM audit_entry_unpartitioned), 0) + 1, false)`,
  );
  await knex.raw('DROP TABLE audit_entry_unpartitioned');
  await knex.raw('CREATE INDEX audit_entry_org_created ON audit_entry (requester_org, created_at)');
  await knex.raw('CREATE INDEX audit_entry_entry_id ON audit_entry (entry_id)');
  await guard(knex, 'audit_entry');
  await grant(knex, 'audit_entry_id_seq');
  await knex.raw(`
    CREATE TABLE audit_retention (
      partition       text PRIMARY KEY,
      range_from      timestamptz NOT NULL,
      range_to        timestamptz NOT NULL,
      first_entry_id  bigint,
      last_entry_id   bigint,
      entries         bigint NOT NULL,
      dropped_at      timestamptz NOT NULL DEFAULT now()
    )`);
  await guard(knex, 'audit_retention');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE audit_retention');
  await knex.raw('ALTER TABLE audit_entry RENAME TO audit_entry_partitioned');
  await knex.raw(`
    CREATE TABLE audit_entry (
      entry_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      ${ENTRY_COLUMNS}
    )`);
  await knex.raw(
    `INSERT INTO audit_entry (${COLUMNS}) OVERRIDING SYSTEM VALUE SELECT ${COLUMNS} FROM audit_entry_partitioned`,
  );
  await knex.raw(
    `SELECT setval(pg_get_serial_sequence('audit_entry', 'entry_id'), coalesce((SELECT max(entry_id) FROM audit_entry), 0) + 1, false)`,
  );
  await knex.raw('DROP TABLE audit_entry_partitioned');
  await knex.raw('CREATE INDEX audit_entry_org_created ON audit_entry (requester_org, created_at)');
  await guard(knex, 'audit_entry');
  await grant(knex, null);
  // Entries whose bodies retention dropped have leaves but no entry: the key can only return when none did.
  await knex.raw(`
    DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM log_leaf l WHERE NOT EXISTS (SELECT 1 FROM audit_entry e WHERE e.entry_id = l.entry_id)) THEN
        ALTER TABLE log_leaf ADD CONSTRAINT log_leaf_entry_id_fkey FOREIGN KEY (entry_id) REFERENCES audit_entry (entry_id);
      END IF;
    END $$`);
}
