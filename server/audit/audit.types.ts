/**
 * What the audit log records and returns. Names follow DESIGN §3. The entry body is the contract's
 * (openapi/gateway.yaml, generated into openapi/gateway.d.ts by `npm run gen:api`): the citizen's
 * access log returns it as committed, so it is named here, never copied.
 */
import type { components } from '../../openapi/gateway.js';

type Schemas = components['schemas'];

/** The canonical body as stored and committed: RFC 8785 JSON of exactly these members. */
export type AuditEntryBody = Schemas['AuditEntryBody'];
export type AuditOutcome = AuditEntryBody['outcome'];
export type ConsentMode = NonNullable<AuditEntryBody['consent']>['mode'];

/** One released field and the disclosure form it left in (full, mask, generalise, predicate ...). */
export type ReleasedField = AuditEntryBody['fields'][number];

/**
 * A request value a refusal could not record as sent (not a plain code): the SHA-256 of its UTF-8
 * bytes (lowercase hex) and how many bytes there were. Enough to match a client's own logs against
 * the entry, without letting arbitrary client bytes into the log.
 */
export type UndescribedValue = Schemas['UndescribedValue'];

/** What an entry says about values it could not record as sent (refusals only). */
export type Undescribed = NonNullable<AuditEntryBody['undescribed']>;

/** What a caller (the query gateway) appends: one access, any outcome. No national ID, ever. */
export interface AuditEntryInput {
  /** The gateway request id (correlates with logs and the requester's receipt). */
  requestId: string;
  /** HMAC-SHA256(pepper, canonical id), lowercase hex. */
  subjectKey: string;
  outcome: AuditOutcome;
  /** Required for denied and provider_error: a DESIGN §10 code or a policy reason. */
  reasonCode?: string | null;
  requester: { org: string; clientId?: string | null; clerkRef?: string | null };
  purposeCode: string;
  legalBasis?: string | null;
  consent?: { id?: string | null; mode: ConsentMode } | null;
  recordType: string;
  /** Fields released with their forms; empty when nothing was released. */
  fields: ReleasedField[];
  /** Hidden from the citizen until this instant (investigations). */
  embargoUntil?: Date | null;
  /** Values recorded as UNDESCRIBED (purposeCode, recordType) in hashed form; denied entries only. */
  undescribed?: Undescribed | null;
  /**
   * True when no subject could be attributed: subjectKey is then the requester's own pseudo subject
   * (see requesterSubject in refusal-values.ts), so the refusal still has a place in the log.
   */
  unattributed?: boolean;
  /** provider_error only: the holder (agency code, server/catalog/holders.json) whose registry failed. */
  holder?: string | null;
}

/** Handed back to the caller once the entry is durable (before any data is released). */
export interface AuditReceipt {
  entryId: number;
  /** base64url SHA-256 of the canonical body. */
  digest: string;
  createdAt: string;
}

export interface TreeHead {
  size: number;
  root: Uint8Array;
  compactRange: Uint8Array;
  createdAt: Date;
}

export interface StoredCheckpoint {
  size: number;
  root: Uint8Array;
  note: string;
  createdAt: Date;
}

export interface LeafBundle {
  index: number;
  leaf: Uint8Array;
  leafHash: Uint8Array;
}

export interface AccessLogFilters {
  from?: Date;
  to?: Date;
  organisation?: string;
  recordType?: string;
}

/** A history page as the page statement reads it (access-log.repo.ts). */
export interface AccessLogPageRead {
  checkpoint: { size: number; note: string } | null;
  rows: AccessLogRow[];
  pending: number;
  /** Proof nodes read with the rows, by `${level}/${index}`. */
  nodes: Map<string, Uint8Array>;
}

export interface AccessLogRow {
  index: number;
  subjectSeq: number;
  prevIndex: number | null;
  body: string;
  salt: Uint8Array;
  leaf: Uint8Array;
}

/**
 * tree_node is read by tiles (migration 071, whose index expressions hard-code the 6): tier
 * floor(level / TILE_HEIGHT), and within it the subtree under one node of the tier's top level. The
 * service keeps the nodes from level TILE_HEIGHT up in memory as well (node-cache.ts).
 */
export const TILE_HEIGHT = 6;
