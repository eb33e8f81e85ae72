/**
 * Consent requests, records, events, tokens and webhooks. Names follow DESIGN §3 and consent.md §7.
 * What crosses the API (statuses, terms, request bodies, views) is the contract's shape, generated
 * from openapi/gateway.yaml into openapi/gateway.d.ts (`npm run gen:api`) and only named here; what is
 * stored (the record, its events) and the token's claims are the domain's own.
 */
import type { OrgClass } from '../organisations/organisations.types.js';
import type { components } from '../../openapi/gateway.js';

type Schemas = components['schemas'];

export type ConsentStatus = Schemas['ConsentStatus'];
export const CONSENT_STATUSES: readonly ConsentStatus[] = [
  'REQUESTED',
  'ACTIVE',
  'REJECTED',
  'PAUSED',
  'REVOKED',
  'EXPIRED',
  'EXHAUSTED',
];
/** Statuses a consent never leaves. */
export const FINAL_STATUSES: readonly ConsentStatus[] = ['REJECTED', 'REVOKED', 'EXPIRED', 'EXHAUSTED'];

export type ConsentMode = Schemas['ConsentMode'];

/** What happened to a consent; the citizen sees each in the consent's history. */
export type ConsentEventType = NonNullable<CitizenConsentView['events']>[number]['type'];

export type PeriodUnit = Schemas['PeriodUnit'];

/** How often the requester may fetch: once, up to N times, or periodically (at most `value` per `unit`). */
export type Usage = Schemas['ConsentUsage'];

/** Fields a requester asks for, per record type. The citizen may untick optional ones. */
export interface RequestedFields {
  required: string[];
  optional: string[];
}

/** Field names granted per record type; 'all' where a paper form or a statute covers the whole record. */
export type GrantedFields = Schemas['GrantedFields'];

/** PIPA arts. 23/24: the two kinds of item asked for apart (separate-consent.ts). */
export type SeparateKind = 'sensitive' | 'unique-identifier';

/** Per record type, the flagged fields of one kind. */
export type FieldsByType = Record<string, string[]>;

/** What the citizen (or the attested form) agreed to apart from the rest, item by item. */
export interface SeparateAgreement {
  sensitive: FieldsByType;
  uniqueIdentifier: FieldsByType;
  /** Who agreed: the citizen on the approval screen, or the citizen on a paper form a clerk attests. */
  by: 'citizen' | 'attested-form';
  at: string;
}

export type DataRange = Schemas['DataRange'];

/** How long the requester may keep what it receives (consent.md §7.1 data_life; never infinite). */
export type DataLife = Schemas['DataLife'];

/** The consent record as stored (server side; never leaves as is — see the views below). */
export interface ConsentRecord {
  id: string;
  version: number;
  schemaVersion: string;
  status: ConsentStatus;
  statusReason: string | null;
  mode: ConsentMode;
  /** HMAC subject key; null while a request that named nobody waits for its citizen. */
  subjectKey: string | null;
  subjectNamed: boolean;
  requesterOrg: string;
  requesterClass: OrgClass;
  clientId: string | null;
  clerkId: string | null;
  purposeCode: string;
  legalBasis: string;
  recordTypes: string[];
  fieldsRequested: Record<string, RequestedFields>;
  fieldsGranted: GrantedFields | null;
  dataRange: DataRange | null;
  usage: Usage;
  maxUses: number;
  useCount: number;
  lastUsedAt: Date | null;
  dataLife: DataLife | null;
  durationDays: number;
  validFrom: Date | null;
  validUntil: Date | null;
  requestExpiresAt: Date;
  redirectUri: string | null;
  clientState: string | null;
  webhookUrl: string | null;
  shortCode: string | null;
  collectionMethod: string;
  documentReference: string | null;
  acr: string | null;
  amr: string[] | null;
  authTime: Date | null;
  language: string | null;
  jurisdiction: string;
  /** PIPA arts. 23/24 items agreed to apart (separate-consent.ts); absent or null: none. */
  separateAgreement?: SeparateAgreement | null;
  recHash: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface ConsentEvent {
  id: number;
  consentId: string;
  version: number;
  at: Date;
  type: ConsentEventType;
  state: ConsentStatus;
  actor: string;
  reason: string | null;
  detail: Record<string, unknown>;
}

/** Body of POST /v1/consent-requests (after contract validation). */
export type ConsentRequestInput = Schemas['ConsentRequestInput'];

/** What the requester sees when it creates or polls a request. */
export type ConsentRequestView = Schemas['ConsentRequestView'];

/** What the citizen sees about one consent naming them. */
export type CitizenConsentView = Schemas['MyConsent'];

/** POST /v1/consents/{id}/token: the token and the consent version it carries. */
export type IssuedConsentToken = Schemas['ConsentToken'];

/** The consent token's claims (DESIGN §8, consent.md §7.1). */
export interface ConsentTokenClaims {
  iss: string;
  aud: string;
  sub: string;
  jti: string;
  iat: number;
  nbf: number;
  exp: number;
  cid: string;
  cver: number;
  rec_hash: string;
  client_id: string;
  org: string;
  req_class: OrgClass;
  purpose: { code: string; legal_basis: string };
  authorization_details: {
    type: 'record_access';
    record_type: string;
    actions: ['read'];
    fields: string[];
    data_range?: DataRange;
    /** PIPA arts. 23/24: the fields agreed to apart (separate-consent.ts). */
    separate_agreement?: { sensitive?: string[]; unique_identifier?: string[] };
  }[];
  usage: { fetch: Usage['fetch']; max_uses: number; freq?: { unit: PeriodUnit; value: number } };
  data_life?: DataLife;
  cnf?: { jkt: string };
  acr?: string;
  amr?: string[];
  auth_time?: number;
}
