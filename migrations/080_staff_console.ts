import type { Knex } from 'knex';

// The staff consoles (server/staff/). staff_access_log: every read an auditor or administrator makes of the
// access log (entries, anomaly flags, exports), with the filters used and how many entries came back: who
// watches the watchers. It is a separate log, not entries in audit_entry, because audit_entry holds accesses
// to a citizen's records and its rows are shown to that citizen; an auditor's review is not such an access.
// anomaly_case: the auditor's case on an anomaly flag (a flag is computed, not stored: it is named by its
// kind, requester and window start), with a status and a note; each change is also written to the log.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE staff_access_log (
      id          bigserial PRIMARY KEY,
      at          timestamptz NOT NULL DEFAULT now(),
      actor       text NOT NULL CHECK (length(actor) BETWEEN 1 AND 200),
      action      text NOT NULL CHECK (action IN ('entries.read', 'entries.export', 'anomalies.read', 'case.read', 'case.updated')),
      detail      jsonb NOT NULL DEFAULT '{}'::jsonb,
      result_count integer,
      request_id  text
    );
    CREATE INDEX staff_access_log_at ON staff_access_log (at DESC);
    CREATE INDEX staff_access_log_actor ON staff_access_log (actor, at DESC);
    CREATE TABLE anomaly_case (
      flag_key     text PRIMARY KEY CHECK (length(flag_key) BETWEEN 1 AND 400),
      kind         text NOT NULL CHECK (kind IN ('harvesting', 'off_hours_bulk', 'repeated_denials')),
      requester    text NOT NULL,
      window_start timestamptz NOT NULL,
      status       text NOT NULL CHECK (status IN ('open', 'investigating', 'closed')),
      note         text NOT NULL DEFAULT '' CHECK (length(note) <= 4000),
      updated_by   text NOT NULL,
      updated_at   timestamptz NOT NULL DEFAULT now()
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE anomaly_case; DROP TABLE staff_access_log;');
}
