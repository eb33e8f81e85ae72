// C2SP signed notes (c2sp.org/signed-note), checkpoints (c2sp.org/tlog-checkpoint) and the Ed25519
// cosignature message (c2sp.org/tlog-cosignature), without any crypto: the server (node:crypto) and the
// browser verifier (WebCrypto) plug their own signers and verifiers into the same parsing and policy.
import { concatBytes, fromBase64, readUint32, toBase64, utf8 } from './bytes.js';

export const EM_DASH = '\u2014';
/** Signature type bytes of the signed-note registry. */
export const SIG_ED25519 = 0x01;
export const SIG_COSIGNATURE_V1 = 0x04;
/** The spec requires accepting at least 16; the cap bounds work on hostile input. */
export const MAX_SIGNATURES = 64;

export type NoteErrorCode =
  'malformed' | 'bad_signature' | 'no_known_signature' | 'bad_key' | 'origin_mismatch';

export class NoteError extends Error {
  readonly code: NoteErrorCode;
  constructor(code: NoteErrorCode, message: string) {
    super(message);
    this.name = 'NoteError';
    this.code = code;
  }
}

const malformed = (message: string): NoteError => new NoteError('malformed', message);

// ---- key names, key ids, vkeys ------------------------------------------------------------------------

export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name) && !hasForbiddenChars(name);
}

function hasForbiddenChars(text: string): boolean {
  // Control characters other than newline, and lone surrogates (not encodable as UTF-8).
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0009\u000b-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(
    text,
  );
}

/** SHA-256 input whose first four bytes are the key ID: name || 0x0A || type || public key. */
export function keyIdPreimage(name: string, type: number, publicKey: Uint8Array): Uint8Array {
  return concatBytes(utf8(name), Uint8Array.of(0x0a, type), publicKey);
}

export function formatKeyId(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

export interface VerifierKey {
  name: string;
  keyId: number;
  type: number;
  publicKey: Uint8Array;
}

/** `<name>+<hex key id>+<base64(type || public key)>`. */
export function formatVkey(key: VerifierKey): string {
  return `${key.name}+${formatKeyId(key.keyId)}+${toBase64(concatBytes(Uint8Array.of(key.type), key.publicKey))}`;
}

/** Syntax only: the caller must still check that keyId matches the hash of the other fields. */
export function parseVkey(vkey: string): VerifierKey {
  const plus = vkey.indexOf('+');
  const name = vkey.slice(0, plus);
  const hex = vkey.slice(plus + 1, plus + 9);
  const rest = vkey.slice(plus + 9);
  if (plus < 0 || !isValidKeyName(name) || !/^[0-9a-f]{8}$/.test(hex) || !rest.startsWith('+')) {
    throw new NoteError('bad_key', 'verifier key is not name+keyid+key');
  }
  let raw: Uint8Array;
  try {
    raw = fromBase64(rest.slice(1));
  } catch {
    throw new NoteError('bad_key', 'verifier key material is not base64');
  }
  const type = raw[0];
  if (type !== SIG_ED25519 && type !== SIG_COSIGNATURE_V1)
    throw new NoteError('bad_key', 'unsupported key type');
  if (raw.length !== 33) throw new NoteError('bad_key', 'Ed25519 public key must be 32 bytes');
  return { name, keyId: parseInt(hex, 16), type, publicKey: raw.slice(1) };
}

// ---- notes --------------------------------------------------------------------------------------------

export interface NoteSignature {
  name: string;
  keyId: number;
  /** The signature bytes after the key ID (for cosignatures: timestamp || signature). */
  signature: Uint8Array;
}

export interface ParsedNote {
  /** The signed text, including its final newline. */
  text: string;
  signatures: NoteSignature[];
}

export function checkNoteText(text: string): void {
  if (!text.endsWith('\n')) throw malformed('note text must end with a newline');
  if (hasForbiddenChars(text)) throw malformed('note text contains control characters or invalid UTF-16');
}

export function formatSignatureLine(name: string, keyId: number, signature: Uint8Array): string {
  if (!isValidKeyName(name)) throw malformed('invalid key name');
  const id = new Uint8Array(4);
  new DataView(id.buffer).setUint32(0, keyId, false);
  return `${EM_DASH} ${name} ${toBase64(concatBytes(id, signature))}\n`;
}

export function assembleNote(text: string, signatureLines: readonly string[]): string {
  checkNoteText(text);
  if (signatureLines.length === 0) throw malformed('a note needs at least one signature');
  return `${text}\n${signatureLines.join('')}`;
}

export function parseNote(note: string): ParsedNote {
  if (hasForbiddenChars(note)) throw malformed('note contains control characters or invalid UTF-16');
  if (!note.endsWith('\n')) throw malformed('note must end with a newline');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw malformed('note has no blank line before its signatures');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw malformed('too many signatures');
  const signatures = lines.map((line): NoteSignature => {
    const prefix = `${EM_DASH} `;
    if (!line.startsWith(prefix)) throw malformed('signature line must start with an em dash and a space');
    const body = line.slice(prefix.length);
    const space = body.indexOf(' ');
    const name = body.slice(0, space);
    if (space < 0 || !isValidKeyName(name)) throw malformed('signature line has an invalid key name');
    let blob: Uint8Array;
    try {
      blob = fromBase64(body.slice(space + 1));
    } catch {
      throw malformed('signature is not base64');
    }
    if (blob.length < 5) throw malformed('signature is too short');
    return { name, keyId: readUint32(blob), signature: blob.slice(4) };
  });
  return { text, signatures };
}

/** Produces the bytes after the key ID for one key. Async so a KMS or HSM can sit behind it. */
export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  sign(text: string): Promise<Uint8Array>;
}

