/**
 * Key sets for configured issuers. Keys come only from configuration (a JWKS URL or an inline
 * JWKS) — never from token headers: jose ignores `jku`, `x5u`, `x5c` and embedded `jwk` here.
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  errors,
  type FetchImplementation,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from 'jose';

// Members that only private or symmetric keys carry.
const SECRET_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'];

/**
 * An inline key set must hold public keys only, each kid at most once: a private or symmetric
 * key in a verification set means someone pasted the wrong file, and duplicate kids make key
 * selection ambiguous.
 */
export function assertPublicJwks(jwks: unknown): JSONWebKeySet {
  if (typeof jwks !== 'object' || jwks === null || !Array.isArray((jwks as { keys?: unknown }).keys)) {
    throw new Error('A JWKS must be an object with a "keys" array.');
  }
  const keys = (jwks as { keys: unknown[] }).keys;
  const kids = new Set<string>();
  for (const key of keys) {
    if (typeof key !== 'object' || key === null) throw new Error('Every JWKS member must be an object.');
    const jwk = key as Record<string, unknown>;
    if (jwk.kty === 'oct' || SECRET_MEMBERS.some((member) => member in jwk)) {
      throw new Error('A verification JWKS must contain public keys only.');
    }
    if (typeof jwk.kid === 'string') {
      if (kids.has(jwk.kid)) throw new Error(`The JWKS holds more than one key with kid "${jwk.kid}".`);
      kids.add(jwk.kid);
    }
  }
  return jwks as JSONWebKeySet;
}

export function createStaticKeySet(jwks: unknown): JWTVerifyGetKey {
  return createLocalJWKSet(assertPublicJwks(jwks));
}

export interface RemoteKeySetOptions {
  cooldownMs: number;
  cacheMaxAgeMs: number;
  timeoutMs: number;
  fetch?: FetchImplementation;
}

/** Plain http is allowed for loopback issuers only (the dev IdP and tests). */
export function assertJwksUri(uri: string): URL {
  const url = new URL(uri);
  const loopback = url.hostname === '127.0.0.1' || url.hostname === '[::1]' || url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new Error(`JWKS URI ${url.origin} must use https.`);
  }
  return url;
}

/** A fetch that failed (network, timeout, non-200, not a key set), as opposed to a key not found. */
function fetchFailed(err: unknown): boolean {
  if (!(err instanceof errors.JOSEError)) return true;
  return (
    err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || err.code === 'ERR_JOSE_GENERIC'
  );
}

/**
 * jose's remote key set refetches for an unknown kid at most once per cooldown after a successful
 * fetch, but after a failed one it tries again on every request: with the issuer down, each token
 * with an unknown kid cost a connection attempt (reliability check F9). Here a failed fetch starts
 * the cooldown too; during it the keys already held (while within their max age) still verify and
 * anything else fails at once, without a fetch.
 */
export function createRemoteKeySet(uri: string, options: RemoteKeySetOptions): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(assertJwksUri(uri), {
    cooldownDuration: options.cooldownMs,
    cacheMaxAge: options.cacheMaxAgeMs,
    timeoutDuration: options.timeoutMs,
    ...(options.fetch ? { [customFetch]: options.fetch } : {}),
  });
  let failedAt = Number.NEGATIVE_INFINITY;
  let held: { jwks: JSONWebKeySet; local: JWTVerifyGetKey } | undefined;
  return async (header, token) => {
    if (Date.now() < failedAt + options.cooldownMs) {
      const jwks = remote.fresh ? remote.jwks() : undefined;
      if (!jwks) throw new errors.JOSEError('The issuer key set could not be fetched.');
      if (held?.jwks !== jwks) held = { jwks, local: createLocalJWKSet(jwks) };
      return held.local(header, token);
    }
    try {
      return await remote(header, token);
    } catch (err) {
      if (fetchFailed(err)) failedAt = Date.now();
      throw err;
    }
  };
}
