/** The verification query: what a bank or clerk asks, and what it gets back per record. */
import type { ReleasedField } from '../audit/audit.types.js';

export type AccessMode = 'full' | 'fact-check';

/** How the citizen's agreement (or its legal substitute) is shown for this query. */
export type ConsentReference =
  | { token: string }
  | { mode: 'citizen'; consentId: string }
  | { mode: 'attested'; documentReference: string; separateAgreement?: boolean }
  | { mode: 'statutory' };

export interface RecordRequest {
  recordType: string;
  /** Omitted: every field the policy and consent allow. */
  fields?: string[];
  /** For object records (parcel, vehicle, ship ...): the object's identifier in its scheme. */
  identifier?: string;
  /** Fact-check mode: which checks; omitted means every check the record type declares. */
  factChecks?: string[];
}

export interface QueryRequest {
  purpose: string;
  /** The person or corporation the query is about; optional when every record is an object record. */
  subject?: { scheme: string; id: string };
  /** The record types, or `procedure: true` to ask for every record type of the purpose. */
  records?: RecordRequest[];
  procedure?: boolean;
  mode: AccessMode;
  consent?: ConsentReference;
  signedCopy?: boolean;
}

export type RecordOutcome = 'released' | 'denied' | 'provider_error';

export interface RecordResult {
  recordType: string;
  outcome: RecordOutcome;
  released?: Record<string, unknown>;
  fields?: ReleasedField[];
  withheld?: { name: string; reason: string }[];
  factChecks?: Record<string, boolean>;
  policy?: { id: string; version: string } | null;
  provenance?: { holder: string; provider: string; retrievedAt: string };
  /** The durable audit entry written before this result left. */
  audit: { entryId: number; digest: string };
  /** Compact JWS over the canonical released record (requested with signedCopy). */
  signedCopy?: string;
  /** provider_error: the holder (agency code) whose registry failed, and what went wrong. */
  error?: { code: string; detail: string; holder?: string };
}

export interface QueryResponse {
  queryId: string;
  purpose: string;
  mode: AccessMode;
  consent: { id: string | null; mode: 'citizen' | 'attested' | 'statutory' | 'none' };
  records: RecordResult[];
}
