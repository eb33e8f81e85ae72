/**
 * The consent a query rests on, as the request names it: a citizen's consent token (institutional
 * clients), or a clerk's mode at the counter: a consent already given, an attested paper consent or
 * a statutory basis (both recorded here). Statutory-only record types refuse anything else.
 */
import { ForbiddenError } from '../errors.js';
import type { Purpose } from '../organisations/organisations.types.js';
import type { QueryDeps } from './queries.ports.js';
import type { QueryRequest } from './queries.types.js';
import { Refusal, type PlannedRecord, type Requester } from './query-plan.js';

export interface EstablishedConsent {
  consentId?: string;
  consentToken?: string;
  mode: 'citizen' | 'attested' | 'statutory';
}

export async function establishConsent(
  deps: Pick<QueryDeps, 'consents'>,
  requester: Requester,
  req: QueryRequest,
  purpose: Purpose,
  records: PlannedRecord[],
  subjectKey: string,
  now: Date,
): Promise<EstablishedConsent> {
  const ref = req.consent;
  const statutoryOnly = records.some((r) => r.type.consentClass === 'statutory-only');
  const statutoryAllowed = purpose.consentBasis !== 'consent';
  if (!ref)
    throw new Refusal(new ForbiddenError('consent_required', 'This query needs a consent reference.'));
  if ('token' in ref) {
    if (requester.principal.kind !== 'client') {
      throw new Refusal(new ForbiddenError('consent_invalid', 'Clerks give a consent mode, not a token.'));
    }
    if (statutoryOnly) {
      throw new Refusal(
        new ForbiddenError('consent_invalid', 'These records are released on a statutory basis only.'),
      );
    }
    return { consentToken: ref.token, mode: 'citizen' };
  }
  if (requester.principal.kind !== 'clerk') {
    throw new Refusal(
      new ForbiddenError('consent_required', 'Institutional clients present a consent token.'),
    );
  }
  const clerk = requester.principal;
  const recordTypes = records.map((r) => r.type.id);
  if (ref.mode === 'statutory') {
    if (!statutoryAllowed) {
      throw new Refusal(
        new ForbiddenError(
          'consent_required',
          `Purpose ${purpose.code} has no statutory basis; the citizen must consent.`,
        ),
      );
    }
    const { id } = await deps.consents.recordStatutoryBasis({
      clerk,
      subjectKey,
      purposeCode: purpose.code,
      recordTypes,
      now,
    });
    return { consentId: id, mode: 'statutory' };
  }
  if (statutoryOnly) {
    throw new Refusal(
      new ForbiddenError('consent_invalid', 'These records are released on a statutory basis only.'),
    );
  }
  if (ref.mode === 'attested') {
    const { id } = await deps.consents.recordAttestedConsent({
      clerk,
      subjectKey,
      purposeCode: purpose.code,
      recordTypes,
      documentReference: ref.documentReference,
      ...(ref.separateAgreement ? { separateAgreement: true } : {}),
      now,
    });
    return { consentId: id, mode: 'attested' };
  }
  return { consentId: ref.consentId, mode: 'citizen' };
}
