/**
 * Authorize use: the verification every query runs, and the use it counts.
 *
 * ## For the query gateway: `authorizeUse(input, { trx })`
 *
 * ```ts
 * const grant = await consents.authorizeUse(
 *   {
 *     principal,            // client (bank / institution API) or clerk (console)
 *     subjectKey,           // HMAC(pepper, canonical national ID) of the subject the query is about
 *     purposeCode,          // the query's coded purpose
 *     recordTypes,          // record types this query reads (non-empty)
 *     requestedFields,      // per record type: field names, or 'all' = every field the consent grants
 *     consentToken,         // clients: the compact consent+jwt from POST /v1/consents/{id}/token
 *     consentId,            // clerks: the consent record id (citizen, attested or statutory mode)
 *     now,                  // the gateway's clock for this request
 *   },
 *   { trx },                // the gateway's transaction: commit it together with the audit entry
 * );
 * // → { consentId, version, mode: 'citizen' | 'attested' | 'statutory',
 * //     grantedFields: { [recordType]: string[] | 'all' } }   ('all' only for attested / statutory records)
 * ```
 *
 * What it checks, in order (the first failure throws an AppError with a DESIGN §10 code):
 * 1. `consent_required` — a client sent no token, or a clerk no consent id; other principals: `forbidden`.
 * 2. `consent_invalid` — the token's signature (any verifying consent-token key, so rotated keys keep
 *    verifying), `typ: consent+jwt`, ES256, `iss`, `aud`, `nbf`/`exp` (≤ 60 s skew) or lifetime fail; it
 *    was issued to another client or organisation; its `cnf.jkt` is not the caller's DPoP key; the
 *    record does not exist or belongs to another requester; or the token describes an older version of
 *    the record (`cver` / `rec_hash` differ from the record now: fetch a new token).
 * 3. `subject_mismatch` — the record (and the token's pairwise `sub`) is about someone else.
 * 4. `consent_revoked` (REVOKED), `consent_exhausted` (EXHAUSTED), `forbidden` for every other state
 *    (REQUESTED, REJECTED, PAUSED, EXPIRED) and outside the record's validity window.
 * 5. `forbidden` — purpose, a record type or a named field outside the consent.
 * 6. The use is counted by ONE conditional UPDATE (`status = 'ACTIVE' AND version = v AND use_count <
 *    max_uses AND valid_from <= now < valid_until`) in the caller's transaction. A revocation that
 *    commits first makes it match nothing (→ `consent_revoked`); a revocation that comes later waits on the
 *    row lock until the caller's transaction ends. So no use succeeds after a revocation commits. The use
 *    that reaches `max_uses` also moves the record to EXHAUSTED (new version, event, webhook) in that
 *    transaction. If the caller rolls back (audit failure), the use is not counted.
 *    `useGuard(grant, now)` is the same UPDATE as a StatementGuard for a dry run's grant, so the
 *    gateway commits the use and its audit entries in one statement; none for the last use.
 * The DB record is always re-read; the token only proves which terms the requester was given.
 */
import type { ClerkPrincipal, ClientPrincipal } from '../../auth/principal.js';
import type { StatementGuard } from '../../db/statement-guard.js';
import type { Transaction } from '../../db/unit-of-work.js';
import { ForbiddenError } from '../../errors.js';
import { ConsentInvalidError, verifyConsentToken } from '../consent-token.js';
import { statusError, type ConsentsContext } from './context.js';
import { exhaust, exhaustion } from './records.js';
import { webhookEvent } from '../webhooks.js';
import type { ConsentRecord } from '../consents.types.js';
import {
  checkUse,
  type AuthorizeUseInput,
  type ConsentGrant,
  type ConsentTokenClaims,
} from './use-checks.js';

export type { AuthorizeUseInput, ConsentGrant };

