// Checks one page of GET /v1/me/access-log in the citizen's browser (or the CLI): the checkpoint is signed
// by the trusted log key, it extends the checkpoint the citizen saw before, every entry opens to its leaf
// and is included under the checkpoint, and the entries form an unbroken chain (no subject_seq gap, each
// prevIndex pointing at the previous entry). Browser-safe: no node:* imports, no Buffer.
import { committedValue } from './leaf-value.js';
import type { WitnessPolicy } from './witness-policy.js';
import {
  checkCheckpoint,
  checkWitnessedCheckpoint,
  verifyCheckpointConsistency,
  verifyEntryInclusion,
  type FailureReason,
} from './verifier.js';

export interface AccessLogPageInput {
  checkpoint: string | null;
  treeSize: number;
  consistency: { fromSize: number; toSize: number; proof: string[] } | null;
  entries: {
    index: number;
    subject: { seq: number; prevIndex: number | null };
    entry: { subjectKey: string };
    salt: string;
    leaf: string;
    inclusionProof: string[] | null;
  }[];
}

export type EntryStatus = 'verified' | 'pending' | FailureReason;

export interface PageVerification {
  /** True when the checkpoint, consistency and every entry that can be checked verified. */
  ok: boolean;
  checkpointSize: number | null;
  checkpoint: 'verified' | 'missing' | FailureReason;
  consistency: 'verified' | 'not_requested' | FailureReason;
  entries: { index: number; status: EntryStatus }[];
  /** Entries of the chain this page should hold but does not (filtered out, embargoed or hidden). */
  gaps: { afterSeq: number; beforeSeq: number }[];
}

export async function verifyAccessLogPage(
  page: AccessLogPageInput,
  trust: {
    logKey: string;
    witnessKeys?: string[];
    origin?: string;
    previousCheckpoint?: string;
    /** When given, the checkpoint must also meet this policy's witness quorum. */
    policy?: WitnessPolicy;
  },
): Promise<PageVerification> {
  const keys = {
    logKey: trust.logKey,
    ...(trust.witnessKeys ? { witnessKeys: trust.witnessKeys } : {}),
    ...(trust.origin ? { origin: trust.origin } : {}),
  };
  const out: PageVerification = {
    ok: true,
    checkpointSize: null,
    checkpoint: 'missing',
    consistency: 'not_requested',
    entries: [],
    gaps: [],
  };
  if (page.checkpoint) {
    const checked = trust.policy
      ? await checkWitnessedCheckpoint(page.checkpoint, trust.policy)
      : await checkCheckpoint(page.checkpoint, keys);
    out.checkpoint = checked.ok ? 'verified' : checked.reason;
    if (checked.ok) out.checkpointSize = checked.checkpoint.size;
    if (checked.ok && checked.checkpoint.size !== page.treeSize) out.checkpoint = 'checkpoint_malformed';
  }
  if (trust.previousCheckpoint && page.checkpoint) {
    const result = await verifyCheckpointConsistency({
      ...keys,
      oldCheckpoint: trust.previousCheckpoint,
      newCheckpoint: page.checkpoint,
      proof: page.consistency?.proof ?? [],
    });
    out.consistency = result.ok ? 'verified' : result.reason;
  }
  for (const e of page.entries) {
    if (!page.checkpoint || e.inclusionProof === null || out.checkpoint !== 'verified') {
      out.entries.push({ index: e.index, status: 'pending' });
      continue;
    }
    const result = await verifyEntryInclusion({
      ...keys,
      checkpoint: page.checkpoint,
      entry: {
        body: committedValue(e.entry, e.entry.subjectKey, e.subject),
        salt: e.salt,
        index: e.index,
        leafData: e.leaf,
      },
      proof: e.inclusionProof,
    });
    out.entries.push({ index: e.index, status: result.ok ? 'verified' : result.reason });
  }
  // Newest first: each entry's predecessor is the next one on the page.
  for (let i = 0; i + 1 < page.entries.length; i++) {
    const newer = page.entries[i]!;
    const older = page.entries[i + 1]!;
    if (newer.subject.seq !== older.subject.seq + 1 || newer.subject.prevIndex !== older.index) {
      out.gaps.push({ afterSeq: older.subject.seq, beforeSeq: newer.subject.seq });
    }
  }
  const last = page.entries.at(-1);
  if (last && last.subject.seq === 1 && last.subject.prevIndex !== null) {
    out.gaps.push({ afterSeq: 0, beforeSeq: 1 });
  }
  out.ok =
    (out.checkpoint === 'verified' || out.checkpoint === 'missing') &&
    (out.consistency === 'verified' || out.consistency === 'not_requested') &&
    out.entries.every((e) => e.status === 'verified' || e.status === 'pending');
  return out;
}
