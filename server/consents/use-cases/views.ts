/** What requesters and citizens see of a record. */
import type { CitizenConsentView, ConsentRecord, ConsentRequestView } from '../consents.types.js';
import { iso, type ConsentsContext } from './context.js';

export function requestView(ctx: ConsentsContext, record: ConsentRecord): ConsentRequestView {
  const { base } = ctx;
  return {
    id: record.id,
    status: record.status,
    version: record.version,
    mode: record.mode,
    purpose: record.purposeCode,
    recordTypes: record.recordTypes,
    citizenUrl: `${base}/consent/${record.id}`,
    shortCode: record.status === 'REQUESTED' ? record.shortCode : null,
    shortUrl:
      record.status === 'REQUESTED' && record.shortCode ? `${base}/consent/c/${record.shortCode}` : null,
    expiresAt: record.requestExpiresAt.toISOString(),
    validFrom: iso(record.validFrom),
    validUntil: iso(record.validUntil),
    fieldsGranted: record.fieldsGranted,
    usage: record.usage,
    useCount: record.useCount,
    statusReason: record.statusReason,
    updatedAt: record.updatedAt.toISOString(),
  };
}

export async function citizenView(
  ctx: ConsentsContext,
  record: ConsentRecord,
  withEvents: boolean,
): Promise<CitizenConsentView> {
  const { organisations } = ctx.deps;
  const [org, purpose] = await Promise.all([
    organisations.getOrganisation(record.requesterOrg),
    organisations.getPurpose(record.purposeCode),
  ]);
  const view: CitizenConsentView = {
    id: record.id,
    status: record.status,
    version: record.version,
    mode: record.mode,
    requester: { org: org.id, class: org.class, names: org.names },
    clerkId: record.clerkId,
    purpose: { code: purpose.code, names: purpose.names, legalBasis: record.legalBasis },
    recordTypes: record.recordTypes,
    fieldsGranted: record.fieldsGranted,
    dataRange: record.dataRange,
    usage: record.usage,
    useCount: record.useCount,
    lastUsedAt: iso(record.lastUsedAt),
    dataLife: record.dataLife,
    validFrom: iso(record.validFrom),
    validUntil: iso(record.validUntil),
    collectionMethod: record.collectionMethod,
    documentReference: record.documentReference,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  };
  if (withEvents) {
    view.events = (await ctx.repo.events(record.id)).map((e) => ({
      at: e.at.toISOString(),
      type: e.type,
      state: e.state,
      actor: e.actor,
      reason: e.reason,
    }));
  }
  return view;
}
