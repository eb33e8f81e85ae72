/**
 * Compact JWS signed through a KeyStore key. jose signs only with key objects it holds; a key in an
 * HSM signs bytes, so the signing input is built here and jose keeps verifying (tests check that the
 * two agree).
 */
import type { JWTHeaderParameters, JWTPayload } from 'jose';
import type { SigningKey } from './key-store.js';

const b64url = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');

export interface JwsHeader {
  typ?: string;
  alg?: never;
  kid?: never;
  [name: string]: unknown;
}

/** `alg` and `kid` come from the key, so a token always names the key that signed it. */
export async function signCompact(key: SigningKey, header: JwsHeader, payload: Uint8Array): Promise<string> {
  const protectedHeader: JWTHeaderParameters = { alg: key.alg, kid: key.kid, ...header };
  const input = `${b64url(JSON.stringify(protectedHeader))}.${b64url(payload)}`;
  const signature = await key.sign(Buffer.from(input, 'ascii'));
  return `${input}.${b64url(signature)}`;
}

export async function signJwt(key: SigningKey, header: JwsHeader, claims: JWTPayload): Promise<string> {
  return signCompact(key, header, Buffer.from(JSON.stringify(claims), 'utf8'));
}
