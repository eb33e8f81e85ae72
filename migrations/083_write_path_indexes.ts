import type { Knex } from 'knex';

// Issue 18: what each query's one durable statement costs PostgreSQL.
//  - audit_entry_entry_id repeated the primary key's leading column: every lookup by entry_id is
//    served as well by audit_entry_pkey (entry_id, created_at), and each entry paid one more index
//    insert for it.
//  - A consent is updated on every use (use_count, last_used_at: no indexed column). With full
//    pages the new row version lands on another page and all of the table's indexes get an entry;
//    room left on each page lets PostgreSQL keep the version on the page (a HOT update) and touch
//    no index. Applies to pages written from now on (existing ones fill up as rows are updated).
export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX audit_entry_entry_id');
  await knex.raw('ALTER TABLE consent SET (fillfactor = 80)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE consent RESET (fillfactor)');
  await knex.raw('CREATE INDEX audit_entry_entry_id ON audit_entry (entry_id)');
}
