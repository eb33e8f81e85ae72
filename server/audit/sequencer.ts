/**
 * The sequencer (DESIGN §9): one leader per database (session advisory lock on a dedicated connection)
 * moves queued entries into gap-free log indices. One transaction per batch claims the queue rows, builds
 * salted leaves that commit to the entry and its subject link, appends them to the Merkle tree (storing
 * every completed node), extends the subject index and stores the new tree head. A crash anywhere before
 * COMMIT rolls all of it back, so there is never a gap or a duplicate.
 */
import type { Logger } from 'pino';
import { withTransaction, type Database, type Transaction } from '../db/unit-of-work.js';
import type { BackgroundTask } from '../shared/types.js';
import { CompactRange } from './compact-range.js';
import { commitEntry } from './commitment.js';
import { committedValue } from './leaf-value.js';
import { leafHash } from './merkle.js';
import {
  claimQueued,
  fenceBatch,
  insertBatch,
  latestHead,
  type NewLeaf,
  type NewNode,
  type QueuedEntry,
} from './log-tree.repo.js';
import { acquireLeaderConnection, type LeaderConnection } from './leader-lock.repo.js';

export interface SequencedBatch {
  leaves: NewLeaf[];
  nodes: NewNode[];
  head: { size: number; root: Uint8Array; compactRange: Uint8Array };
}

/** Pure part of a batch: indices, subject links, commitments, tree nodes and the new head. */
export function buildBatch(
  range: CompactRange,
  entries: readonly QueuedEntry[],
  heads: Map<string, { seq: number; index: number }>,
): SequencedBatch {
  const leaves: NewLeaf[] = [];
  for (const entry of entries) {
    const index = range.size + leaves.length;
    const prev = heads.get(entry.subjectKey);
    const link = { seq: (prev?.seq ?? 0) + 1, prevIndex: prev?.index ?? null };
    heads.set(entry.subjectKey, { seq: link.seq, index });
    const { salt, leafData } = commitEntry(
      committedValue(JSON.parse(entry.body) as unknown, entry.subjectKey, link),
    );
    leaves.push({
      index,
      entryId: entry.entryId,
      entryCreatedAt: entry.createdAt,
      leaf: leafData,
      leafHash: leafHash(leafData),
      salt,
      subjectKey: entry.subjectKey,
      subjectSeq: link.seq,
      prevIndex: link.prevIndex,
    });
  }
  const nodes = range
    .append(leaves.map((l) => l.leafHash))
    .filter((n) => n.level > 0)
    .map((n) => ({ level: n.level, index: n.index, hash: n.hash }));
  return { leaves, nodes, head: { size: range.size, root: range.root(), compactRange: range.toBytes() } };
}

export interface SequencerHooks {
  /** Test seam: called inside the batch transaction after every write, before COMMIT. */
  beforeCommit?: (batch: SequencedBatch) => Promise<void>;
}

/** Runs one batch in `trx`; returns how many entries it sequenced. */
export async function sequenceBatch(
  trx: Transaction,
  limit: number,
  hooks: SequencerHooks = {},
): Promise<number> {
  await fenceBatch(trx);
  const { entries, heads } = await claimQueued(trx, limit);
  if (entries.length === 0) return 0;
  const head = await latestHead(trx);
  const range = head ? CompactRange.fromBytes(head.size, head.compactRange) : new CompactRange();
  const batch = buildBatch(range, entries, heads);
  await insertBatch(trx, batch.leaves, batch.nodes, batch.head);
  await hooks.beforeCommit?.(batch);
  return entries.length;
}

export interface SequencerOptions {
  db: Database;
  logger: Logger;
  intervalMs: number;
  batchSize: number;
  hooks?: SequencerHooks;
  /** Called after each committed batch (the checkpointer listens to publish sooner). */
  onBatch?: (count: number) => void;
  /** How long a follower waits before trying to lead again. */
  retryMs?: number;
}

export interface Sequencer extends BackgroundTask {
  /** Drains the queue once on a pool connection (tests, CLI); respects the batch fence. */
  runOnce(): Promise<number>;
  isLeader(): boolean;
}

const sleep = (ms: number, signal: { stopped: boolean; wake?: () => void }) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });

export function createSequencer(options: SequencerOptions): Sequencer {
  const { db, logger, intervalMs, batchSize } = options;
  const state: { stopped: boolean; wake?: () => void } = { stopped: true };
  let leader = false;
  let loop: Promise<void> | undefined;

  async function lead(connection: LeaderConnection): Promise<void> {
    while (!state.stopped) {
      const started = Date.now();
      const count = await connection.transaction((trx) => sequenceBatch(trx, batchSize, options.hooks));
      if (count > 0) options.onBatch?.(count);
      if (count < batchSize) await sleep(Math.max(0, intervalMs - (Date.now() - started)), state);
    }
  }

  async function run(): Promise<void> {
    while (!state.stopped) {
      let connection: LeaderConnection | undefined;
      try {
        connection = await acquireLeaderConnection(db);
        if (await connection.tryLock()) {
          leader = true;
          logger.info('audit sequencer: leading');
          try {
            await lead(connection);
          } finally {
            leader = false;
            await connection.unlock();
          }
        }
      } catch (err) {
        leader = false;
        logger.error({ err }, 'audit sequencer: batch failed; retrying');
      } finally {
        if (connection) await connection.release().catch(() => undefined);
      }
      if (!state.stopped) await sleep(options.retryMs ?? 1000, state);
    }
  }

  return {
    name: 'audit-sequencer',
    start() {
      if (!state.stopped) return;
      state.stopped = false;
      loop = run();
    },
    async stop() {
      state.stopped = true;
      state.wake?.();
      await loop;
      loop = undefined;
    },
    async runOnce() {
      let total = 0;
      for (;;) {
        const count = await withTransaction(db, (trx) => sequenceBatch(trx, batchSize, options.hooks));
        total += count;
        if (count > 0) options.onBatch?.(count);
        if (count < batchSize) return total;
      }
    },
    isLeader: () => leader,
  };
}