export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  readonly type: number;
  verify(text: string, signature: Uint8Array): Promise<boolean>;
}

export interface VerifiedSignature {
  name: string;
  keyId: number;
  type: number;
  /** Cosignature time (POSIX seconds), for type 0x04. */
  timestamp?: number;
}

export interface OpenedNote {
  text: string;
  verified: VerifiedSignature[];
}

export async function signNote(text: string, signers: readonly NoteSigner[]): Promise<string> {
  checkNoteText(text);
  const lines = await Promise.all(
    signers.map(async (s) => formatSignatureLine(s.name, s.keyId, await s.sign(text))),
  );
  return assembleNote(text, lines);
}

/**
 * Signed-note verification policy: signatures from keys not in `verifiers` (by name and key ID) are
 * ignored, as witnesses may be added at any time; a known key whose signature fails rejects the whole note;
 * at least one known key must verify.
 */
export async function verifyNote(note: string, verifiers: readonly NoteVerifier[]): Promise<OpenedNote> {
  const { text, signatures } = parseNote(note);
  const verified: VerifiedSignature[] = [];
  for (const sig of signatures) {
    const v = verifiers.find((k) => k.name === sig.name && k.keyId === sig.keyId);
    if (!v) continue;
    if (!(await v.verify(text, sig.signature))) {
      throw new NoteError('bad_signature', `signature by ${sig.name} does not verify`);
    }
    if (verified.some((s) => s.name === v.name && s.keyId === v.keyId)) continue;
    const entry: VerifiedSignature = { name: v.name, keyId: v.keyId, type: v.type };
    if (v.type === SIG_COSIGNATURE_V1) entry.timestamp = cosignatureTimestamp(sig.signature);
    verified.push(entry);
  }
  if (verified.length === 0) throw new NoteError('no_known_signature', 'no signature from a known key');
  return { text, verified };
}

// ---- cosignature/v1 -----------------------------------------------------------------------------------

export function cosignatureMessage(timestamp: number, text: string): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0)
    throw new RangeError('invalid cosignature timestamp');
  return `cosignature/v1\ntime ${timestamp}\n${text}`;
}

/** timestamped_signature.timestamp; JS numbers are exact up to 2^53, far past any real clock. */
export function cosignatureTimestamp(signature: Uint8Array): number {
  if (signature.length < 8) throw malformed('cosignature is too short');
  const view = new DataView(signature.buffer, signature.byteOffset, 8);
  const value = view.getBigUint64(0, false);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed('cosignature timestamp out of range');
  return Number(value);
}

