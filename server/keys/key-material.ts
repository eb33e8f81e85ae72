/**
 * What both stores share: public JWKs and kids from public keys, signing with a key held in memory,
 * and the text form of a wrapped data key.
 */
import { createHash, createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { KeyStoreError, type KeyAlgorithm } from './key-store.js';

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

/** KEKs are secret: their kid is random, so it says nothing about the key. */
export function newKekKid(): string {
  return randomBytes(16).toString('base64url');
}

const WRAP_VERSION = 'kw1';

export interface WrappedParts {
  kid: string;
  iv: Buffer;
  /** Ciphertext followed by the 16-byte GCM tag. */
  sealed: Buffer;
  /** Binds version and KEK to the ciphertext, so a wrapped key cannot be relabelled. */
  aad: Buffer;
}

export function wrapAad(kid: string): Buffer {
  return Buffer.from(`${WRAP_VERSION}.${kid}`, 'utf8');
}

/** `kw1.<kek kid>.<iv>.<ciphertext||tag>`, base64url parts. */
export function formatWrapped(kid: string, iv: Uint8Array, sealed: Uint8Array): string {
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
  return [WRAP_VERSION, kid, b64(iv), b64(sealed)].join('.');
}

export function parseWrapped(wrapped: string): WrappedParts {
  const [version, kid, ivText, sealedText, ...rest] = wrapped.split('.');
  if (version !== WRAP_VERSION || !kid || !ivText || !sealedText || rest.length) {
    throw new KeyStoreError('not a wrapped data key (kw1.<kid>.<iv>.<sealed>)');
  }
  const iv = Buffer.from(ivText, 'base64url');
  const sealed = Buffer.from(sealedText, 'base64url');
  if (iv.length !== 12 || sealed.length < 17) throw new KeyStoreError('wrapped data key has a bad length');
  return { kid, iv, sealed, aad: wrapAad(kid) };
}
