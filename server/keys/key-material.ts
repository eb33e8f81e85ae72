/**
 * What both stores share: public JWKs and kids from public keys, signing with a key held in memory.
 */
import { createHash, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { KeyAlgorithm } from './key-store.js';

const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e'] as const;

export function publicJwkOf(jwk: JWK, kid: string, alg: KeyAlgorithm): JWK {
  const out: JWK = { kid, alg, use: 'sig' };
  for (const m of PUBLIC_MEMBERS) if (jwk[m] !== undefined) out[m] = jwk[m];
  return out;
}

/** A signing kid is the RFC 7638 thumbprint of the public key: the same key gets the same kid anywhere. */
export async function kidOf(publicJwk: JWK): Promise<string> {
  return calculateJwkThumbprint(publicJwkOf(publicJwk, '', 'ES256'));
}

export function publicKeyOfJwk(jwk: JWK): KeyObject {
  return createPublicKey({ key: publicJwkOf(jwk, '', 'ES256') as never, format: 'jwk' });
}

/** Raw signature as the KeyStore promises it: Ed25519 bytes, or ES256 r||s over SHA-256. */
export function signInMemory(alg: KeyAlgorithm, privateKey: KeyObject, data: Uint8Array): Uint8Array {
  return alg === 'EdDSA'
    ? sign(null, data, privateKey)
    : sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
}

export function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}