export async function authorizeUse(
  ctx: ConsentsContext,
  input: AuthorizeUseInput,
  options: {
    trx?: Transaction;
    dryRun?: boolean;
    checked?: ConsentGrant;
    /** The consent row as the caller already read it (null: none), for a dry run of that consent. */
    prefetched?: { consentId: string; row: unknown };
  } = {},
): Promise<ConsentGrant> {
  const { principal, now } = input;
  const outer = options.trx;
  // The caller's dry run of this same input already passed every check against this version:
  // the terms cannot have changed while the version is the same, and countUse re-checks state,
  // validity and the use count. Anything else (raced, changed) takes the full path below,
  // which says why.
  if (options.checked && outer) {
    const grant = options.checked;
    const trx = outer;
    const counted = await ctx.repo.countUse(grant.consentId, grant.version, now, trx);
    if (counted) {
      if (counted.useCount >= counted.maxUses) await exhaust(ctx, trx, counted, now);
      return grant;
    }
  }
  let consentId: string;
  let requester: ClientPrincipal | ClerkPrincipal;
  let claims: ConsentTokenClaims | undefined;
  if (principal.kind === 'client') {
    if (!input.consentToken) throw new ForbiddenError('consent_required', 'A consent token is required.');
    claims = await verifyConsentToken(ctx.tokenCtx, input.consentToken, now);
    if (claims.client_id !== principal.clientId || claims.org !== principal.orgId) {
      throw new ConsentInvalidError('The consent token was issued to another client.');
    }
    if (claims.cnf?.jkt !== undefined && claims.cnf.jkt !== principal.cnfJkt) {
      throw new ConsentInvalidError('The consent token is bound to another key.');
    }
    consentId = claims.cid;
    requester = principal;
  } else if (principal.kind === 'clerk') {
    if (!input.consentId) throw new ForbiddenError('consent_required', 'A consent reference is required.');
    consentId = input.consentId;
    requester = principal;
  } else {
    throw new ForbiddenError('forbidden', 'Only clients and clerks query records.');
  }

  // A dry run (the gateway's check before it reads any registry) makes every check of a real
  // use, the use count included, from one read and without a transaction; it counts nothing.
  const checked = (trx: Transaction | undefined, row?: unknown) =>
    checkUse(
      ctx,
      { input, principal: requester, consentId, claims, ...(row !== undefined ? { row } : {}) },
      trx,
    );
  if (options.dryRun) {
    // The caller's row counts only if it is the row of the consent now verified to be named.
    const prefetched = options.prefetched?.consentId === consentId ? options.prefetched.row : undefined;
    const { record, granted } = await checked(outer, prefetched);
    // countUse's condition; everything else it re-checks was checked above.
    if (record.useCount >= record.maxUses) {
      throw new ForbiddenError('consent_exhausted', 'Every use this consent allows has been made.');
    }
    const grant: ConsentGrant = {
      consentId: record.id,
      version: record.version,
      mode: record.mode,
      grantedFields: granted,
      dataRange: record.dataRange,
      usesLeft: record.maxUses - record.useCount,
      separateAgreement: record.separateAgreement ?? null,
    };
    checkedRecords.set(grant, record);
    return grant;
  }

  const inTx = <T>(work: (trx: Transaction) => Promise<T>): Promise<T> =>
    outer ? work(outer) : ctx.repo.transaction(work);
  return inTx(async (trx) => {
    const { record, granted } = await checked(trx);
    const counted = await ctx.repo.countUse(record.id, record.version, now, trx);
    if (!counted) {
      // Lost a race (revoked, paused or exhausted meanwhile): say why, from the row as it is now.
      const current = await ctx.repo.get(record.id, trx);
      if (current && current.status !== 'ACTIVE') throw statusError(current);
      if (current && current.version !== record.version) {
        throw new ConsentInvalidError('The consent changed during this request.');
      }
      throw new ForbiddenError('consent_exhausted', 'Every use this consent allows has been made.');
    }
    if (counted.useCount >= counted.maxUses) await exhaust(ctx, trx, counted, now);
    return {
      consentId: record.id,
      version: record.version,
      mode: record.mode,
      grantedFields: granted,
      dataRange: record.dataRange,
      separateAgreement: record.separateAgreement ?? null,
    };
  });
}

/** The record each dry run's grant was checked against, for its guard (keyed by the grant itself). */
const checkedRecords = new WeakMap<ConsentGrant, ConsentRecord>();

/**
 * The use a dry run checked, as a guard the caller's audit append is conditional on (one
 * statement instead of a transaction). The last use writes the EXHAUSTED version, its event and
 * webhook in that same statement (what exhaust() writes in a transaction), from the record the dry
 * run checked. If the guard matches nothing (revoked, paused or changed meanwhile), nothing was
 * written: call `authorizeUse({ trx })` to learn why. Undefined for a grant no dry run made.
 */
export function useGuard(ctx: ConsentsContext, grant: ConsentGrant, now: Date): StatementGuard | undefined {
  if (grant.usesLeft === undefined) return undefined;
  if (grant.usesLeft > 1) return ctx.repo.useGuard(grant.consentId, grant.version, now);
  const checked = checkedRecords.get(grant);
  if (!checked || grant.usesLeft !== 1) return undefined;
  const { next, event } = exhaustion(checked, now);
  const webhook =
    next.webhookUrl && next.clientId
      ? { url: next.webhookUrl, audience: next.clientId, payload: webhookEvent(next, event) }
      : null;
  return ctx.repo.exhaustGuard(next, event, webhook);
}
