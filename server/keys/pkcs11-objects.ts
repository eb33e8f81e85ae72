/**
 * How our keys look as PKCS#11 objects: the CKA_LABEL that carries a key's purpose and rotation state
 * (`juc:<purpose>:<created ms>:<retired ms|->:<expires ms|->`, on both halves of a pair and on the KEK),
 * and the public JWK read back from a public key's CKA_EC_POINT.
 */
import type { JWK } from 'jose';
import { KeyStoreError, isStorePurpose, type StorePurpose } from './key-store.js';
import { unwrapEcPoint } from './pkcs11-token.js';

const LABEL_PREFIX = 'juc';

export interface Meta {
  purpose: StorePurpose;
  createdAt: Date;
  retiredAt?: Date;
  expiresAt?: Date;
}

export function formatLabel(meta: Meta): string {
  const ms = (d?: Date) => (d ? String(d.getTime()) : '-');
  return [LABEL_PREFIX, meta.purpose, ms(meta.createdAt), ms(meta.retiredAt), ms(meta.expiresAt)].join(':');
}

export function parseLabel(label: string): Meta | null {
  const [prefix, purpose, created, retired, expires] = label.split(':');
  if (prefix !== LABEL_PREFIX || !purpose || !isStorePurpose(purpose) || !created) return null;
  const meta: Meta = { purpose, createdAt: new Date(Number(created)) };
  if (retired && retired !== '-') meta.retiredAt = new Date(Number(retired));
  if (expires && expires !== '-') meta.expiresAt = new Date(Number(expires));
  return meta;
}

/** The public JWK of a token public key, from its CKA_EC_POINT. */
export function jwkOfPoint(alg: 'EdDSA' | 'ES256', ecPoint: Buffer): JWK {
  const point = unwrapEcPoint(ecPoint);
  if (alg === 'EdDSA') {
    if (point.length !== 32) throw new KeyStoreError('token Ed25519 key has a malformed CKA_EC_POINT');
    return { kty: 'OKP', crv: 'Ed25519', x: point.toString('base64url') };
  }
  if (point.length !== 65 || point[0] !== 0x04)
    throw new KeyStoreError('token P-256 key is not uncompressed');
  return {
    kty: 'EC',
    crv: 'P-256',
    x: point.subarray(1, 33).toString('base64url'),
    y: point.subarray(33).toString('base64url'),
  };
}
