/**
 * Our own signing keys (DESIGN §7): checkpoints (Ed25519, signed notes), consent tokens and response
 * signatures (ES256, JWS). Callers ask for the current key of a purpose to sign and for every verifying
 * key (current plus retired-but-not-expired) to check, so rotation keeps an overlap. File-backed here;
 * a KMS implementation satisfies the same interface.
 */
import type { KeyObject } from 'node:crypto';
import type { JWK } from 'jose';

export type KeyPurpose = 'checkpoint' | 'consent-token' | 'response-signature';
export const KEY_PURPOSES: readonly KeyPurpose[] = ['checkpoint', 'consent-token', 'response-signature'];

export type KeyAlgorithm = 'EdDSA' | 'ES256';

/** Checkpoints are C2SP signed notes (Ed25519 only); JWS purposes use ES256. */
export const ALGORITHM_FOR: Record<KeyPurpose, KeyAlgorithm> = {
  checkpoint: 'EdDSA',
  'consent-token': 'ES256',
  'response-signature': 'ES256',
};

export interface VerifyingKey {
  kid: string;
  purpose: KeyPurpose;
  alg: KeyAlgorithm;
  publicKey: KeyObject;
  /** Public JWK with kid, alg and use. */
  jwk: JWK;
  createdAt: Date;
  /** Set once a newer key took over: still verifies until expiresAt. */
  retiredAt?: Date;
  expiresAt?: Date;
}

export interface SigningKey extends VerifyingKey {
  privateKey: KeyObject;
}

export interface KeyStore {
  current(purpose: KeyPurpose): SigningKey;
  verifyingKeys(purpose: KeyPurpose): VerifyingKey[];
  publicJwks(): { keys: JWK[] };
}

export class KeyStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyStoreError';
  }
}