/**
 * A cosignature/v1 verify function over a plain Ed25519 check: the signature is the 8-byte timestamp
 * and 64 bytes of Ed25519 over the cosigned message; anything else is false, never an exception.
 */
export function cosignatureVerifier(
  ed25519: (message: Uint8Array, signature: Uint8Array) => boolean | Promise<boolean>,
): (text: string, signature: Uint8Array) => Promise<boolean> {
  return async (text, signature) => {
    if (signature.length !== 8 + 64) return false;
    let timestamp: number;
    try {
      timestamp = cosignatureTimestamp(signature);
    } catch {
      return false;
    }
    return ed25519(utf8(cosignatureMessage(timestamp, text)), signature.subarray(8));
  };
}

export function encodeTimestamp(timestamp: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(timestamp), false);
  return out;
}

// ---- checkpoints --------------------------------------------------------------------------------------

export interface Checkpoint {
  origin: string;
  size: number;
  rootHash: Uint8Array;
  /** Opaque, non-empty lines after the root hash (NOT RECOMMENDED by the spec; we emit none). */
  extensions?: string[];
}

export function formatCheckpoint(cp: Checkpoint): string {
  if (cp.origin.length === 0 || cp.origin.includes('\n')) throw malformed('invalid origin');
  if (!Number.isSafeInteger(cp.size) || cp.size < 0) throw malformed('invalid tree size');
  if (cp.rootHash.length !== 32) throw malformed('root hash must be 32 bytes');
  const extensions = cp.extensions ?? [];
  if (extensions.some((line) => line.length === 0 || line.includes('\n')))
    throw malformed('invalid extension line');
  const text = [cp.origin, String(cp.size), toBase64(cp.rootHash), ...extensions].join('\n') + '\n';
  checkNoteText(text);
  return text;
}

export function parseCheckpoint(text: string): Checkpoint {
  checkNoteText(text);
  const [origin, sizeText, rootText, ...extensions] = text.slice(0, -1).split('\n');
  if (origin === undefined || sizeText === undefined || rootText === undefined) {
    throw malformed('checkpoint needs origin, size and root lines');
  }
  if (origin.length === 0) throw malformed('checkpoint origin is empty');
  if (!/^(?:0|[1-9][0-9]*)$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
    throw malformed('checkpoint size is not a canonical decimal');
  }
  let rootHash: Uint8Array;
  try {
    rootHash = fromBase64(rootText);
  } catch {
    throw malformed('checkpoint root is not base64');
  }
  if (rootHash.length !== 32) throw malformed('checkpoint root must be 32 bytes');
  if (extensions.some((line) => line.length === 0)) throw malformed('checkpoint has an empty line');
  const cp: Checkpoint = { origin, size: Number(sizeText), rootHash };
  if (extensions.length > 0) cp.extensions = extensions;
  return cp;
}

export interface OpenedCheckpoint extends OpenedNote {
  checkpoint: Checkpoint;
}

/**
 * A checkpoint counts only if the log itself signed it; witness signatures are extra evidence, never a
 * substitute, so they cannot stand in for a missing log signature.
 */
export async function openCheckpoint(
  note: string,
  log: NoteVerifier,
  witnesses: readonly NoteVerifier[] = [],
  expectedOrigin: string = log.name,
): Promise<OpenedCheckpoint> {
  const opened = await verifyNote(note, [log, ...witnesses]);
  if (!opened.verified.some((s) => s.name === log.name && s.keyId === log.keyId)) {
    throw new NoteError('no_known_signature', 'checkpoint is not signed by the log key');
  }
  const checkpoint = parseCheckpoint(opened.text);
  if (checkpoint.origin !== expectedOrigin) {
    throw new NoteError('origin_mismatch', `checkpoint origin is not ${expectedOrigin}`);
  }
  return { ...opened, checkpoint };
}
