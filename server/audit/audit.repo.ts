/**
 * The repository object the audit service receives, over the audit tables' knex modules:
 * audit-entries.repo.ts (append, placement), log-tree.repo.ts (heads, checkpoints),
 * proof-nodes.repo.ts (node hashes, leaf bundles) and access-log.repo.ts (a citizen's read-back).
 */
import type { Knex } from 'knex';
import type { StatementGuard } from '../db/statement-guard.js';
import { accessLog, accessLogPage } from './access-log.repo.js';
import { entryPlacement, insertEntries, type EntryRow } from './audit-entries.repo.js';
import type { AccessLogFilters } from './audit.types.js';
import { latestCheckpoint, latestHead } from './log-tree.repo.js';
import type { NodeId } from './merkle.js';
import { leafBundles, nodeHashes } from './proof-nodes.repo.js';

export function knexAuditRepo(db: Knex) {
  return {
    async append(rows: EntryRow[], trx?: Knex.Transaction, guard?: StatementGuard) {
      return insertEntries(trx ?? db, rows, guard);
    },
    latestHead: () => latestHead(db),
    latestCheckpoint: () => latestCheckpoint(db),
    nodeHashes: (ids: NodeId[]) => nodeHashes(db, ids, { prepared: true }),
    leafBundles: (start: number, count: number) => leafBundles(db, start, count),
    accessLog: (
      subjectKey: string,
      filters: AccessLogFilters,
      visibleAt: Date,
      page: { beforeSeq?: number; limit: number },
    ) => accessLog(db, subjectKey, filters, visibleAt, page),
    accessLogPage: (
      subjectKey: string,
      filters: AccessLogFilters,
      visibleAt: Date,
      page: { beforeSeq?: number; limit: number },
    ) => accessLogPage(db, subjectKey, filters, visibleAt, page),
    entryPlacement: (entryId: number) => entryPlacement(db, entryId),
  };
}
