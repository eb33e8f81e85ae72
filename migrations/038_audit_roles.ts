import type { Knex } from 'knex';

// Database roles for the audit tables (cluster-wide, so created idempotently; grants are per database).
// juc_app: what a gateway needs: append entries, read the log. juc_sequencer: also drains the queue and
// writes leaves, the subject index, tree nodes, tree heads and checkpoints. Neither may UPDATE, DELETE or
// TRUNCATE an audit table. Deployments give their login roles membership of one of these (NOLOGIN) roles.
const ROLES = ['juc_app', 'juc_sequencer'];
const LOG_TABLES = ['log_leaf', 'subject_index', 'tree_node', 'tree_head', 'checkpoint'];
const ALL = ['audit_entry', 'audit_queue', ...LOG_TABLES];

export async function up(knex: Knex): Promise<void> {
  for (const role of ROLES) {
    await knex.raw(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN
          CREATE ROLE ${role} NOLOGIN;
        END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END $$`);
    await knex.raw(`REVOKE ALL ON ${ALL.join(', ')} FROM ${role}`);
  }
  await knex.raw(`REVOKE UPDATE, DELETE, TRUNCATE ON ${ALL.join(', ')} FROM PUBLIC`);
  await knex.raw(`GRANT SELECT, INSERT ON audit_entry, audit_queue TO juc_app, juc_sequencer`);
  await knex.raw(`GRANT SELECT ON ${LOG_TABLES.join(', ')} TO juc_app`);
  await knex.raw(`GRANT DELETE ON audit_queue TO juc_sequencer`);
  await knex.raw(`GRANT SELECT, INSERT ON ${LOG_TABLES.join(', ')} TO juc_sequencer`);
}

export async function down(knex: Knex): Promise<void> {
  for (const role of ROLES) {
    await knex.raw(`REVOKE ALL ON ${ALL.join(', ')} FROM ${role}`);
    // Other databases on the server may still grant to the role; then it stays.
    await knex.raw(`
      DO $$ BEGIN
        DROP ROLE IF EXISTS ${role};
      EXCEPTION WHEN dependent_objects_still_exist OR insufficient_privilege THEN NULL;
      END $$`);
  }
}
