/**
 * The consent check before any registry is read: the consent the request names, one use checked
 * without counting it (a dry run on the row the admission statement read, no transaction), and the items PIPA arts. 23 and 24
 * want agreed to apart. A refusal here writes its denied entries; nothing is fetched. The counted
 * use commits later with the audit entries (run-query.ts), so a revocation that commits while the
 * registries are read still stops the release.
 */
import { assertSeparateAgreement } from '../consents/separate-consent.js';
import type { Transaction } from '../db/unit-of-work.js';
import { AppError } from '../errors.js';
import type { Purpose } from '../organisations/organisations.types.js';
import type { Admitted } from './admission.js';
import { establishConsent, type EstablishedConsent } from './establish-consent.js';
import type { ConsentGrant, PrefetchedConsent, QueryDeps } from './queries.ports.js';
import type { QueryRequest } from './queries.types.js';
import { refuse, requestedFields } from './query-audit.js';
import { needsConsent, Refusal, type QueryContext, type Requester } from './query-plan.js';
import { releasedOutputs } from './release.js';

export interface CheckedConsent {
  consent: EstablishedConsent;
  checked: ConsentGrant;
  /** Counts the use inside `trx` against the checked version (re-checking everything). */
  authorize(trx: Transaction): Promise<ConsentGrant>;
}

export async function checkConsent(
  deps: Pick<QueryDeps, 'consents' | 'policy' | 'audit'>,
  requester: Requester,
  req: QueryRequest,
  ctx: QueryContext,
  admitted: Admitted & { purpose: Purpose },
): Promise<CheckedConsent> {
  const { purpose, records, subjectKey } = admitted;
  const consented = records.filter((r) => needsConsent(r.type));
  let consent: EstablishedConsent | undefined;
  let checked: ConsentGrant | undefined;
  const authorize = (options: {
    trx?: Transaction;
    dryRun?: boolean;
    checked?: ConsentGrant;
    prefetched?: PrefetchedConsent;
  }) =>
    deps.consents.authorizeUse(
      {
        principal: requester.principal,
        subjectKey,
        purposeCode: purpose.code,
        recordTypes: consented.map((r) => r.type.id),
        requestedFields: requestedFields(consented),
        ...(consent?.consentToken ? { consentToken: consent.consentToken } : {}),
        ...(consent?.consentId ? { consentId: consent.consentId } : {}),
        now: ctx.now,
      },
      options,
    );
  try {
    consent = await establishConsent(deps, requester, req, purpose, records, subjectKey, ctx.now);
    checked = await authorize({
      dryRun: true,
      ...(admitted.consent ? { prefetched: admitted.consent } : {}),
    });
    for (const r of consented) {
      const outputs = releasedOutputs(deps, requester, purpose, r, checked, req);
      assertSeparateAgreement(r.type, checked.mode, checked.separateAgreement, outputs);
    }
  } catch (err) {
    const error = err instanceof Refusal ? err.error : err;
    if (error instanceof AppError && error.status < 500) {
      const ref = consent ? { id: consent.consentId, mode: consent.mode } : null;
      return refuse(deps, ctx, requester, purpose, records, error, ref);
    }
    throw error;
  }
  const grant = checked;
  return { consent, checked: grant, authorize: (trx) => authorize({ trx, checked: grant }) };
}
