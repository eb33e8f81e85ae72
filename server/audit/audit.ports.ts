/**
 * What the audit service needs from outside: the repository (audit.repo.ts's knex one, or a fake),
 * the clock, the log's verifier keys and the receipt signer.
 */
import type { Transaction } from '../db/unit-of-work.js';
import type { StatementGuard } from '../db/statement-guard.js';
import type { EntryPlacement, EntryRow } from './audit-entries.repo.js';
import type {
  AccessLogFilters,
  AccessLogPageRead,
  AccessLogRow,
  LeafBundle,
  StoredCheckpoint,
  TreeHead,
} from './audit.types.js';
import type { NodeId } from './merkle.js';

export interface AuditRepo {
  append(
    rows: EntryRow[],
    trx?: Transaction,
    guard?: StatementGuard,
  ): Promise<{ entryId: number; digestHex: string }[]>;
  latestHead(): Promise<TreeHead | null>;
  latestCheckpoint(): Promise<StoredCheckpoint | null>;
  nodeHashes(ids: NodeId[]): Promise<Map<string, Uint8Array>>;
  leafBundles(start: number, count: number): Promise<LeafBundle[]>;
  accessLog(
    subjectKey: string,
    filters: AccessLogFilters,
    visibleAt: Date,
    page: { beforeSeq?: number; limit: number },
  ): Promise<AccessLogRow[]>;
  accessLogPage(
    subjectKey: string,
    filters: AccessLogFilters,
    visibleAt: Date,
    page: { beforeSeq?: number; limit: number },
  ): Promise<AccessLogPageRead>;
  entryPlacement(entryId: number): Promise<EntryPlacement | undefined>;
}

export interface AuditServiceDeps {
  repo: AuditRepo;
  now?: () => Date;
  /** The log's vkeys (C2SP note verifier keys), current first. */
  logKeys: () => string[];
  /**
   * Signs a sequenced receipt's binding of entry id and digest to its leaf (a compact JWS with the
   * signed-copy key), so a requester's evidence verifies offline; see docs/log-formats.md §14.
   */
  attestReceipt?: (binding: ReceiptBinding) => Promise<string>;
}

/** What a receipt attestation signs: the entry the requester's answer names and where its leaf is. */
export interface ReceiptBinding {
  entryId: number;
  /** base64url SHA-256 of the entry's canonical body, as in the answer's `audit.digest`. */
  digest: string;
  index: number;
  /** The public leaf value (base64). */
  leaf: string;
}
