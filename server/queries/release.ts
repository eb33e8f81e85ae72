/**
 * What a fetched record releases to this requester: the policy's plan over the consented fields
 * (with yes/no predicates computed only from consented fields), or the fact checks asked for.
 */
import type { ReleasedOutput } from '../consents/separate-consent.js';
import type { Purpose } from '../organisations/organisations.types.js';
import { answerFactChecks } from './fact-checks.js';
import type { ConsentGrant, FetchedRecord, QueryDeps } from './queries.ports.js';
import type { QueryRequest, RecordResult } from './queries.types.js';
import type { PlannedRecord, Requester } from './query-plan.js';

export function release(
  deps: Pick<QueryDeps, 'policy'>,
  requester: Requester,
  purpose: Purpose,
  record: PlannedRecord,
  fetched: FetchedRecord,
  grant: ConsentGrant | undefined,
  req: QueryRequest,
  now: Date,
): Pick<RecordResult, 'released' | 'fields' | 'withheld' | 'policy' | 'factChecks'> & {
  fields: RecordResult['fields'] & object;
} {
  if (req.mode === 'fact-check') {
    const checks = record.request.factChecks ?? record.type.factChecks.map((f) => f.id);
    const factChecks = answerFactChecks(record.type.id, checks, fetched.record, now);
    return { factChecks, fields: checks.map((name) => ({ name, form: 'fact-check' })) };
  }
  const consented = consentedOutputs(deps, requester, purpose, record, grant);
  const plan = deps.policy.plan({
    requester: { orgId: requester.orgId, class: requester.orgClass! },
    purpose: purpose.code,
    recordType: record.type.id,
    consentedFields: consented,
    requestedFields: record.request.fields ?? 'all',
    dataRange: {
      maxDays: purpose.bounds.maxDataRangeDays,
      ...(grant?.dataRange ? { from: grant.dataRange.from, to: grant.dataRange.to } : {}),
    },
  });
  const result = deps.policy.apply(plan, fetched.record, now);
  return {
    released: { ...result.released },
    fields: result.fields.map((f) => ({
      name: f.name,
      form: typeof f.form === 'string' ? f.form : describeForm(f.form),
    })),
    withheld: result.withheld.map((w) => ({ name: w.name, reason: w.reason })),
    policy: result.policy ? { id: result.policy.id, version: result.policy.version } : null,
  };
}

/**
 * A consent names record fields. A yes/no predicate computed only from consented fields reveals
 * less than they do, so it counts as consented too (e.g. `tax_arrears` from `hasArrears`).
 */
export function consentedOutputs(
  deps: Pick<QueryDeps, 'policy'>,
  requester: Requester,
  purpose: Purpose,
  record: PlannedRecord,
  grant: ConsentGrant | undefined,
): readonly string[] | 'all' {
  const granted = grant ? (grant.grantedFields[record.type.id] ?? []) : 'all';
  if (granted === 'all') return 'all';
  const everything = deps.policy.plan({
    requester: { orgId: requester.orgId, class: requester.orgClass! },
    purpose: purpose.code,
    recordType: record.type.id,
    consentedFields: 'all',
    requestedFields: 'all',
  });
  const derived = everything.release
    .filter((f) => f.form.form === 'predicate' && f.sources.every((source) => granted.includes(source)))
    .map((f) => f.name);
  return [...granted, ...derived];
}

/** What a record's release would carry and the fields each output comes from (PIPA arts. 23, 24). */
export function releasedOutputs(
  deps: Pick<QueryDeps, 'policy'>,
  requester: Requester,
  purpose: Purpose,
  record: PlannedRecord,
  grant: ConsentGrant,
  req: QueryRequest,
): ReleasedOutput[] {
  if (req.mode === 'fact-check') {
    const asked = record.request.factChecks ?? record.type.factChecks.map((f) => f.id);
    return record.type.factChecks
      .filter((f) => asked.includes(f.id))
      .map((f) => ({ name: f.id, sources: f.basis }));
  }
  return deps.policy
    .plan({
      requester: { orgId: requester.orgId, class: requester.orgClass! },
      purpose: purpose.code,
      recordType: record.type.id,
      consentedFields: consentedOutputs(deps, requester, purpose, record, grant),
      requestedFields: record.request.fields ?? 'all',
    })
    .release.map((f) => ({ name: f.name, sources: f.sources }));
}

function describeForm(form: object): string {
  const f = form as { form?: string; name?: string; kind?: string };
  if (f.form === 'predicate') return `predicate:${f.name ?? ''}`;
  if (f.form === 'generalise') return `generalise:${f.kind ?? ''}`;
  return f.form ?? 'full';
}
