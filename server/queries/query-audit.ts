/**
 * The audit entries of a query: one per named record, written before any answer leaves. A refusal
 * writes its `denied` entries here and is marked audited so the route does not write them again.
 */
import type { AuditEntryInput } from '../audit/audit.types.js';
import { auditReasonOf, type AppError } from '../errors.js';
import { embargoUntil } from '../organisations/embargo.js';
import type { Purpose } from '../organisations/organisations.types.js';
import { appendWith, markAudited, requesterOfEntry } from './audit-refusal.js';
import type { ConsentGrant, QueryDeps } from './queries.ports.js';
import type { PlannedRecord, QueryContext, Requester } from './query-plan.js';

/** The consent an entry names: its id (when there is one) and mode. */
export interface ConsentRef {
  id?: string | undefined;
  mode: 'citizen' | 'attested' | 'statutory';
}

export function requestedFields(records: PlannedRecord[]): Record<string, string[] | 'all'> {
  return Object.fromEntries(records.map((r) => [r.type.id, r.request.fields ?? 'all']));
}

export function auditEntry(
  ctx: QueryContext,
  requester: Requester,
  purpose: Purpose,
  record: PlannedRecord,
  consent: ConsentRef | null,
  outcome: AuditEntryInput['outcome'],
  fields: AuditEntryInput['fields'],
  reasonCode?: string,
): AuditEntryInput {
  const embargoed = embargoUntil(purpose.bounds, ctx.now);
  return {
    requestId: ctx.requestId,
    subjectKey: record.subjectKey,
    outcome,
    ...(reasonCode ? { reasonCode } : {}),
    requester: requesterOfEntry(requester),
    purposeCode: purpose.code,
    legalBasis: purpose.legalBasis,
    consent: consent ? { id: consent.id ?? null, mode: consent.mode } : null,
    recordType: record.type.id,
    fields,
    // The agency whose registry failed is named in the log, not only implied by the record type.
    ...(outcome === 'provider_error' ? { holder: record.type.holder.id } : {}),
    // An investigation's access (refused ones too) is hidden from the citizen until this date.
    ...(embargoed ? { embargoUntil: embargoed } : {}),
  };
}

/** Writes one denied entry per record, then surfaces the refusal. */
export async function refuse(
  deps: Pick<QueryDeps, 'audit'>,
  ctx: QueryContext,
  requester: Requester,
  purpose: Purpose,
  records: PlannedRecord[],
  error: AppError,
  consent: ConsentRef | null,
): Promise<never> {
  const entries = records.map((r) =>
    auditEntry(ctx, requester, purpose, r, consent, 'denied', [], auditReasonOf(error)),
  );
  await appendWith(() => deps.audit.appendMany(entries));
  throw markAudited(error);
}

export function grantRef(grant: ConsentGrant | undefined, fallback: ConsentRef | null) {
  return grant ? { id: grant.consentId, mode: grant.mode } : fallback;
}
