/**
 * Verifies a running log from its public API and the verifier's own trust policy only (log key, witness
 * keys and quorum pinned by whoever runs it; nothing trusted is fetched from the log): the checkpoint's
 * log signature and witness quorum, every leaf (its hash and its place), the root recomputed from all
 * leaves, (given the checkpoint saved last time) that the new checkpoint extends it, and (for witnesses
 * the policy gives a URL) that the log's checkpoint is consistent with the latest one each witness
 * cosigned — a log showing this verifier a view the witnesses never saw is a split view. Used by
 * `npm run audit:verify`.
 */
import { bytesEqual, fromBase64, toHex, utf8 } from './bytes.js';
import { CompactRange } from './compact-range.js';
import { leafHash } from './merkle.js';
import {
  checkCheckpoint,
  checkWitnessedCheckpoint,
  sha256,
  verifyCheckpointConsistency,
} from './verifier.js';
import type { WitnessPolicy } from './witness-policy.js';

export interface PublicVerification {
  ok: boolean;
  size: number | null;
  checkpoint: string | null;
  /** The policy's log key that signed the checkpoint. */
  logKey: string | null;
  /** Policy names of the witnesses whose cosignatures verified. */
  cosignedBy: string[];
  firstBadIndex?: number;
  problems: string[];
}

type Fetch = (url: string) => Promise<Response>;

export async function verifyPublicLog(
  baseUrl: string,
  options: { policy: WitnessPolicy; previousCheckpoint?: string; fetch?: Fetch; pageSize?: number },
): Promise<PublicVerification> {
  const get = options.fetch ?? ((url: string) => fetch(url));
  const url = (path: string) => new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).toString();
  const text = async (path: string) => {
    const res = await get(url(path));
    if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
    return res.text();
  };
  const out: PublicVerification = {
    ok: false,
    size: null,
    checkpoint: null,
    logKey: null,
    cosignedBy: [],
    problems: [],
  };
  const bad = (problem: string, index?: number) => {
    out.problems.push(index === undefined ? problem : `index ${index}: ${problem}`);
    if (index !== undefined && (out.firstBadIndex === undefined || index < out.firstBadIndex))
      out.firstBadIndex = index;
  };

  const note = await text('v1/log/checkpoint');
  out.checkpoint = note;
  const witnessed = await checkWitnessedCheckpoint(note, options.policy);
  if (!witnessed.ok) {
    bad(`checkpoint: ${witnessed.reason} (${witnessed.detail})`);
    if (witnessed.reason !== 'quorum_not_met') return out;
  }
  // Short of the quorum the leaves are still worth checking: against the log's own signature.
  let logKey = witnessed.ok ? witnessed.logKey : '';
  let checked = witnessed;
  if (!witnessed.ok) {
    for (const log of options.policy.logs) {
      const attempt = await checkCheckpoint(note, { logKey: log.vkey });
      if (attempt.ok) {
        checked = { ...attempt, logKey: log.vkey, cosignedBy: [] };
        logKey = log.vkey;
        break;
      }
    }
  }
  if (!checked.ok) return out;
  out.logKey = logKey;
  out.cosignedBy = checked.cosignedBy;
  const { size, rootHash } = checked.checkpoint;
  out.size = size;

  let previous: { size: number; root: Uint8Array } | undefined;
  if (options.previousCheckpoint) {
    const old = await checkCheckpoint(options.previousCheckpoint, { logKey });
    if (!old.ok) bad(`saved checkpoint: ${old.reason}`);
    else previous = { size: old.checkpoint.size, root: old.checkpoint.rootHash };
  }

  const range = new CompactRange();
  const pageSize = options.pageSize ?? 1000;
  while (range.size < size) {
    const start = range.size;
    const res = await get(url(`v1/log/entries?start=${start}&count=${Math.min(pageSize, size - start)}`));
    if (!res.ok) {
      bad(`entries from ${start}: HTTP ${res.status}`, start);
      return out;
    }
    const body = (await res.json()) as { entries: { index: number; leaf: string; leafHash: string }[] };
    if (body.entries.length === 0) {
      bad('missing from the served leaves', start);
      return out;
    }
    for (const e of body.entries) {
      const index = range.size;
      if (e.index !== index) {
        bad(`served as index ${e.index}`, index);
        return out;
      }
      let hash: Uint8Array;
      try {
        hash = leafHash(fromBase64(e.leaf));
        if (!bytesEqual(hash, fromBase64(e.leafHash))) bad('leaf hash does not match the leaf', index);
      } catch {
        bad('leaf is not base64', index);
        return out;
      }
      range.append([hash]);
      if (previous && range.size === previous.size && !bytesEqual(range.root(), previous.root)) {
        bad(`leaves up to ${previous.size} no longer hash to the saved checkpoint`, previous.size - 1);
      }
      if (range.size === size) break;
    }
  }
  if (!bytesEqual(range.root(), rootHash)) bad('the served leaves do not hash to the checkpoint root');

  if (options.previousCheckpoint && previous) {
    if (previous.size > size) bad(`log shrank from ${previous.size} to ${size}`);
    else {
      const proof =
        previous.size > 0 && previous.size < size
          ? (
              (await (
                await get(url(`v1/log/proofs/consistency?from=${previous.size}&to=${size}`))
              ).json()) as {
                proof: string[];
              }
            ).proof
          : [];
      const consistent = await verifyCheckpointConsistency({
        logKey,
        oldCheckpoint: options.previousCheckpoint,
        newCheckpoint: note,
        proof,
      });
      if (!consistent.ok) bad(`consistency with the saved checkpoint: ${consistent.reason}`);
    }
  }
  for (const problem of await compareWithWitnesses(options.policy, note, logKey, get, url)) bad(problem);
  out.ok = out.problems.length === 0;
  return out;
}

