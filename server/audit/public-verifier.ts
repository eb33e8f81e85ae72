/**
 * Verifies a running log from its public API only: the signed checkpoint, every leaf (its hash and its
 * place), the root recomputed from all leaves, and (given the checkpoint saved last time) that the new
 * checkpoint extends it, both by the served consistency proof and by recomputing the old root from the
 * leaves. Used by `npm run audit:verify`.
 */
import { bytesEqual, fromBase64 } from './bytes.js';
import { CompactRange } from './compact-range.js';
import { leafHash } from './merkle.js';
import { checkCheckpoint, verifyCheckpointConsistency } from './verifier.js';

export interface PublicVerification {
  ok: boolean;
  size: number | null;
  checkpoint: string | null;
  /** The log key used, and whether it was pinned by the caller or fetched from the log itself. */
  logKey: string | null;
  keySource: 'pinned' | 'fetched';
  firstBadIndex?: number;
  problems: string[];
}

type Fetch = (url: string) => Promise<Response>;

export async function verifyPublicLog(
  baseUrl: string,
  options: { logKey?: string; previousCheckpoint?: string; fetch?: Fetch; pageSize?: number } = {},
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
    logKey: options.logKey ?? null,
    keySource: options.logKey ? 'pinned' : 'fetched',
    problems: [],
  };
  const bad = (problem: string, index?: number) => {
    out.problems.push(index === undefined ? problem : `index ${index}: ${problem}`);
    if (index !== undefined && (out.firstBadIndex === undefined || index < out.firstBadIndex))
      out.firstBadIndex = index;
  };

  const logKey = options.logKey ?? (await text('v1/log/key')).split('\n')[0]!;
  out.logKey = logKey;
  const note = await text('v1/log/checkpoint');
  out.checkpoint = note;
  const checked = await checkCheckpoint(note, { logKey });
  if (!checked.ok) {
    bad(`checkpoint: ${checked.reason} (${checked.detail})`);
    return out;
  }
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
  out.ok = out.problems.length === 0;
  return out;
}
