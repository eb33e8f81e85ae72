/**
 * Key sets for configured issuers. Keys come only from configuration (a JWKS URL or an inline
 * JWKS) — never from token headers: jose ignores `jku`, `x5u`, `x5c` and embedded `jwk` here.
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
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

export function createRemoteKeySet(uri: string, options: RemoteKeySetOptions): JWTVerifyGetKey {
  return createRemoteJWKSet(assertJwksUri(uri), {
    cooldownDuration: options.cooldownMs,
    cacheMaxAge: options.cacheMaxAgeMs,
    timeoutDuration: options.timeoutMs,
    ...(options.fetch ? { [customFetch]: options.fetch } : {}),
  });
}
