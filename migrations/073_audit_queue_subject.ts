import type { Knex } from 'knex';

// A citizen's history page counts their entries still waiting for the sequencer. Without the subject
// in the queue that meant probing audit_entry for every queued row: cheap while the sequencer keeps
// up, but a backlog (a stalled leader, a burst) made every history page pay for the whole queue —
// tens of thousands of probes each, when the system is already behind. With the subject key (and
// the embargo date, which decides visibility) beside each queued entry, the count reads only the
// citizen's own rows.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('SET LOCAL statement_timeout = 0');
  await knex.raw('ALTER TABLE audit_queue ADD COLUMN subject_key text, ADD COLUMN embargo_until timestamptz');
  await knex.raw(`
    UPDATE audit_queue q SET subject_key = e.subject_key, embargo_until = e.embargo_until
    FROM audit_entry e WHERE e.entry_id = q.entry_id`);
  // A queued row whose entry is gone is the verifier's finding to report, not a reason to fail here.
  await knex.raw(`UPDATE audit_queue SET subject_key = '' WHERE subject_key IS NULL`);
  await knex.raw('ALTER TABLE audit_queue ALTER COLUMN subject_key SET NOT NULL');
  await knex.raw('CREATE INDEX audit_queue_subject ON audit_queue (subject_key)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE audit_queue DROP COLUMN subject_key, DROP COLUMN embargo_until');
}
