/**
 * Re-checks the whole log from the database (operators, tests): contiguous indices, every leaf opens to
 * its stored entry and subject link, subject chains without gaps, leaf hashes, stored tree nodes and heads
 * recomputed from the leaves, every checkpoint signed by a log key over the recomputed root, and no entry
 * left neither queued nor sequenced. Reports the first bad log index it finds.
 */
import { createHash } from 'node:crypto';
import type { Runner } from '../db/unit-of-work.js';
import { bytesEqual } from './bytes.js';
import { verifierFromVkey } from './checkpoint.js';
import { CompactRange } from './compact-range.js';
import { openCommitment } from './commitment.js';
import { committedValue } from './leaf-value.js';
import { EMPTY_ROOT, leafHash } from './merkle.js';
import { openCheckpoint } from './note.js';
import { canonicalJson } from './preimage.js';
import { createVerifierRepo, type LeafRow } from './verifier.repo.js';

export interface DbVerification {
  ok: boolean;
  size: number;
  /** Entries whose bodies retention dropped (their leaves were still checked). */
  pruned?: number;
  /** First log index found bad (a missing index counts as bad at that index). */
  firstBadIndex?: number;
  problems: string[];
  checkpointsChecked: number;
}

const CHUNK = 5000;

export async function verifyDatabase(
  db: Runner,
  options: { logKeys?: string[]; origin?: string; maxProblems?: number } = {},
): Promise<DbVerification> {
  const repo = createVerifierRepo(db);
  const problems: string[] = [];
  let firstBad: number | undefined;
  const maxProblems = options.maxProblems ?? 20;
  const bad = (index: number | undefined, problem: string) => {
    if (index !== undefined && (firstBad === undefined || index < firstBad)) firstBad = index;
    if (problems.length < maxProblems)
      problems.push(index === undefined ? problem : `index ${index}: ${problem}`);
  };

  const heads = new Map<number, { root: Buffer; compact: Buffer }>();
  for (const h of await repo.treeHeads()) {
    heads.set(h.size, { root: h.root, compact: h.compact_range });
  }
  const checkpoints = await repo.checkpoints();
  const wantedRoots = new Set(checkpoints.map((c) => c.size));
  const roots = new Map<number, Uint8Array>([[0, EMPTY_ROOT]]);

  // Months whose bodies retention dropped: a missing body inside one of these id ranges is pruned,
  // not deleted, and each range must account for exactly the number of entries recorded.
  const pruned = (await repo.retainedMonths()).map((r) => ({ ...r, entries: Number(r.entries), seen: 0 }));
  const prunedRange = (entryId: number) =>
    pruned.find(
      (r) =>
        r.first_entry_id !== null &&
        r.last_entry_id !== null &&
        entryId >= r.first_entry_id &&
        entryId <= r.last_entry_id,
    );

  const range = new CompactRange();
  const expectedNodes = new Map<string, Uint8Array>();
  const chains = new Map<string, { seq: number; idx: number }>();
  let expected = 0;
  let checkpointsChecked = 0;
  scan: for (;;) {
    const rows = await repo.leaves(expected, CHUNK);
    if (rows.length === 0) break;
    const chunkStart = expected;
    for (const row of rows) {
      if (row.idx !== expected) {
        bad(expected, `missing (next stored index is ${row.idx})`);
        break scan;
      }
      checkLeaf(row);
      for (const n of range.append([row.leaf_hash])) {
        if (n.level > 0) expectedNodes.set(`${n.level}/${n.index}`, n.hash);
      }
      const size = range.size;
      const head = heads.get(size);
      if (head && (!bytesEqual(head.root, range.root()) || !bytesEqual(head.compact, range.toBytes()))) {
        bad(size - 1, `tree head ${size} does not match the leaves`);
      }
      if (wantedRoots.has(size)) roots.set(size, range.root());
      expected++;
    }
    await checkNodes(chunkStart, expected);
    if (rows.length < CHUNK) break;
  }

  for (const month of pruned) {
    if (month.seen !== month.entries) {
      bad(
        undefined,
        `${month.partition}: ${month.entries} entries were dropped by retention but ${month.seen} are missing`,
      );
    }
  }

  for (const size of heads.keys())
    if (size > range.size) bad(range.size, `tree head ${size} is beyond the leaves`);

  const orphans = await repo.orphanCount();
  if (orphans > 0) bad(undefined, `${orphans} entries are neither queued nor sequenced`);

  const verifiers = (options.logKeys ?? []).map((k) => verifierFromVkey(k));
  for (const cp of checkpoints) {
    const root = roots.get(cp.size);
    if (!root) {
      bad(range.size, `checkpoint of size ${cp.size} is beyond the leaves`);
      continue;
    }
    if (!bytesEqual(root, cp.root))
      bad(Math.max(0, cp.size - 1), `checkpoint ${cp.size} root differs from the leaves`);
    if (verifiers.length) {
      let opened = false;
      for (const v of verifiers) {
        try {
          const o = await openCheckpoint(cp.note, v, [], options.origin ?? v.name);
          if (o.checkpoint.size !== cp.size || !bytesEqual(o.checkpoint.rootHash, root)) {
            bad(Math.max(0, cp.size - 1), `signed checkpoint ${cp.size} does not match the leaves`);
          }
          opened = true;
          break;
        } catch {
          // try the next key
        }
      }
      if (!opened) bad(undefined, `checkpoint ${cp.size} is not signed by a log key`);
    }
    checkpointsChecked++;
  }
  return finish();

  function finish(): DbVerification {
    const out: DbVerification = { ok: problems.length === 0, size: range.size, problems, checkpointsChecked };
    const prunedEntries = pruned.reduce((n, m) => n + m.seen, 0);
    if (prunedEntries) out.pruned = prunedEntries;
    if (firstBad !== undefined) out.firstBadIndex = firstBad;
    return out;
  }

  function checkLeaf(row: LeafRow): void {
    const i = row.idx;
    if (!bytesEqual(row.leaf_hash, leafHash(row.leaf_data))) bad(i, 'leaf hash is not SHA-256(0x00 || leaf)');
    if (row.body === null) {
      const month = prunedRange(Number(row.entry_id));
      if (!month) return bad(i, 'entry body is missing');
      month.seen++;
      // The opening is gone, but the leaf and the subject chain remain checkable.
      if (row.subject_key === null || row.subject_seq === null) return bad(i, 'subject index row is missing');
      const last = chains.get(row.subject_key);
      if ((last?.seq ?? 0) + 1 !== row.subject_seq || (last?.idx ?? null) !== row.prev_idx) {
        bad(i, `subject chain broken (seq ${row.subject_seq} after ${last?.seq ?? 0})`);
      }
      chains.set(row.subject_key, { seq: row.subject_seq, idx: i });
      return;
    }
    if (row.subject_key === null || row.subject_seq === null) return bad(i, 'subject index row is missing');
    if (row.entry_subject !== row.subject_key) bad(i, 'subject index names another subject');
    let body: unknown;
    try {
      body = JSON.parse(row.body);
      if (canonicalJson(body) !== row.body) bad(i, 'entry body is not canonical JSON');
    } catch {
      return bad(i, 'entry body is not JSON');
    }
    const digest = createHash('sha256').update(row.body, 'utf8').digest();
    if (!row.digest || !bytesEqual(digest, row.digest)) bad(i, 'entry digest does not match its body');
    const link = { seq: row.subject_seq, prevIndex: row.prev_idx };
    if (!openCommitment(committedValue(body, row.subject_key, link), row.salt, row.leaf_data)) {
      bad(i, 'leaf does not open to the stored entry');
    }
    const last = chains.get(row.subject_key);
    if ((last?.seq ?? 0) + 1 !== link.seq || (last?.idx ?? null) !== link.prevIndex) {
      bad(i, `subject chain broken (seq ${link.seq} after ${last?.seq ?? 0})`);
    }
    chains.set(row.subject_key, { seq: link.seq, idx: i });
  }

  /** Nodes whose last leaf lies in [from, to) must equal the nodes recomputed from the leaves. */
  async function checkNodes(from: number, to: number): Promise<void> {
    const stored = await repo.nodesEndingIn(from, to);
    const byKey = new Map(stored.map((n) => [`${n.level}/${n.idx}`, n.hash]));
    for (const [key, hash] of expectedNodes) {
      const [level, idx] = key.split('/').map(Number) as [number, number];
      const found = byKey.get(key);
      if (!found || !bytesEqual(found, hash)) {
        bad((idx + 1) * 2 ** level - 1, `tree node ${key} is ${found ? 'wrong' : 'missing'}`);
      }
      byKey.delete(key);
    }
    for (const key of byKey.keys()) bad(undefined, `tree node ${key} is not part of the tree`);
    expectedNodes.clear();
  }
}
