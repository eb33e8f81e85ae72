// The JSON value a leaf commits to: the entry body plus its place in the subject's chain. Kept free of
// node:* so the browser rebuilds exactly what the sequencer committed. The chain link (subject key, seq,
// previous index) is inside the commitment, so a citizen detects an entry left out of their history.

export const LEAF_VERSION = 1;

export interface SubjectLink {
  seq: number;
  /** Log index of the subject's previous entry; null for the first. */
  prevIndex: number | null;
}

export interface CommittedLeaf {
  v: 1;
  entry: unknown;
  subject: { key: string; seq: number; prevIndex: number | null };
}

export function committedValue(entry: unknown, subjectKey: string, link: SubjectLink): CommittedLeaf {
  return { v: LEAF_VERSION, entry, subject: { key: subjectKey, seq: link.seq, prevIndex: link.prevIndex } };
}
