import type { Knex } from 'knex';

// Proof nodes by tile. An inclusion proof takes one node per level, and the levels group in tiers
// of six (levels 1-5, 6-11, 12-17, ...): within a tier, a leaf's proof nodes all lie under one node
// of the tier's top (its tile, as in C2SP tlog-tiles). Through the primary key (level, idx) each is a
// random index probe plus a heap fetch: at 10 M entries a 20-entry history page read ~500 buffers,
// most from outside shared_buffers. Keyed by (tier, tile) and covering the hash, a tier's nodes are
// an index-only scan of one or two adjacent leaf pages, four tiers per proof (`npm run bench`,
// scenario d). Costs ~80 bytes per log entry. The expressions must stay exactly as written for the
// repository's query to use the index (audit.repo.ts, nodeStatement; TILE_HEIGHT in audit.types.ts).
export async function up(knex: Knex): Promise<void> {
  // One pass over tree_node: longer than the service's statement timeout on a large log. A plain
  // (not CONCURRENTLY) build keeps the migration transactional; it holds back only the sequencer's
  // node inserts while it runs (entries keep being accepted into the queue).
  await knex.raw('SET LOCAL statement_timeout = 0');
  await knex.raw(
    'CREATE INDEX tree_node_by_tile ON tree_node ((level / 6), ((idx << (level % 6)) >> 6)) INCLUDE (level, idx, hash)',
  );
  // Index-only scans skip the heap only on pages marked all-visible. tree_node is insert-only, so
  // by default autovacuum marks them after 20 % more rows (2 M at 10 M entries); every 50,000 keeps
  // the visibility map current and each of those runs reads only the new pages.
  await knex.raw(
    'ALTER TABLE tree_node SET (autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 50000)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(
    'ALTER TABLE tree_node RESET (autovacuum_vacuum_insert_scale_factor, autovacuum_vacuum_insert_threshold)',
  );
  await knex.raw('DROP INDEX tree_node_by_tile');
}
