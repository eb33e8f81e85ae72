/**
 * A query's admission: the requester entitled to the purpose (organisation and client active), the
 * records planned against it, the requester's budget and harvesting counters taken, and the
 * subject's protection orders consulted. A query refused before its budget is taken still spends
 * it, so a flood of refused queries meets the same 429 as a flood of answered ones (reliability
 * check A10).
 */
import { AppError, UndisclosedRefusalError } from '../errors.js';
import type { Purpose } from '../organisations/organisations.types.js';
import type { QueryDeps } from './queries.ports.js';
import type { QueryRequest } from './queries.types.js';
import { refuse } from './query-audit.js';
import {
  planRecords,
  resolveRecords,
  type PlannedRecord,
  type QueryContext,
  type Requester,
} from './query-plan.js';

export interface Admitted {
  purpose: Purpose;
  records: PlannedRecord[];
  subjectKey: string;
}

/** `seen` keeps the purpose once the requester is found entitled to it (for the refusal's entry). */
export async function admit(
  deps: Pick<QueryDeps, 'entitlements' | 'limits' | 'protections' | 'catalog' | 'subjectKeyOf' | 'audit'>,
  requester: Requester,
  req: QueryRequest,
  ctx: QueryContext,
  seen: { purpose?: Purpose },
): Promise<Admitted> {
  let records: PlannedRecord[];
  let purpose: Purpose;
  try {
    const entitled = await deps.entitlements.assertEntitled(
      requester.orgId,
      req.purpose,
      requester.principal.kind === 'client' ? requester.principal.clientId : undefined,
    );
    purpose = entitled.purpose;
    seen.purpose = purpose;
    requester.orgClass = entitled.organisation.class;
    records = planRecords(deps, req, resolveRecords(req, purpose), purpose);
  } catch (err) {
    if (err instanceof AppError && err.status < 500)
      await deps.limits.admit({ requester: requester.key, subjectKey: undefined, now: ctx.now });
    throw err;
  }
  const subjectKey = records[0]!.subjectKey;
  await deps.limits.admit({ requester: requester.key, subjectKey, now: ctx.now });
  if (await deps.protections?.bars(subjectKey, requester.principal)) {
    const barred = new UndisclosedRefusalError('protection_order');
    return refuse(deps, ctx, requester, purpose, records, barred, null);
  }
  return { purpose, records, subjectKey };
}
