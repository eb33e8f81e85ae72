/**
 * The consent token (DESIGN §8, consent.md §7.1): a short-lived compact JWS (`typ: consent+jwt`, ES256,
 * `kid` from our key store) projecting one version of a consent record to its requester. It binds the
 * exact terms through `rec_hash` (SHA-256 of the record's RFC 8785 canonical form); the record in the
 * database stays authoritative and is re-read on every use.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { decodeJwt, errors as joseErrors, jwtVerify, type JWTHeaderParameters, type KeyObject } from 'jose';
import { canonicalJson } from '../audit/preimage.js';
import { AppError } from '../errors.js';
import { signJwt } from '../keys/jws.js';
import type { KeyStore } from '../keys/key-store.js';
import type { ConsentRecord, ConsentTokenClaims } from './consents.types.js';

export const CONSENT_TOKEN_TYPE = 'consent+jwt';
/** DESIGN §7: iss/aud/exp/nbf are checked with at most 60 s of clock skew. */
export const CLOCK_SKEW_SECONDS = 60;
export const MAX_TOKEN_TTL_SECONDS = 600;

/** The terms a token commits to. Use counters are not terms: counting a use keeps the version. */
export function canonicalConsent(record: ConsentRecord): Record<string, unknown> {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    schemaVersion: record.schemaVersion,
    id: record.id,
    version: record.version,
    status: record.status,
    mode: record.mode,
    subjectKey: record.subjectKey,
    requester: {
      org: record.requesterOrg,
      class: record.requesterClass,
      clientId: record.clientId,
      clerkId: record.clerkId,
    },
    purpose: { code: record.purposeCode, legalBasis: record.legalBasis },
    recordTypes: record.recordTypes,
    fieldsRequested: record.fieldsRequested,
    fieldsGranted: record.fieldsGranted,
    dataRange: record.dataRange,
    usage: record.usage,
    dataLife: record.dataLife,
    durationDays: record.durationDays,
    validFrom: iso(record.validFrom),
    validUntil: iso(record.validUntil),
    collection: {
      method: record.collectionMethod,
      documentReference: record.documentReference,
      acr: record.acr,
      amr: record.amr,
      authTime: iso(record.authTime),
    },
    jurisdiction: record.jurisdiction,
    // Only when there is one, so the hash of every consent without it stays what it was.
    ...(record.separateAgreement ? { separateAgreement: record.separateAgreement } : {}),
  };
}

/** base64url SHA-256 of the canonical record. */
export function recordHash(record: ConsentRecord): string {
  return createHash('sha256')
    .update(canonicalJson(canonicalConsent(record)), 'utf8')
    .digest('base64url');
}

/**
 * Pairwise pseudonym of a citizen for one requesting organisation: two organisations cannot link their
 * tokens, and none learns the national ID (DESIGN §2.4).
 */
export function pairwiseSubject(pepper: Uint8Array, subjectKey: string, org: string): string {
  return createHmac('sha256', pepper).update(`pairwise\0${subjectKey}\0${org}`, 'utf8').digest('base64url');
}

export interface TokenContext {
  keys: KeyStore;
  issuer: string;
  audience: string;
}

export interface IssueInput {
  record: ConsentRecord;
  clientId: string;
  cnfJkt?: string | undefined;
  pepper: Uint8Array;
  now: Date;
  ttlSeconds: number;
}

export async function issueConsentToken(
  ctx: TokenContext,
  input: IssueInput,
): Promise<{ token: string; claims: ConsentTokenClaims }> {
  const { record, now } = input;
  if (!record.subjectKey || !record.validFrom || !record.validUntil || !record.fieldsGranted) {
    throw new Error('Only an approved consent can be projected into a token.');
  }
  const iat = Math.floor(now.getTime() / 1000);
  const ttl = Math.min(input.ttlSeconds, MAX_TOKEN_TTL_SECONDS);
  const exp = Math.min(iat + ttl, Math.floor(record.validUntil.getTime() / 1000));
  const nbf = Math.max(iat, Math.floor(record.validFrom.getTime() / 1000));
  const granted = record.fieldsGranted;
  const claims: ConsentTokenClaims = {
    iss: ctx.issuer,
    aud: ctx.audience,
    sub: pairwiseSubject(input.pepper, record.subjectKey, record.requesterOrg),
    jti: randomUUID(),
    iat,
    nbf,
    exp,
    cid: record.id,
    cver: record.version,
    rec_hash: record.recHash,
    client_id: input.clientId,
    org: record.requesterOrg,
    req_class: record.requesterClass,
    purpose: { code: record.purposeCode, legal_basis: record.legalBasis },
    authorization_details: record.recordTypes.map((recordType) => {
      const fields = granted[recordType];
      return {
        type: 'record_access' as const,
        record_type: recordType,
        actions: ['read'] as ['read'],
        fields: fields === 'all' || fields === undefined ? [] : [...fields],
        ...(record.dataRange ? { data_range: record.dataRange } : {}),
        ...separatelyAgreed(record, recordType),
      };
    }),
    usage: {
      fetch: record.usage.fetch,
      max_uses: record.maxUses,
      ...(record.usage.fetch === 'periodic' ? { freq: record.usage.frequency } : {}),
    },
    ...(record.dataLife ? { data_life: record.dataLife } : {}),
    ...(input.cnfJkt ? { cnf: { jkt: input.cnfJkt } } : {}),
    ...(record.acr ? { acr: record.acr } : {}),
    ...(record.amr ? { amr: record.amr } : {}),
    ...(record.authTime ? { auth_time: Math.floor(record.authTime.getTime() / 1000) } : {}),
  };
  const key = ctx.keys.current('consent-token');
  const token = await signJwt(key, { typ: CONSENT_TOKEN_TYPE }, { ...claims });
  return { token, claims };
}

