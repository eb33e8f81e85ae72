/**
 * The registries read in parallel under one deadline, and each record's outcome settled under one
 * consent grant: what it releases (or the provider error that is reported instead) and the audit
 * entry that says so. Signed copies are made only after the entries committed.
 */
import type { AuditEntryInput } from '../audit/audit.types.js';
import { ProviderError, type ErrorCode } from '../errors.js';
import type { Purpose } from '../organisations/organisations.types.js';
import type { ConsentGrant, FetchedRecord, QueryDeps } from './queries.ports.js';
import type { QueryRequest, QueryResponse, RecordResult } from './queries.types.js';
import { auditEntry, grantRef, type ConsentRef } from './query-audit.js';
import { needsConsent, type PlannedRecord, type QueryContext, type Requester } from './query-plan.js';
import { release } from './release.js';

export type Outcome = { record: PlannedRecord } & (
  { fetched: FetchedRecord; error?: undefined } | { error: ProviderError; fetched?: undefined }
);

export async function fetchOutcomes(
  deps: Pick<QueryDeps, 'records' | 'deadlineMs'>,
  records: PlannedRecord[],
  ctx: QueryContext,
): Promise<Outcome[]> {
  const deadline = AbortSignal.timeout(deps.deadlineMs);
  const fetched = await Promise.allSettled(
    records.map((r) =>
      deps.records.fetchRecord({
        recordType: r.type.id,
        identifier: r.identifier,
        fields: r.request.fields ?? 'all',
        requestId: ctx.requestId,
        deadline,
      }),
    ),
  );
  return records.map((record, i) => {
    const settled = fetched[i]!;
    if (settled.status === 'fulfilled') return { record, fetched: settled.value };
    const error =
      settled.reason instanceof ProviderError
        ? settled.reason
        : new ProviderError(
            record.type.holder.id,
            'unavailable',
            'The registry could not be read.',
            settled.reason,
          );
    return { record, error };
  });
}

/** What each record's outcome releases and the audit entry that says so, under one grant. */
export function settle(
  deps: Pick<QueryDeps, 'policy'>,
  query: { ctx: QueryContext; requester: Requester; purpose: Purpose; req: QueryRequest },
  outcomes: Outcome[],
  grant: ConsentGrant | undefined,
  consentRef: ConsentRef | null,
): { results: Omit<RecordResult, 'audit'>[]; entries: AuditEntryInput[] } {
  const { ctx, requester, purpose, req } = query;
  const results: Omit<RecordResult, 'audit'>[] = [];
  const entries: AuditEntryInput[] = [];
  const ref = grantRef(grant, consentRef);
  const addEntry = (
    o: Outcome,
    outcome: AuditEntryInput['outcome'],
    fields: AuditEntryInput['fields'],
    reasonCode?: string,
  ) => entries.push(auditEntry(ctx, requester, purpose, o.record, ref, outcome, fields, reasonCode));
  for (const o of outcomes) {
    if (o.error) {
      const code: ErrorCode = o.error.code;
      const { holder } = o.record.type;
      results.push({
        recordType: o.record.type.id,
        outcome: 'provider_error',
        error: { code, holder: holder.id, detail: `${holder.names.en}: ${o.error.detail ?? o.error.title}` },
      });
      addEntry(o, 'provider_error', [], code);
      continue;
    }
    const recordGrant = needsConsent(o.record.type) ? grant : undefined;
    const out = release(deps, requester, purpose, o.record, o.fetched, recordGrant, req, ctx.now);
    results.push({
      recordType: o.record.type.id,
      outcome: 'released',
      ...out,
      provenance: o.fetched.provenance,
    });
    addEntry(o, 'released', out.fields);
  }
  return { results, entries };
}

/** A signed copy of each released record, naming its committed audit entry. */
export async function signCopies(
  deps: Pick<QueryDeps, 'signer'>,
  requester: Requester,
  response: QueryResponse,
  ctx: QueryContext,
): Promise<void> {
  for (const record of response.records) {
    if (record.outcome !== 'released') continue;
    record.signedCopy = await deps.signer.signRecord({
      queryId: response.queryId,
      requester: requester.orgId,
      purpose: response.purpose,
      recordType: record.recordType,
      ...(record.released ? { released: record.released } : {}),
      ...(record.factChecks ? { factChecks: record.factChecks } : {}),
      fields: record.fields ?? [],
      policy: record.policy ?? null,
      provenance: record.provenance ?? null,
      audit: record.audit,
      issuedAt: ctx.now.toISOString(),
    });
  }
}
