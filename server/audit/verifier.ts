// Citizen-side verification, shared by the verifier CLI and (later) the browser.
//
// Choice: WebCrypto (`globalThis.crypto.subtle`), hence async. Node >= 20 and current browsers both provide
// SHA-256 and Ed25519 there, so this file and its imports (bytes.ts, note.ts, proof-plan.ts, preimage.ts and
// the pure-JS `canonicalize` package) run unchanged in either; nothing here may import node:* or Buffer.
// The RFC 9162 control flow comes from proof-plan.ts, the same code the server's merkle.ts folds, and both
// are tested against the transparency-dev vectors.
import { bytesEqual, concatBytes, fromBase64, plainCopy, readUint32, utf8 } from './bytes.js';
import {
  cosignatureVerifier,
  keyIdPreimage,
  NoteError,
  openCheckpoint,
  parseVkey,
  SIG_COSIGNATURE_V1,
  type Checkpoint,
  type NoteVerifier,
  type VerifiedSignature,
} from './note.js';
import { commitmentPreimage } from './preimage.js';
import { consistencyCheck, inclusionCheck, runAsync, type Verdict } from './proof-check.js';
import { quorumMet, type WitnessPolicy } from './witness-policy.js';

export type FailureReason =
  | 'key_invalid'
  | 'checkpoint_malformed'
  | 'checkpoint_signature_invalid'
  | 'checkpoint_unsigned'
  | 'origin_mismatch'
  | 'entry_malformed'
  | 'commitment_mismatch'
  | 'proof_malformed'
  | 'inclusion_invalid'
  | 'size_decreased'
  | 'checkpoint_fork'
  | 'consistency_invalid'
  | 'quorum_not_met';

export interface Failure {
  ok: false;
  reason: FailureReason;
  detail: string;
}

export type Outcome<T> = ({ ok: true } & T) | Failure;

const fail = (reason: FailureReason, detail: string): Failure => ({ ok: false, reason, detail });

const subtle = (): SubtleCrypto => globalThis.crypto.subtle;

export async function sha256(...parts: readonly Uint8Array[]): Promise<Uint8Array> {
  return new Uint8Array(await subtle().digest('SHA-256', plainCopy(concatBytes(...parts))));
}

export const leafHash = (leaf: Uint8Array): Promise<Uint8Array> => sha256(Uint8Array.of(0), leaf);
const nodeHash = (l: Uint8Array, r: Uint8Array): Promise<Uint8Array> => sha256(Uint8Array.of(1), l, r);

export const verifyInclusionProof = (
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): Promise<Verdict> => runAsync(inclusionCheck(leaf, index, size, proof, root), nodeHash);

export const verifyConsistencyProof = (
  size1: number,
  size2: number,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: readonly Uint8Array[],
): Promise<Verdict> => runAsync(consistencyCheck(size1, size2, root1, root2, proof), nodeHash);

// ---- keys and checkpoints -----------------------------------------------------------------------------

/** A note verifier from a vkey string, refusing a vkey whose key ID does not match its contents. */
export async function verifierFromVkey(vkey: string): Promise<NoteVerifier> {
  const key = parseVkey(vkey);
  const digest = await sha256(keyIdPreimage(key.name, key.type, key.publicKey));
  if (readUint32(digest) !== key.keyId)
    throw new NoteError('bad_key', 'verifier key ID does not match the key');
  const cryptoKey = await subtle().importKey('raw', plainCopy(key.publicKey), { name: 'Ed25519' }, false, [
    'verify',
  ]);
  const check = (message: Uint8Array, sig: Uint8Array): Promise<boolean> =>
    sig.length === 64
      ? subtle().verify({ name: 'Ed25519' }, cryptoKey, plainCopy(sig), plainCopy(message))
      : Promise.resolve(false);
  const verify =
    key.type === SIG_COSIGNATURE_V1
      ? cosignatureVerifier(check)
      : (text: string, sig: Uint8Array) => check(utf8(text), sig);
  return { name: key.name, keyId: key.keyId, type: key.type, verify };
}

