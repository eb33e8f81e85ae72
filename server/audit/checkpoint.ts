// Server side of checkpoints: Ed25519 signers and verifiers on node:crypto KeyObjects for the note format in
// note.ts. The log signs with type 0x01; witnesses add type 0x04 (cosignature/v1) lines.
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { concatBytes, fromBase64, readUint32, utf8 } from './bytes.js';
import {
  cosignatureMessage,
  cosignatureVerifier,
  encodeTimestamp,
  formatCheckpoint,
  formatVkey,
  keyIdPreimage,
  NoteError,
  parseVkey,
  SIG_COSIGNATURE_V1,
  SIG_ED25519,
  signNote,
  type Checkpoint,
  type NoteSigner,
  type NoteVerifier,
} from './note.js';

export {
  formatCheckpoint,
  openCheckpoint,
  parseCheckpoint,
  parseNote,
  signNote,
  verifyNote,
  type Checkpoint,
  type NoteSigner,
  type NoteVerifier,
} from './note.js';

// RFC 8410 PKCS#8 wrapping of a raw 32-byte Ed25519 seed.
const PKCS8_ED25519_PREFIX = fromBase64('MC4CAQAwBQYDK2VwBCIEIA==');

export function ed25519PrivateKeyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new RangeError('Ed25519 seed must be 32 bytes');
  return createPrivateKey({
    key: Buffer.from(concatBytes(PKCS8_ED25519_PREFIX, seed)),
    format: 'der',
    type: 'pkcs8',
  });
}

export function ed25519PublicKeyBytes(key: KeyObject): Uint8Array {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  if (pub.asymmetricKeyType !== 'ed25519') throw new TypeError('not an Ed25519 key');
  const { x } = pub.export({ format: 'jwk' });
  if (x === undefined) throw new TypeError('Ed25519 key has no public part');
  return Buffer.from(x, 'base64url');
}

function ed25519PublicKeyFromBytes(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new RangeError('Ed25519 public key must be 32 bytes');
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') },
    format: 'jwk',
  });
}

export function keyId(name: string, type: number, publicKey: Uint8Array): number {
  return readUint32(
    createHash('sha256')
      .update(keyIdPreimage(name, type, publicKey))
      .digest(),
  );
}

export function vkeyFor(name: string, key: KeyObject, type: number = SIG_ED25519): string {
  const publicKey = ed25519PublicKeyBytes(key);
  return formatVkey({ name, keyId: keyId(name, type, publicKey), type, publicKey });
}

function ed25519Verify(key: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  try {
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

/**
 * The log's own signature (type 0x01) over the note text, with a key in memory or a key-store key that
 * signs without handing out its private half (an HSM's).
 */
export function ed25519Signer(
  name: string,
  key: KeyObject | { publicKey: KeyObject; sign(data: Uint8Array): Promise<Uint8Array> },
): NoteSigner {
  const held = 'sign' in key ? key : null;
  const privateKey = held ? null : (key as KeyObject);
  const id = keyId(name, SIG_ED25519, ed25519PublicKeyBytes(held ? held.publicKey : privateKey!));
  return {
    name,
    keyId: id,
    sign: async (text) => (held ? held.sign(utf8(text)) : sign(null, utf8(text), privateKey!)),
  };
}

/** A witness cosignature (type 0x04): signs cosignature/v1 + time + text; the blob carries the time. */
export function cosignatureSigner(
  name: string,
  privateKey: KeyObject,
  now: () => number = () => Math.floor(Date.now() / 1000),
): NoteSigner {
  const id = keyId(name, SIG_COSIGNATURE_V1, ed25519PublicKeyBytes(privateKey));
  return {
    name,
    keyId: id,
    sign: async (text) => {
      const timestamp = now();
      return concatBytes(
        encodeTimestamp(timestamp),
        sign(null, utf8(cosignatureMessage(timestamp, text)), privateKey),
      );
    },
  };
}

export function ed25519Verifier(
  name: string,
  publicKey: KeyObject | Uint8Array,
  type: number = SIG_ED25519,
): NoteVerifier {
  const raw = publicKey instanceof Uint8Array ? publicKey : ed25519PublicKeyBytes(publicKey);
  const key = ed25519PublicKeyFromBytes(raw);
  const id = keyId(name, type, raw);
  if (type === SIG_ED25519) {
    return { name, keyId: id, type, verify: async (text, sig) => ed25519Verify(key, utf8(text), sig) };
  }
  if (type === SIG_COSIGNATURE_V1) {
    return {
      name,
      keyId: id,
      type,
      verify: cosignatureVerifier((message, sig) => ed25519Verify(key, message, sig)),
    };
  }
  throw new NoteError('bad_key', `unsupported signature type ${type}`);
}

/** Verifier from its text form, refusing a vkey whose key ID does not match its name, type and key. */
export function verifierFromVkey(vkey: string): NoteVerifier {
  const parsed = parseVkey(vkey);
  if (keyId(parsed.name, parsed.type, parsed.publicKey) !== parsed.keyId) {
    throw new NoteError('bad_key', 'verifier key ID does not match the key');
  }
  return ed25519Verifier(parsed.name, parsed.publicKey, parsed.type);
}

export async function signCheckpoint(
  checkpoint: Checkpoint,
  signers: readonly NoteSigner[],
): Promise<string> {
  return signNote(formatCheckpoint(checkpoint), signers);
}
