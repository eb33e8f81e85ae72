/** The consent and consent-event rows as PostgreSQL holds them, and their domain records. */
import type { OrgClass } from '../organisations/organisations.types.js';
import type {
  ConsentEvent,
  ConsentEventType,
  ConsentMode,
  ConsentRecord,
  ConsentStatus,
  DataLife,
  DataRange,
  GrantedFields,
  RequestedFields,
  Usage,
} from './consents.types.js';
import type { SeparateAgreement } from './separate-consent.js';

export interface ConsentRow {
  id: string;
  version: number;
  schema_version: string;
  status: ConsentStatus;
  status_reason: string | null;
  mode: ConsentMode;
  subject_key: string | null;
  subject_named: boolean;
  requester_org: string;
  requester_class: OrgClass;
  client_id: string | null;
  clerk_id: string | null;
  purpose_code: string;
  legal_basis: string;
  record_types: string[];
  fields_requested: Record<string, RequestedFields>;
  fields_granted: GrantedFields | null;
  data_range: DataRange | null;
  usage: Usage;
  max_uses: number;
  use_count: number;
  last_used_at: Date | null;
  data_life: DataLife | null;
  duration_days: number;
  valid_from: Date | null;
  valid_until: Date | null;
  request_expires_at: Date;
  redirect_uri: string | null;
  client_state: string | null;
  webhook_url: string | null;
  short_code: string | null;
  collection_method: string;
  document_reference: string | null;
  acr: string | null;
  amr: string[] | null;
  auth_time: Date | null;
  language: string | null;
  jurisdiction: string;
  separate_agreement: SeparateAgreement | null;
  rec_hash: string;
  created_at: Date;
  updated_at: Date;
}

/**
 * The consent with the id `idParam` joined (as `alias`) onto another statement's single row, its
 * columns beside that statement's own: the query gateway's admission statement reads the consent a
 * query names this way (server/queries/queries.repo.ts) and hands the row back to `fromRow`.
 */
export function consentJoinSql(alias: string, idParam: string): string {
  return `LEFT JOIN consent ${alias} ON ${alias}.id = ${idParam}`;
}

export function fromRow(r: ConsentRow): ConsentRecord {
  return {
    id: r.id,
    version: r.version,
    schemaVersion: r.schema_version,
    status: r.status,
    statusReason: r.status_reason,
    mode: r.mode,
    subjectKey: r.subject_key,
    subjectNamed: r.subject_named,
    requesterOrg: r.requester_org,
    requesterClass: r.requester_class,
    clientId: r.client_id,
    clerkId: r.clerk_id,
    purposeCode: r.purpose_code,
    legalBasis: r.legal_basis,
    recordTypes: r.record_types,
    fieldsRequested: r.fields_requested,
    fieldsGranted: r.fields_granted,
    dataRange: r.data_range,
    usage: r.usage,
    maxUses: r.max_uses,
    useCount: r.use_count,
    lastUsedAt: r.last_used_at,
    dataLife: r.data_life,
    durationDays: r.duration_days,
    validFrom: r.valid_from,
    validUntil: r.valid_until,
    requestExpiresAt: r.request_expires_at,
    redirectUri: r.redirect_uri,
    clientState: r.client_state,
    webhookUrl: r.webhook_url,
    shortCode: r.short_code,
    collectionMethod: r.collection_method,
    documentReference: r.document_reference,
    acr: r.acr,
    amr: r.amr,
    authTime: r.auth_time,
    language: r.language,
    jurisdiction: r.jurisdiction,
    separateAgreement: r.separate_agreement,
    recHash: r.rec_hash,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function toRow(c: ConsentRecord): Record<string, unknown> {
  const json = (v: unknown) => (v === null ? null : JSON.stringify(v));
  return {
    id: c.id,
    version: c.version,
    schema_version: c.schemaVersion,
    status: c.status,
    status_reason: c.statusReason,
    mode: c.mode,
    subject_key: c.subjectKey,
    subject_named: c.subjectNamed,
    requester_org: c.requesterOrg,
    requester_class: c.requesterClass,
    client_id: c.clientId,
    clerk_id: c.clerkId,
    purpose_code: c.purposeCode,
    legal_basis: c.legalBasis,
    record_types: c.recordTypes,
    fields_requested: json(c.fieldsRequested),
    fields_granted: json(c.fieldsGranted),
    data_range: json(c.dataRange),
    usage: json(c.usage),
    max_uses: c.maxUses,
    use_count: c.useCount,
    last_used_at: c.lastUsedAt,
    data_life: json(c.dataLife),
    duration_days: c.durationDays,
    valid_from: c.validFrom,
    valid_until: c.validUntil,
    request_expires_at: c.requestExpiresAt,
    redirect_uri: c.redirectUri,
    client_state: c.clientState,
    webhook_url: c.webhookUrl,
    short_code: c.shortCode,
    collection_method: c.collectionMethod,
    document_reference: c.documentReference,
    acr: c.acr,
    amr: c.amr,
    auth_time: c.authTime,
    language: c.language,
    jurisdiction: c.jurisdiction,
    separate_agreement: json(c.separateAgreement ?? null),
    rec_hash: c.recHash,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

export interface EventRow {
  id: string | number;
  consent_id: string;
  version: number;
  at: Date;
  type: ConsentEventType;
  state: ConsentStatus;
  actor: string;
  reason: string | null;
  detail: Record<string, unknown>;
}

export const eventFromRow = (r: EventRow): ConsentEvent => ({
  id: Number(r.id),
  consentId: r.consent_id,
  version: r.version,
  at: r.at,
  type: r.type,
  state: r.state,
  actor: r.actor,
  reason: r.reason,
  detail: r.detail,
});