export interface TrustedKeys {
  /** The log's vkey. Its name is the expected checkpoint origin unless `origin` says otherwise. */
  logKey: string;
  witnessKeys?: readonly string[];
  origin?: string;
}

const NOTE_REASONS: Record<NoteError['code'], FailureReason> = {
  malformed: 'checkpoint_malformed',
  bad_signature: 'checkpoint_signature_invalid',
  no_known_signature: 'checkpoint_unsigned',
  bad_key: 'key_invalid',
  origin_mismatch: 'origin_mismatch',
};

export interface CheckedCheckpoint {
  checkpoint: Checkpoint;
  signatures: VerifiedSignature[];
}

export async function checkCheckpoint(note: string, keys: TrustedKeys): Promise<Outcome<CheckedCheckpoint>> {
  try {
    const log = await verifierFromVkey(keys.logKey);
    const witnesses = await Promise.all((keys.witnessKeys ?? []).map(verifierFromVkey));
    const opened = await openCheckpoint(note, log, witnesses, keys.origin ?? log.name);
    return { ok: true, checkpoint: opened.checkpoint, signatures: opened.verified };
  } catch (err) {
    if (err instanceof NoteError) return fail(NOTE_REASONS[err.code], err.message);
    throw err;
  }
}

export interface WitnessedCheckpoint extends CheckedCheckpoint {
  /** The log vkey (from the policy) that signed it. */
  logKey: string;
  /** Policy names of the witnesses whose cosignatures verified. */
  cosignedBy: string[];
}

/**
 * A checkpoint checked against a pinned trust policy (c2sp.org/tlog-policy): signed by one of the policy's
 * log keys for its origin, and cosigned by witnesses meeting the policy's quorum. A failing signature of a
 * known witness rejects the whole note (signed-note rules); unknown signers are ignored.
 */
export async function checkWitnessedCheckpoint(
  note: string,
  policy: WitnessPolicy,
): Promise<Outcome<WitnessedCheckpoint>> {
  const origin = note.slice(0, note.indexOf('\n'));
  const logs = policy.logs.filter((l) => l.origin === origin);
  if (logs.length === 0) return fail('origin_mismatch', `the policy names no log ${origin}`);
  let checked: Outcome<CheckedCheckpoint> = fail('checkpoint_unsigned', 'no log key of the policy signed it');
  let logKey = '';
  for (const log of logs) {
    checked = await checkCheckpoint(note, {
      logKey: log.vkey,
      witnessKeys: policy.witnesses.map((w) => w.vkey),
    });
    logKey = log.vkey;
    if (checked.ok || checked.reason !== 'checkpoint_unsigned') break;
  }
  if (!checked.ok) return checked;
  const cosignedBy = policy.witnesses
    .filter((w) =>
      checked.signatures.some(
        (s) => s.type === SIG_COSIGNATURE_V1 && s.name === w.keyName && s.keyId === w.keyId,
      ),
    )
    .map((w) => w.name);
  if (!quorumMet(policy, new Set(cosignedBy))) {
    return fail(
      'quorum_not_met',
      `cosigned by ${cosignedBy.length ? cosignedBy.join(', ') : 'no witness'}; the policy's quorum is ${policy.quorum}`,
    );
  }
  return { ...checked, logKey, cosignedBy };
}

// ---- entries ------------------------------------------------------------------------------------------

type BytesInput = Uint8Array | string;

function decodeAll(values: readonly BytesInput[]): Uint8Array[] | null {
  try {
    return values.map((v) => (typeof v === 'string' ? fromBase64(v) : v));
  } catch {
    return null;
  }
}

export interface EntryToCheck {
  /** The committed JSON value exactly as the log committed it (canonicalised here). */
  body: unknown;
  /** The opening: 32 bytes, or their base64. */
  salt: BytesInput;
  index: number;
  /** The public leaf the server claims; if given, a mismatch is reported as such instead of as a bad proof. */
  leafData?: BytesInput;
}

