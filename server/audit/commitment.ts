// Salted commitments make every public leaf (and so every sibling hash in a proof) look random: a body
// alone is low-entropy and would be brute-forced from its hash. The salt is the opening, revealed only to
// the citizen and auditors; deleting it at retention time leaves the log intact but the entry unreadable.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { commitmentPreimage, SALT_SIZE } from './preimage.js';

export { canonicalJson, COMMITMENT_DOMAIN, SALT_SIZE } from './preimage.js';

export interface Commitment {
  salt: Uint8Array;
  /** The public leaf bytes: SHA-256(domain || salt || canonical body). */
  leafData: Uint8Array;
}

export function newSalt(): Uint8Array {
  return randomBytes(SALT_SIZE);
}

export function commitmentFor(body: unknown, salt: Uint8Array): Uint8Array {
  return createHash('sha256').update(commitmentPreimage(salt, body)).digest();
}

export function commitEntry(body: unknown, salt: Uint8Array = newSalt()): Commitment {
  return { salt, leafData: commitmentFor(body, salt) };
}

/** True when (body, salt) opens leafData. Malformed salts or leaves are simply not openings. */
export function openCommitment(body: unknown, salt: Uint8Array, leafData: Uint8Array): boolean {
  if (salt.length !== SALT_SIZE || leafData.length !== 32) return false;
  return timingSafeEqual(commitmentFor(body, salt), leafData);
}

/**
 * Keyed pseudonym of a citizen: without the pepper (held in a KMS) nobody can test a guessed national ID
 * against the index, which an unkeyed hash of a 13-digit number would allow.
 */
export function subjectKey(pepper: Uint8Array, canonicalId: string): string {
  if (pepper.length < 32) throw new RangeError('pepper must be at least 32 bytes');
  return createHmac('sha256', pepper).update(canonicalId, 'utf8').digest('hex');
}
