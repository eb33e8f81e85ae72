/**
 * Our own keys (DESIGN §7): checkpoints (Ed25519, signed notes), consent tokens and response
 * signatures (ES256, JWS), and the key-encryption key that wraps data keys (AES-256-GCM). Callers ask
 * for the current key of a purpose to sign and for every verifying key (current plus retired but not
 * yet expired) to check, so rotation keeps an overlap. A signing key never hands out its private half:
 * it signs, so the same callers work with keys in files and keys inside a PKCS#11 token.
 */
import type { KeyObject } from 'node:crypto';
import type { JWK } from 'jose';

export type KeyPurpose = 'checkpoint' | 'consent-token' | 'response-signature';
export const KEY_PURPOSES: readonly KeyPurpose[] = ['checkpoint', 'consent-token', 'response-signature'];

/** The key-encryption key (KEK): never published, wraps the data keys of encryption at rest. */
export const KEK_PURPOSE = 'data-key';
export type StorePurpose = KeyPurpose | typeof KEK_PURPOSE;
export const STORE_PURPOSES: readonly StorePurpose[] = [...KEY_PURPOSES, KEK_PURPOSE];

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
  /** Absent on retired checkpoint keys: the checkpoints they signed stay verifiable for good. */
  expiresAt?: Date;
}

export interface SigningKey extends VerifyingKey {
  /**
   * The raw signature over `data`: Ed25519's 64 bytes, or ES256's r||s (64 bytes, the JWS form, not
   * DER) over SHA-256(data).
   */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

export interface KeyStore {
  current(purpose: KeyPurpose): SigningKey;
  verifyingKeys(purpose: KeyPurpose): VerifyingKey[];
  publicJwks(): { keys: JWK[] };
  /**
   * Envelope encryption: seals a data key under the current KEK (AES-256-GCM) as
   * `kw1.<kek kid>.<iv>.<ciphertext||tag>` (base64url parts, AAD `kw1.<kek kid>`). The text names the
   * KEK, so keys wrapped before a rotation still unwrap.
   */
  wrapKey(dataKey: Uint8Array): Promise<string>;
  /** Opens what wrapKey sealed; throws KeyStoreError if it was altered or its KEK is unknown. */
  unwrapKey(wrapped: string): Promise<Uint8Array>;
}

/** One key as the operator sees it (`npm run keys -- list`). */
export interface KeyInfo {
  kid: string;
  purpose: StorePurpose;
  alg: KeyAlgorithm | 'A256GCM';
  createdAt: Date;
  retiredAt?: Date;
  expiresAt?: Date;
  /** False once a retired key's private half was destroyed (checkpoint keys keep their public half). */
  canSign: boolean;
}

/** What the operator's CLI and the server's background reload need beyond signing. */
export interface ManagedKeyStore extends KeyStore {
  /**
   * Makes a new current key. The previous one stops signing now; a JWS key keeps verifying for
   * `overlapMs`, a checkpoint key for good (older checkpoints must stay verifiable), a KEK keeps
   * unwrapping what it wrapped.
   */
  rotate(purpose: StorePurpose, overlapMs: number): Promise<KeyInfo>;
  /**
   * Destroys what no longer serves: JWS keys whose overlap ended, and the private half of retired
   * checkpoint keys. `kid` ends one retired key's window now. KEKs are never destroyed here: the data
   * keys they wrapped would become unreadable. Returns the kids it touched.
   */
  retire(options?: { purpose?: StorePurpose; kid?: string }): Promise<string[]>;
  list(): KeyInfo[];
  /** Re-reads the store, so a rotation made by the CLI reaches a running server. */
  reload(): Promise<void>;
  close(): Promise<void>;
}

export class KeyStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyStoreError';
  }
}

/** Orders keys for `current`: active first (newest first), then retired ones (newest first). */
export function byActiveThenNewest<T extends { retiredAt?: Date; createdAt: Date }>(a: T, b: T): number {
  return (
    Number(Boolean(a.retiredAt)) - Number(Boolean(b.retiredAt)) ||
    b.createdAt.getTime() - a.createdAt.getTime()
  );
}

/** The retirement a rotation gives the previous key of `purpose`. */
export function retirementOf(
  purpose: StorePurpose,
  now: Date,
  overlapMs: number,
): { retiredAt: Date; expiresAt?: Date } {
  if (purpose === 'checkpoint' || purpose === KEK_PURPOSE) return { retiredAt: now };
  return { retiredAt: now, expiresAt: new Date(now.getTime() + overlapMs) };
}

export function isKeyPurpose(value: string): value is KeyPurpose {
  return (KEY_PURPOSES as readonly string[]).includes(value);
}

export function isStorePurpose(value: string): value is StorePurpose {
  return (STORE_PURPOSES as readonly string[]).includes(value);
}
