/**
 * The verification query (DESIGN §4): admission → consent checked (not yet counted) → registries
 * read in parallel under one deadline → policy → the counted use and the audit entries committed
 * together → the answer (with signed copies when asked).
 *
 * The counted use commits with the audit entries, after the fetch, so a revocation that commits
 * while registries are being read stops the release (no record leaves after a revocation commits).
 * That is one statement (the consent's conditional UPDATE guards the audit INSERT; the last use
 * also writes the EXHAUSTED version, its event and webhook there); a use whose guard matched
 * nothing takes a transaction that re-checks and says why.
 */
import type { AuditReceipt } from '../audit/audit.types.js';
import { AppError, AuditUnavailableError } from '../errors.js';
import type { Purpose } from '../organisations/organisations.types.js';
import { appendWith } from './audit-refusal.js';
import { admit } from './admission.js';
import { checkConsent, type CheckedConsent } from './consent-check.js';
import { fetchOutcomes, settle, signCopies } from './fetch-settle.js';
import type { ConsentGrant, QueryDeps } from './queries.ports.js';
import type { QueryRequest, QueryResponse, RecordResult } from './queries.types.js';
import { refuse } from './query-audit.js';
import { needsConsent, type QueryContext, type Requester } from './query-plan.js';

/** `seen` keeps the purpose once the requester is found entitled to it. */
export async function runQuery(
  deps: QueryDeps,
  requester: Requester,
  req: QueryRequest,
  ctx: QueryContext,
  seen: { purpose?: Purpose },
): Promise<QueryResponse> {
  const admitted = await admit(deps, requester, req, ctx, seen);
  const { purpose, records } = admitted;
  const consentNeeded = records.some((r) => needsConsent(r.type));
  const consent: CheckedConsent | undefined = consentNeeded
    ? await checkConsent(deps, requester, req, ctx, admitted)
    : undefined;

  const outcomes = await fetchOutcomes(deps, records, ctx);
  const consentRef = consent ? { id: consent.consent.consentId, mode: consent.consent.mode } : null;
  const query = { ctx, requester, purpose, req };

  let grant: ConsentGrant | undefined;
  let receipts: AuditReceipt[] | undefined;
  let results: Omit<RecordResult, 'audit'>[] = [];
  // One statement (one round trip, its own transaction): the checked use counted by a conditional
  // UPDATE and the audit entries inserted only if it matched. Without a consent the entries are
  // the only write. A race (revoked, paused, changed meanwhile) takes the transaction below, which
  // re-checks and says why.
  const guard = consent ? deps.consents.useGuard(consent.checked, ctx.now) : undefined;
  if (!consent || guard) {
    grant = consent?.checked;
    const settled = settle(deps, query, outcomes, grant, consentRef);
    results = settled.results;
    receipts = await appendWith(() =>
      guard ? deps.audit.appendIf(guard, settled.entries) : deps.audit.appendMany(settled.entries),
    );
  }
  if (!receipts) {
    try {
      ({ grant, receipts, results } = await deps.unitOfWork(async (trx) => {
        const grant = await consent!.authorize(trx);
        const { results, entries } = settle(deps, query, outcomes, grant, consentRef);
        const receipts = await appendWith(() => deps.audit.appendMany(entries, { trx }));
        return { grant, receipts, results };
      }));
    } catch (err) {
      if (err instanceof AuditUnavailableError) throw err;
      if (err instanceof AppError && err.status < 500 && consentNeeded) {
        // The consent changed while the registries were read: nothing is released.
        return refuse(deps, ctx, requester, purpose, records, err, consentRef);
      }
      throw err;
    }
  }

  const response: QueryResponse = {
    queryId: ctx.requestId,
    purpose: purpose.code,
    mode: req.mode,
    consent: grant ? { id: grant.consentId, mode: grant.mode } : { id: null, mode: 'none' },
    records: results.map((r, i) => ({
      ...r,
      audit: { entryId: receipts[i]!.entryId, digest: receipts[i]!.digest },
    })),
  };
  if (req.signedCopy) await signCopies(deps, requester, response, ctx);
  return response;
}
