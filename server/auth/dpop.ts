/**
 * DPoP proof checks for a resource server (RFC 9449 §4.3 and §7.1). Server-provided nonces are
 * not used; replay is stopped by remembering each proof's jti for as long as it could be accepted.
 */
import { createHash } from 'node:crypto';
import {
  calculateJwkThumbprint,
  decodeProtectedHeader,
  importJWK,
  jwtVerify,
  type CryptoKey,
  type JWK,
} from 'jose';
import { UnauthenticatedError } from '../errors.js';
import type { ReplayStore } from './replay-store.js';

export interface DPoPCheck {
  proof: string | readonly string[] | undefined;
  method: string;
  /** The absolute URL of the request as the client addressed it (scheme and host included). */
  url: string;
  accessToken: string;
  /** The `cnf.jkt` of the access token. */
  expectedJkt: string;
  /** This request's store instead of the verifier's (a deferred claim: server/auth/deferred-proof.ts). */
  replayStore?: ReplayStore | undefined;
}

export interface DPoPVerifierOptions {
  algorithms: readonly string[];
  clockToleranceSec: number;
  /** How long after its `iat` a proof is still accepted. */
  maxAgeSec: number;
  replayStore: ReplayStore;
  now?: () => number;
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'];
const MAX_JTI_LENGTH = 256;

/** The refusal of a replayed proof, also given where a deferred claim finds one (deferred-proof.ts). */
export const USED_BEFORE = 'it has been used before';

function fail(reason: string): never {
  throw new UnauthenticatedError(`The DPoP proof is not valid: ${reason}.`);
}

/** RFC 9449 §4.3 step 9: compare without query and fragment, after URL normalisation. */
export function normalizeHtu(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    return `${url.origin}${url.pathname}`;
  } catch {
    return undefined;
  }
}

export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

function singleProof(proof: DPoPCheck['proof']): string {
  if (proof === undefined || proof === '') fail('a DPoP header is required for this token');
  if (typeof proof !== 'string') {
    if (proof.length !== 1) fail('exactly one DPoP header is allowed');
    return singleProof(proof[0]);
  }
  return proof;
}

/** A client signs every proof with the same key: import it and take its thumbprint once. */
const KEY_CACHE_SIZE = 1000;

interface ProofKey {
  key: CryptoKey;
  jkt: string;
}

export function createDPoPVerifier(options: DPoPVerifierOptions) {
  const now = options.now ?? Date.now;
  const { algorithms, clockToleranceSec, maxAgeSec, replayStore } = options;
  // Keyed by the header's algorithm and JWK as sent, so a different JWK text is a different entry.
  const keys = new Map<string, Promise<ProofKey>>();
  const proofKey = (jwk: JWK, alg: string): Promise<ProofKey> => {
    const id = `${alg}.${JSON.stringify(jwk)}`;
    let entry = keys.get(id);
    if (entry) {
      keys.delete(id); // most recently used last
      keys.set(id, entry);
      return entry;
    }
    entry = (async () => {
      const key = await importJWK(jwk, alg);
      // What jose's EmbeddedJWK insists on: an asymmetric public key.
      if (key instanceof Uint8Array || key.type !== 'public') throw new TypeError('not a public key');
      return { key, jkt: await calculateJwkThumbprint(jwk, 'sha256') };
    })();
    entry.catch(() => keys.delete(id));
    keys.set(id, entry);
    if (keys.size > KEY_CACHE_SIZE) keys.delete(keys.keys().next().value!);
    return entry;
  };

  return async function verifyDPoPProof(check: DPoPCheck): Promise<{ jkt: string }> {
    const proof = singleProof(check.proof);

    let header;
    try {
      header = decodeProtectedHeader(proof);
    } catch {
      fail('it is not a compact JWS');
    }
    if (header.typ !== 'dpop+jwt') fail('its typ must be dpop+jwt');
    if (typeof header.alg !== 'string' || !algorithms.includes(header.alg)) fail('its alg is not accepted');
    const jwk = header.jwk as JWK | undefined;
    if (typeof jwk !== 'object' || jwk === null) fail('it has no jwk header');
    if (PRIVATE_MEMBERS.some((member) => member in jwk)) fail('its jwk must be a public key');

    let payload;
    let key: ProofKey;
    try {
      key = await proofKey(jwk, header.alg);
      ({ payload } = await jwtVerify(proof, key.key, {
        algorithms: [...algorithms],
        typ: 'dpop+jwt',
        requiredClaims: ['jti', 'htm', 'htu', 'iat'],
        currentDate: new Date(now()),
      }));
    } catch {
      fail('its signature or claims could not be verified');
    }

    const { jti, htm, htu, iat, ath } = payload as Record<string, unknown>;
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) fail('jti is invalid');
    if (htm !== check.method.toUpperCase()) fail('htm does not match the request method');
    const expectedHtu = normalizeHtu(check.url);
    if (typeof htu !== 'string' || expectedHtu === undefined || normalizeHtu(htu) !== expectedHtu) {
      fail('htu does not match the request URL');
    }
    const nowSec = Math.floor(now() / 1000);
    if (typeof iat !== 'number' || iat > nowSec + clockToleranceSec) fail('iat is in the future');
    if (iat < nowSec - maxAgeSec - clockToleranceSec) fail('it is too old');
    if (ath !== accessTokenHash(check.accessToken)) fail('ath does not match the access token');

    const { jkt } = key;
    if (jkt !== check.expectedJkt) fail('it is signed by a key the access token is not bound to');

    // Last, so that a proof that fails any other check does not burn its jti. Scoped by key so
    // one client cannot pre-empt another client's proof ids.
    const expiresAt = new Date((iat + maxAgeSec + clockToleranceSec + 1) * 1000);
    const store = check.replayStore ?? replayStore;
    if (!(await store.markUsed(`${jkt}:${jti}`, expiresAt))) fail(USED_BEFORE);
    return { jkt };
  };
}
