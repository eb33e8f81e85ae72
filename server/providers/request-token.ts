/**
 * The request token of openapi/provider.yaml: a short-lived JWT signed with our provider key that
 * authenticates the gateway to a registry and binds one HTTP request (method, path, body hash,
 * request id), so a token copied from a log cannot fetch anything else. Shared by the HTTP
 * adapter (sign) and the reference registry (verify).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';
import type { RequestSigningKey } from './provider-key.js';

export const REQUEST_TOKEN_TYPE = 'provider-request+jwt';
export const REQUEST_TOKEN_LIFETIME_S = 60;
const CLOCK_TOLERANCE_S = 10;

export interface RequestBinding {
  method: string;
  /** Path of the request URL, e.g. /v1/records/land.ledger:fetch */
  path: string;
  body: string | Uint8Array;
  requestId: string;
  purpose?: string;
}

export interface RequestTokenClaims extends JWTPayload {
  htm: string;
  htp: string;
  bh: string;
  rid: string;
  purpose?: string;
}

export function bodyHash(body: string | Uint8Array): string {
  return createHash('sha256').update(body).digest('base64url');
}

export async function signRequestToken(
  key: RequestSigningKey,
  options: { issuer: string; audience: string; now?: Date } & RequestBinding,
): Promise<string> {
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const claims: Omit<RequestTokenClaims, 'iss' | 'aud'> = {
    htm: options.method,
    htp: options.path,
    bh: bodyHash(options.body),
    rid: options.requestId,
    ...(options.purpose ? { purpose: options.purpose } : {}),
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: REQUEST_TOKEN_TYPE })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + REQUEST_TOKEN_LIFETIME_S)
    .setJti(randomUUID())
    .sign(key.privateKey);
}

export class RequestTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RequestTokenError';
  }
}

/** Remembers token ids until they expire; a second use is a replay. */
export class ReplayCache {
  readonly #seen = new Map<string, number>();
  readonly #max: number;
  constructor(max = 100_000) {
    this.#max = max;
  }
  /** True when jti is new (and records it). */
  remember(jti: string, expiresAtMs: number, nowMs: number): boolean {
    if (this.#seen.size >= this.#max) {
      for (const [id, exp] of this.#seen) if (exp <= nowMs) this.#seen.delete(id);
      if (this.#seen.size >= this.#max) return false; // fail closed when flooded
    }
    const seen = this.#seen.get(jti);
    if (seen !== undefined && seen > nowMs) return false;
    this.#seen.set(jti, expiresAtMs);
    return true;
  }
}

/**
 * A LocalJWKSet imports each key once, so keep one per key set: by the array's identity when the
 * caller keeps its array (watchedProviderPublicKeys), else by content (the last one seen).
 */
const keySets = new WeakMap<readonly JWK[], ReturnType<typeof createLocalJWKSet>>();
let lastSet: { id: string; resolve: ReturnType<typeof createLocalJWKSet> } | undefined;
function trustedKeySet(keys: readonly JWK[]) {
  const known = keySets.get(keys);
  if (known) return known;
  const id = JSON.stringify(keys);
  if (lastSet?.id !== id) lastSet = { id, resolve: createLocalJWKSet({ keys: [...keys] }) };
  keySets.set(keys, lastSet.resolve);
  return lastSet.resolve;
}

export async function verifyRequestToken(
  token: string,
  options: {
    keys: readonly JWK[];
    issuer: string;
    audience: string;
    replay: ReplayCache;
    now?: Date;
  } & RequestBinding,
): Promise<RequestTokenClaims> {
  const now = options.now ?? new Date();
  let payload: RequestTokenClaims;
  try {
    ({ payload } = (await jwtVerify(token, trustedKeySet(options.keys), {
      algorithms: ['ES256', 'EdDSA'],
      typ: REQUEST_TOKEN_TYPE,
      issuer: options.issuer,
      audience: options.audience,
      requiredClaims: ['iat', 'exp', 'jti', 'htm', 'htp', 'bh', 'rid'],
      clockTolerance: CLOCK_TOLERANCE_S,
      maxTokenAge: REQUEST_TOKEN_LIFETIME_S + CLOCK_TOLERANCE_S,
      currentDate: now,
    })) as { payload: RequestTokenClaims });
  } catch (err) {
    throw new RequestTokenError(`request token rejected: ${(err as Error).message}`);
  }
  if (payload.htm !== options.method || payload.htp !== options.path) {
    throw new RequestTokenError('request token was issued for another request');
  }
  if (payload.bh !== bodyHash(options.body))
    throw new RequestTokenError('request body does not match the token');
  if (payload.rid !== options.requestId) throw new RequestTokenError('request id does not match the token');
  if (!options.replay.remember(payload.jti!, payload.exp! * 1000, now.getTime())) {
    throw new RequestTokenError('request token was already used');
  }
  return payload;
}
