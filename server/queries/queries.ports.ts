/**
 * What the query gateway needs from the other domains, as narrow interfaces. compose.ts passes
 * the real services; nothing here is mocked in tests, but the seams keep this use case readable.
 */
import type { AuditEntryInput, AuditReceipt } from '../audit/audit.types.js';
import type { PendingProof } from '../auth/deferred-proof.js';
import type { ClerkPrincipal } from '../auth/principal.js';
import type { Catalog } from '../catalog/catalog.types.js';
import type { StatementGuard } from '../db/statement-guard.js';
import type { Transaction, UnitOfWork } from '../db/unit-of-work.js';
import type { Organisation, Purpose } from '../organisations/organisations.types.js';
import type { PolicyService } from '../policy/policy.service.js';

/** Runs work in one database transaction; the use case only hands `trx` to other ports. */
export type { UnitOfWork } from '../db/unit-of-work.js';

export interface EntitlementPort {
  assertEntitled(
    orgId: string,
    purposeCode: string,
    clientId?: string,
  ): Promise<{ organisation: Organisation; purpose: Purpose }>;
}

export interface AuditPort {
  appendMany(entries: AuditEntryInput[], options?: { trx?: Transaction }): Promise<AuditReceipt[]>;
  /** One statement: the guard's write, and the entries only if it matched; undefined if it did not. */
  appendIf(guard: StatementGuard, entries: AuditEntryInput[]): Promise<AuditReceipt[] | undefined>;
}

/** What a consent grants one use, and what a use checks (the consents domain's own types). */
export type { AuthorizeUseInput, ConsentGrant } from '../consents/use-cases/use-checks.js';
import type { AuthorizeUseInput, ConsentGrant } from '../consents/use-cases/use-checks.js';

export interface ConsentPort {
  /** Verifies and counts one use, inside the caller's transaction (so it commits with the audit entry). */
  /**
   * `dryRun`: every check of a use, nothing counted, no transaction (the check before any fetch).
   * `checked`: that dry run's grant for the same input; the use is then counted against its version.
   * `prefetched`: the consent row as the admission statement read it (a dry run then reads nothing).
   */
  authorizeUse(
    input: AuthorizeUseInput,
    options: { trx?: Transaction; dryRun?: boolean; checked?: ConsentGrant; prefetched?: PrefetchedConsent },
  ): Promise<ConsentGrant>;
  /** The checked use as a guard for the audit append; undefined when it must go through authorizeUse. */
  useGuard(grant: ConsentGrant, now: Date): StatementGuard | undefined;
  recordAttestedConsent(input: {
    clerk: ClerkPrincipal;
    subjectKey: string;
    purposeCode: string;
    recordTypes: string[];
    documentReference: string;
    separateAgreement?: boolean;
    now: Date;
  }): Promise<{ id: string }>;
  recordStatutoryBasis(input: {
    clerk: ClerkPrincipal;
    subjectKey: string;
    purposeCode: string;
    recordTypes: string[];
    now: Date;
  }): Promise<{ id: string }>;
}

export interface FetchedRecord {
  record: Record<string, unknown>;
  provenance: { holder: string; provider: string; retrievedAt: string };
}

export interface RecordSourcePort {
  fetchRecord(input: {
    recordType: string;
    identifier: string;
    fields: readonly string[] | 'all';
    requestId: string;
    deadline: AbortSignal;
  }): Promise<FetchedRecord>;
}

export interface SignerPort {
  /** Compact JWS over the canonical JSON of `payload`, with our response-signature key. */
  signRecord(payload: Record<string, unknown>): Promise<string>;
}

export interface AdmissionInput {
  requester: string;
  subjectKey: string | undefined;
  now: Date;
  /** A DPoP proof id left unclaimed by authentication (server/auth/deferred-proof.ts). */
  proof?: PendingProof | undefined;
  /** Who a protection order could name: the requester's organisation and clerk. */
  parties?: { orgId: string; clerkId?: string | undefined };
  /** The consent the request names, as sent (not yet verified): its row is read in passing. */
  consentId?: string | undefined;
}

export interface Admission {
  /** An order in force bars one of `parties` from the subject's records. */
  barred: boolean;
  /** The row of `consentId` as read (null: none), for ConsentPort.authorizeUse's `prefetched`. */
  consent?: PrefetchedConsent;
}

/** A consent row the admission statement read, opaque here: the consents domain maps it. */
export interface PrefetchedConsent {
  consentId: string;
  row: unknown;
}

export interface QueryLimitsPort {
  /**
   * One statement: claims the proof id (401 when replayed), counts the request (429 over budget)
   * and a new subject for harvesting, consults protection orders and reads the named consent.
   */
  admit(input: AdmissionInput): Promise<Admission>;
}

export interface QueryDeps {
  catalog: Catalog;
  policy: Pick<PolicyService, 'plan' | 'apply'>;
  entitlements: EntitlementPort;
  consents: ConsentPort;
  records: RecordSourcePort;
  audit: AuditPort;
  signer: SignerPort;
  limits: QueryLimitsPort;
  unitOfWork: UnitOfWork;
  subjectKeyOf(canonicalId: string): string;
  deadlineMs: number;
}