export class ConsentInvalidError extends AppError {
  constructor(detail: string) {
    super(403, 'consent_invalid', 'The consent token is not valid', { detail });
  }
}

/**
 * Checks signature (any verifying key of the consent-token purpose, so rotated keys still verify until
 * they expire), `typ`, algorithm, `iss`, `aud`, `exp`/`nbf` against `now` with the allowed skew.
 * Everything else (client binding, record state) is the caller's job.
 */
export async function verifyConsentToken(
  ctx: TokenContext,
  token: string,
  now: Date,
): Promise<ConsentTokenClaims> {
  const keys = ctx.keys.verifyingKeys('consent-token');
  const resolve = (header: JWTHeaderParameters): KeyObject => {
    const key = keys.find((k) => k.kid === header.kid);
    if (!key) throw new ConsentInvalidError('The token is signed with a key we do not know.');
    return key.publicKey;
  };
  try {
    const { payload } = await jwtVerify(token, resolve, {
      issuer: ctx.issuer,
      audience: ctx.audience,
      typ: CONSENT_TOKEN_TYPE,
      algorithms: ['ES256'],
      currentDate: now,
      clockTolerance: CLOCK_SKEW_SECONDS,
      requiredClaims: [
        'iss',
        'aud',
        'sub',
        'jti',
        'iat',
        'nbf',
        'exp',
        'cid',
        'cver',
        'rec_hash',
        'client_id',
      ],
    });
    if (payload.exp! - payload.iat! > MAX_TOKEN_TTL_SECONDS) {
      throw new ConsentInvalidError('The token lives longer than consent tokens may.');
    }
    return payload as unknown as ConsentTokenClaims;
  } catch (err) {
    if (err instanceof ConsentInvalidError) throw err;
    throw new ConsentInvalidError(describeJoseError(err));
  }
}

/**
 * jose's failures in plain words under our one code, consent_invalid: its codes (ERR_JOSE_...) are a
 * library's vocabulary and change with it, so none reaches a caller.
 */
export function describeJoseError(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'The consent token has expired.';
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case 'nbf':
        return 'The consent token is not valid yet.';
      case 'iss':
        return 'The consent token was not issued by this service.';
      case 'aud':
        return 'The consent token is not meant for this service.';
      case 'typ':
        return `The token is not a consent token (typ must be ${CONSENT_TOKEN_TYPE}).`;
      default:
        return err.reason === 'missing'
          ? `The consent token lacks the claim "${err.claim}".`
          : `The consent token's claim "${err.claim}" is not valid.`;
    }
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed)
    return 'The consent token is signed with an algorithm consent tokens do not use (ES256 only).';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed)
    return 'The consent token signature is not valid.';
  if (err instanceof joseErrors.JOSENotSupported)
    return 'The consent token uses a header or algorithm this service does not support.';
  if (err instanceof joseErrors.JWSInvalid || err instanceof joseErrors.JWTInvalid)
    return 'The consent token is malformed.';
  return 'The consent token could not be verified.';
}

/** PIPA arts. 23/24: the items of this record type the citizen agreed to apart, by kind. */
function separatelyAgreed(record: ConsentRecord, recordType: string) {
  const sensitive = record.separateAgreement?.sensitive[recordType];
  const unique = record.separateAgreement?.uniqueIdentifier[recordType];
  if (!sensitive && !unique) return {};
  return {
    separate_agreement: {
      ...(sensitive ? { sensitive } : {}),
      ...(unique ? { unique_identifier: unique } : {}),
    },
  };
}

/**
 * The consent id a token names, read without verifying it: only to fetch the row early (the
 * query's admission statement). The token is verified before anything is decided on that row.
 */
export function consentIdNamedBy(token: string): string | undefined {
  try {
    const cid = decodeJwt(token).cid;
    return typeof cid === 'string' ? cid : undefined;
  } catch {
    return undefined;
  }
}