export interface EntryInclusionInput extends TrustedKeys {
  checkpoint: string;
  entry: EntryToCheck;
  /** Inclusion proof for entry.index in the checkpoint's tree (bytes or base64). */
  proof: readonly BytesInput[];
}

export async function verifyEntryInclusion(input: EntryInclusionInput): Promise<Outcome<CheckedCheckpoint>> {
  const checked = await checkCheckpoint(input.checkpoint, input);
  if (!checked.ok) return checked;
  const { entry } = input;
  const decoded = decodeAll(entry.leafData === undefined ? [entry.salt] : [entry.salt, entry.leafData]);
  if (!decoded) return fail('entry_malformed', 'salt or leaf is not base64');
  const [salt, claimedLeaf] = decoded as [Uint8Array, Uint8Array | undefined];
  let leafData: Uint8Array;
  try {
    leafData = await sha256(commitmentPreimage(salt, entry.body));
  } catch (err) {
    return fail('entry_malformed', err instanceof Error ? err.message : 'entry cannot be committed');
  }
  if (claimedLeaf !== undefined && !bytesEqual(claimedLeaf, leafData)) {
    return fail('commitment_mismatch', 'body and salt do not open the claimed leaf');
  }
  const proof = decodeAll(input.proof);
  if (!proof) return fail('proof_malformed', 'proof hashes are not base64');
  if (proof.some((h) => h.length !== 32)) return fail('proof_malformed', 'proof hashes must be 32 bytes');
  const { size, rootHash } = checked.checkpoint;
  const result = await verifyInclusionProof(await leafHash(leafData), entry.index, size, proof, rootHash);
  if (!result.ok) return fail('inclusion_invalid', result.reason);
  return checked;
}

export interface ConsistencyInput extends TrustedKeys {
  /** The checkpoint the client trusted before. */
  oldCheckpoint: string;
  newCheckpoint: string;
  proof: readonly BytesInput[];
}

export interface CheckedPair {
  old: CheckedCheckpoint;
  new: CheckedCheckpoint;
}

const EMPTY_ROOT_B64 = '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=';

export async function verifyCheckpointConsistency(input: ConsistencyInput): Promise<Outcome<CheckedPair>> {
  const older = await checkCheckpoint(input.oldCheckpoint, input);
  if (!older.ok) return { ...older, detail: `old checkpoint: ${older.detail}` };
  const newer = await checkCheckpoint(input.newCheckpoint, input);
  if (!newer.ok) return { ...newer, detail: `new checkpoint: ${newer.detail}` };
  const a = older.checkpoint;
  const b = newer.checkpoint;
  const proof = decodeAll(input.proof);
  if (!proof) return fail('proof_malformed', 'proof hashes are not base64');
  if (proof.some((h) => h.length !== 32)) return fail('proof_malformed', 'proof hashes must be 32 bytes');
  if (b.size < a.size) return fail('size_decreased', `log shrank from ${a.size} to ${b.size}`);
  if (a.size === b.size && !bytesEqual(a.rootHash, b.rootHash)) {
    return fail('checkpoint_fork', `two signed roots for size ${a.size}`);
  }
  // RFC 9162 defines no proof from the empty tree; every tree extends it, provided the old root is honest.
  if (a.size === 0) {
    if (!bytesEqual(a.rootHash, fromBase64(EMPTY_ROOT_B64))) {
      return fail('checkpoint_fork', 'size 0 checkpoint with a non-empty root');
    }
    if (proof.length > 0) return fail('consistency_invalid', 'proof from the empty tree must be empty');
  } else {
    const result = await verifyConsistencyProof(a.size, b.size, a.rootHash, b.rootHash, proof);
    if (!result.ok) return fail('consistency_invalid', result.reason);
  }
  return {
    ok: true,
    old: { checkpoint: a, signatures: older.signatures },
    new: { checkpoint: b, signatures: newer.signatures },
  };
}
