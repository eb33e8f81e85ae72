/**
 * A query's admission: the requester entitled to the purpose (organisation and client active), the
 * records planned against it, then one statement (queries.repo.ts): the DPoP proof id claimed,
 * the requester's budget and harvesting counters taken, the subject's protection orders consulted
 * and the consent the request names read. A query refused before its budget is taken still spends
 * it, so a flood of refused queries meets the same 429 as a flood of answered ones (reliability
 * check A10).
 */
import { AppError, UndisclosedRefusalError } from '../errors.js';
import type { Purpose } from '../organisations/organisations.types.js';
import { consentIdNamedBy } from '../consents/consent-token.js';
import type { PrefetchedConsent, QueryDeps } from './queries.ports.js';
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
  /** The consent the request names, as the admission statement read it. */
  consent?: PrefetchedConsent | undefined;
}

/** The consent a request names before anything is verified (attested and statutory ones are made later). */
function namedConsent(req: QueryRequest): string | undefined {
  const ref = req.consent;
  if (!ref) return undefined;
  if ('token' in ref) return consentIdNamedBy(ref.token);
  return ref.mode === 'citizen' ? ref.consentId : undefined;
}

/** `seen` keeps the purpose once the requester is found entitled to it (for the refusal's entry). */
export async function admit(
  deps: Pick<QueryDeps, 'entitlements' | 'limits' | 'catalog' | 'subjectKeyOf' | 'audit'>,
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
      await deps.limits.admit({
        requester: requester.key,
        subjectKey: undefined,
        now: ctx.now,
        proof: ctx.proof,
      });
    throw err;
  }
  const subjectKey = records[0]!.subjectKey;
  const { principal } = requester;
  const admission = await deps.limits.admit({
    requester: requester.key,
    subjectKey,
    now: ctx.now,
    proof: ctx.proof,
    ...(principal.kind === 'client' || principal.kind === 'clerk'
      ? {
          parties: {
            orgId: principal.orgId,
            clerkId: principal.kind === 'clerk' ? principal.clerkId : undefined,
          },
        }
      : {}),
    consentId: namedConsent(req),
  });
  if (admission.barred) {
    const barred = new UndisclosedRefusalError('protection_order');
    return refuse(deps, ctx, requester, purpose, records, barred, null);
  }
  return { purpose, records, subjectKey, consent: admission.consent };
}
