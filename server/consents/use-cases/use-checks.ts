/**
 * Every check of one use against the consent record as it is now (DESIGN §10 codes): requester,
 * subject (and the token's pairwise sub), state and validity window, record hash and the token's
 * version, purpose, record types and fields. Returns the record and the fields granted to this use.
 */
import type { ClerkPrincipal, ClientPrincipal } from '../../auth/principal.js';
import type { Transaction } from '../../db/unit-of-work.js';
import { ForbiddenError } from '../../errors.js';
import {
  ConsentInvalidError,
  pairwiseSubject,
  recordHash,
  type verifyConsentToken,
} from '../consent-token.js';
import { fromRow, type ConsentRow } from '../consents.rows.js';
import type { ConsentRecord, ConsentMode, DataRange } from '../consents.types.js';
import type { SeparateAgreement } from '../separate-consent.js';
import type { Principal } from '../../auth/principal.js';
import { statusError, type ConsentsContext } from './context.js';

export interface AuthorizeUseInput {
  principal: Principal;
  subjectKey: string;
  purposeCode: string;
  recordTypes: string[];
  requestedFields: Record<string, string[] | 'all'>;
  consentToken?: string | undefined;
  consentId?: string | undefined;
  now: Date;
}

export interface ConsentGrant {
  consentId: string;
  version: number;
  mode: ConsentMode;
  grantedFields: Record<string, string[] | 'all'>;
  /** The records' period the citizen consented to; the release withholds what lies outside it. */
  dataRange?: DataRange | null;
  /** A dry run's count of the uses left before this one (the use itself included). */
  usesLeft?: number;
  /** PIPA arts. 23/24 items agreed to apart; the query refuses flagged items without it. */
  separateAgreement?: SeparateAgreement | null;
}

export type ConsentTokenClaims = Awaited<ReturnType<typeof verifyConsentToken>>;

export async function checkUse(
  ctx: ConsentsContext,
  use: {
    input: AuthorizeUseInput;
    principal: ClientPrincipal | ClerkPrincipal;
    consentId: string;
    claims: ConsentTokenClaims | undefined;
    /** The row as the caller read it (null: none); read here when absent. */
    row?: unknown;
  },
  trx: Transaction | undefined,
): Promise<{ record: ConsentRecord; granted: Record<string, string[] | 'all'> }> {
  const { input, principal, consentId, claims } = use;
  const { now } = input;
  const record =
    use.row === undefined
      ? await ctx.repo.get(consentId, trx)
      : use.row === null
        ? undefined
        : fromRow(use.row as ConsentRow);
  const requesterMatches =
    record !== undefined &&
    record.requesterOrg === principal.orgId &&
    (principal.kind === 'client' ? record.clientId === principal.clientId : record.clerkId !== null);
  if (!record || !requesterMatches) throw new ConsentInvalidError('No such consent for this requester.');
  if (record.subjectKey === null || record.subjectKey !== input.subjectKey) {
    throw new ForbiddenError('subject_mismatch', 'The consent is about another subject.');
  }
  if (claims && claims.sub !== pairwiseSubject(ctx.deps.pepper, input.subjectKey, principal.orgId)) {
    throw new ForbiddenError('subject_mismatch', 'The consent token is about another subject.');
  }
  if (record.status !== 'ACTIVE') throw statusError(record);
  if (!record.validFrom || !record.validUntil || now < record.validFrom || now >= record.validUntil) {
    throw new ForbiddenError('forbidden', 'The query is outside the consent’s validity.');
  }
  if (record.recHash !== recordHash(record)) {
    throw new ConsentInvalidError('The consent record does not match its hash.');
  }
  if (claims && (claims.cver !== record.version || claims.rec_hash !== record.recHash)) {
    throw new ConsentInvalidError('The consent has changed since this token was issued; fetch a new one.');
  }
  if (input.purposeCode !== record.purposeCode) {
    throw new ForbiddenError('forbidden', `The consent does not cover purpose ${input.purposeCode}.`);
  }
  if (input.recordTypes.length === 0) throw new ForbiddenError('forbidden', 'No record type requested.');
  const granted: Record<string, string[] | 'all'> = {};
  for (const rt of Object.keys(input.requestedFields)) {
    if (!input.recordTypes.includes(rt)) {
      throw new ForbiddenError('forbidden', `Fields were requested for ${rt}, which is not queried.`);
    }
  }
  for (const rt of input.recordTypes) {
    if (!record.recordTypes.includes(rt) || !record.fieldsGranted || record.fieldsGranted[rt] === undefined) {
      throw new ForbiddenError('forbidden', `The consent does not cover record type ${rt}.`);
    }
    const allowed = record.fieldsGranted[rt]!;
    const asked = input.requestedFields[rt] ?? 'all';
    if (asked === 'all') {
      granted[rt] = allowed === 'all' ? 'all' : [...allowed];
      continue;
    }
    if (allowed !== 'all') {
      const outside = asked.filter((f) => !allowed.includes(f));
      if (outside.length) {
        throw new ForbiddenError(
          'forbidden',
          `The consent does not cover ${rt} fields: ${outside.join(', ')}.`,
        );
      }
    }
    granted[rt] = [...new Set(asked)];
  }
  return { record, granted };
}