/**
 * The log's checkpoint against the latest checkpoint each witness with a URL cosigned
 * (c2sp.org/tlog-witness monitoring API): equal sizes must have equal roots, and the smaller tree must be
 * proved a prefix of the larger by the log's own consistency proof. A witness that cannot be reached is
 * reported too: the verifier then knows less than its policy asks.
 */
async function compareWithWitnesses(
  policy: WitnessPolicy,
  note: string,
  logKey: string,
  get: Fetch,
  logUrl: (path: string) => string,
): Promise<string[]> {
  const problems: string[] = [];
  const origin = note.slice(0, note.indexOf('\n'));
  const originHash = toHex(await sha256(utf8(origin)));
  for (const w of policy.witnesses) {
    if (!w.url) continue;
    const base = w.url.endsWith('/') ? w.url : `${w.url}/`;
    let seen: string;
    try {
      const res = await get(new URL(`${originHash}/checkpoint`, base).toString());
      if (res.status === 404) continue;
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      seen = await res.text();
    } catch (err) {
      problems.push(`witness ${w.name}: unreachable (${err instanceof Error ? err.message : String(err)})`);
      continue;
    }
    const theirs = await checkCheckpoint(seen, { logKey, witnessKeys: [w.vkey] });
    if (!theirs.ok) {
      problems.push(`witness ${w.name}: its checkpoint does not verify (${theirs.reason})`);
      continue;
    }
    const ours = await checkCheckpoint(note, { logKey });
    if (!ours.ok) continue;
    const [older, newer] = theirs.checkpoint.size <= ours.checkpoint.size ? [seen, note] : [note, seen];
    const from = Math.min(theirs.checkpoint.size, ours.checkpoint.size);
    const to = Math.max(theirs.checkpoint.size, ours.checkpoint.size);
    let proof: string[] = [];
    if (from > 0 && from < to) {
      const res = await get(logUrl(`v1/log/proofs/consistency?from=${from}&to=${to}`));
      proof = res.ok ? ((await res.json()) as { proof: string[] }).proof : [];
    }
    const consistent = await verifyCheckpointConsistency({
      logKey,
      oldCheckpoint: older,
      newCheckpoint: newer,
      proof,
    });
    if (!consistent.ok) {
      problems.push(
        `split view: the log's checkpoint (size ${ours.checkpoint.size}) and the one witness ${w.name} cosigned (size ${theirs.checkpoint.size}) are not consistent: ${consistent.reason}`,
      );
    }
  }
  return problems;
}
