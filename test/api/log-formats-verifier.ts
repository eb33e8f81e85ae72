/**
 * An outside verifier of the audit log, written from docs/log-formats.md alone (§2-§10) with node:crypto and
 * nothing from server/audit: if the document left something out, this could not rebuild what the server
 * serves. Used by log-formats.test.ts.
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';

export const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
export const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');
export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** Standard padded base64, refusing any other spelling. */
export function b64(text: string): Buffer {
  const out = Buffer.from(text, 'base64');
  if (out.toString('base64') !== text) throw new Error(`not canonical base64: ${text}`);
  return out;
}

/** RFC 8785: sorted member names (UTF-16 code units), no whitespace, ECMAScript strings and numbers. */
export function jcs(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('JCS has no form for this number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(jcs).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${jcs(obj[k])}`)
      .join(',')}}`;
  }
  throw new Error(`JCS has no form for ${typeof value}`);
}

export interface ServedEntry {
  index: number;
  subject: { seq: number; prevIndex: number | null };
  entry: { subjectKey: string } & Record<string, unknown>;
  salt: string;
  leaf: string;
  inclusionProof: string[] | null;
}

/** One page of GET /v1/me/access-log, as far as the verifier reads it. */
export interface AccessLogPage {
  checkpoint: string;
  treeSize: number;
  logKeys: string[];
  consistency: { fromSize: number; toSize: number; proof: string[] } | null;
  entries: ServedEntry[];
  nextCursor: string | null;
}

const TAG = utf8('joint-use-center/audit-entry/v1\n');
export const committedValue = (e: ServedEntry) => ({
  entry: e.entry,
  subject: { key: e.entry.subjectKey, prevIndex: e.subject.prevIndex, seq: e.subject.seq },
  v: 1,
});
export function preimage(e: ServedEntry): Buffer {
  const salt = b64(e.salt);
  if (salt.length !== 32) throw new Error('salt must be 32 bytes');
  return Buffer.concat([TAG, salt, utf8(jcs(committedValue(e)))]);
}
export const leafValue = (e: ServedEntry): Buffer => sha256(preimage(e));
export const leafHash = (leaf: Uint8Array): Buffer => sha256(Buffer.of(0x00), leaf);
export const nodeHash = (l: Uint8Array, r: Uint8Array): Buffer => sha256(Buffer.of(0x01), l, r);
export const entryDigest = (entry: unknown): string => sha256(utf8(jcs(entry))).toString('base64url');

export function mth(hashes: Buffer[]): Buffer {
  if (hashes.length === 0) return sha256();
  if (hashes.length === 1) return hashes[0]!;
  let k = 1;
  while (k * 2 < hashes.length) k *= 2;
  return nodeHash(mth(hashes.slice(0, k)), mth(hashes.slice(k)));
}

const odd = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);
const all32 = (hashes: Uint8Array[]) => hashes.every((h) => h.length === 32);

export function verifyInclusion(
  leaf: Buffer,
  index: number,
  size: number,
  proof: Buffer[],
  root: Buffer,
): boolean {
  if (index >= size || leaf.length !== 32 || !all32(proof)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!odd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      r = nodeHash(r, p);
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  return sn === 0 && r.equals(root);
}

/** Also returns fr and sr after each step, which the worked example lists. */
export function consistencySteps(
  first: number,
  second: number,
  root1: Buffer,
  root2: Buffer,
  proof: Buffer[],
) {
  const steps: { fr: Buffer; sr: Buffer }[] = [];
  const fail = { ok: false, steps };
  if (first === 0 || second < first) return fail;
  if (first === second) return { ok: proof.length === 0 && root1.equals(root2), steps };
  if (proof.length === 0 || !all32(proof)) return fail;
  const path = (first & (first - 1)) === 0 ? [root1, ...proof] : proof;
  let fn = first - 1;
  let sn = second - 1;
  while (odd(fn)) [fn, sn] = [half(fn), half(sn)];
  let fr = path[0]!;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return fail;
    if (odd(fn) || fn === sn) {
      [fr, sr] = [nodeHash(c, fr), nodeHash(c, sr)];
      while (!odd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      sr = nodeHash(sr, c);
    }
    [fn, sn] = [half(fn), half(sn)];
    steps.push({ fr, sr });
  }
  return { ok: sn === 0 && fr.equals(root1) && sr.equals(root2), steps };
}

export interface Vkey {
  name: string;
  keyId: string;
  publicKey: Buffer;
  key: KeyObject;
}

export function parseVkey(line: string): Vkey {
  // Split at the first two '+' only: the base64 key material may contain '+' itself.
  const [, name, keyId, material] = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(line) ?? [];
  if (!name || !keyId || !material) throw new Error('vkey is not name+keyid+key');
  const raw = b64(material);
  if (raw.length !== 33 || raw[0] !== 0x01) throw new Error('not an Ed25519 vkey');
  const publicKey = raw.subarray(1);
  if (hex(sha256(utf8(name), Buffer.of(0x0a, 0x01), publicKey).subarray(0, 4)) !== keyId) {
    throw new Error('vkey key ID does not match its name and key');
  }
  const key = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: publicKey.toString('base64url') },
    format: 'jwk',
  });
  return { name, keyId, publicKey, key };
}

export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
  text: string;
}

/** Signed-note policy: unknown keys ignored, a failing trusted signature rejects, the log must have signed. */
export function openCheckpoint(note: string, log: Vkey): Checkpoint {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new Error('not a signed note');
  const text = note.slice(0, split + 1);
  let signedByLog = false;
  for (const line of note.slice(split + 2, -1).split('\n')) {
    if (!line.startsWith('\u2014 ')) throw new Error('signature line must start with an em dash');
    const [name, blobText, ...extra] = line.slice(2).split(' ');
    if (!name || !blobText || extra.length) throw new Error('malformed signature line');
    const blob = b64(blobText);
    if (name !== log.name || hex(blob.subarray(0, 4)) !== log.keyId) continue;
    if (blob.length !== 68 || !verify(null, utf8(text), log.key, blob.subarray(4))) {
      throw new Error('the log signature does not verify');
    }
    signedByLog = true;
  }
  if (!signedByLog) throw new Error('no signature by the log key');
  const [origin, sizeText, rootText] = text.slice(0, -1).split('\n');
  if (origin !== log.name) throw new Error('origin is not the log key name');
  if (!/^(?:0|[1-9][0-9]*)$/.test(sizeText ?? '')) throw new Error('size is not a decimal');
  const root = b64(rootText ?? '');
  if (root.length !== 32) throw new Error('root must be 32 bytes');
  return { origin, size: Number(sizeText), root, text };
}

/** §10.4 over a whole, unfiltered history (newest first): the problems found, none when it is unbroken. */
export function chainProblems(entries: ServedEntry[]): string[] {
  const problems: string[] = [];
  entries.forEach((e, i) => {
    const older = entries[i + 1];
    if (e.entry.subjectKey !== entries[0]!.entry.subjectKey) problems.push(`${e.index}: another subject`);
    if (older && (e.subject.seq !== older.subject.seq + 1 || e.subject.prevIndex !== older.index)) {
      problems.push(`gap before seq ${e.subject.seq}`);
    }
    if (e.subject.prevIndex !== null && e.subject.prevIndex >= e.index)
      problems.push(`${e.index}: link forward`);
    if (!older && (e.subject.seq !== 1 || e.subject.prevIndex !== null))
      problems.push('history does not start at seq 1');
  });
  return problems;
}
