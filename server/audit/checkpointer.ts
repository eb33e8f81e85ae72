/**
 * Publishes C2SP checkpoints of the latest tree head (DESIGN §9): at most once a second while the log
 * grows, and a fresh signature over the same head every 60 s when idle. One publisher at a time per
 * database (transaction advisory lock), and before signing the head is claimed in signed_tree_head, so no
 * two checkpointers ever sign two roots for one size even without the lock. Every checkpoint goes to all
 * configured witnesses (c2sp.org/tlog-witness) at once, with a short timeout; their verified cosignature
 * lines are appended to the published note. A failing witness never blocks publication: verifiers whose
 * policy needs that witness will refuse the checkpoint, which is the point.
 */
import type { Logger } from 'pino';
import { withTransaction, type Database } from '../db/unit-of-work.js';
import type { BackgroundTask } from '../shared/types.js';
import type { KeyStore } from '../keys/key-store.js';
import { ed25519Signer } from './checkpoint.js';
import { EMPTY_ROOT, type NodeId } from './merkle.js';
import { consistencyProofFrom } from './proofs.js';
import { assembleNote, formatCheckpoint, parseNote, signNote } from './note.js';
import { toBase64 } from './bytes.js';
import { claimSignedHead } from './signed-head.repo.js';
import {
  insertCheckpoint,
  latestCheckpoint,
  latestHead,
  publicationState,
  tryCheckpointLock,
} from './log-tree.repo.js';
import { nodeHashes } from './proof-nodes.repo.js';
import type { Witness } from './witness-client.js';

export interface CheckpointerOptions {
  db: Database;
  logger: Logger;
  keys: KeyStore;
  origin: string;
  now?: () => Date;
  /** Minimum time between checkpoints of a growing log. */
  minIntervalMs?: number;
  /** Re-sign an unchanged head after this long. */
  idleIntervalMs?: number;
  /** How often to look for growth. */
  pollMs?: number;
  /** Witnesses asked to cosign every checkpoint. */
  witnesses?: readonly Witness[];
}

export interface Checkpointer extends BackgroundTask {
  /** Publishes now if due (or always with force); returns the size signed, or null if nothing was due. */
  publish(force?: boolean): Promise<number | null>;
  /** A hint that the log grew (from the sequencer): publish as soon as the rate limit allows. */
  nudge(): void;
}

export function createCheckpointer(options: CheckpointerOptions): Checkpointer {
  const { db, logger, keys, origin } = options;
  const now = options.now ?? (() => new Date());
  const minInterval = options.minIntervalMs ?? 1000;
  const idleInterval = options.idleIntervalMs ?? 60_000;
  const pollMs = options.pollMs ?? 250;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = true;
  let inFlight = false;

  /** When the next look is worth taking, set by the last look: ms from then. */
  let nextLookMs = pollMs;

  /** A checkpoint is due when the log grew and the interval has passed, or when the last one is old. */
  const isDue = (size: number, last: { size: number; at: Date } | null) => {
    const age = last ? now().getTime() - last.at.getTime() : Infinity;
    const grew = !last || size > last.size;
    return { due: (grew && age >= minInterval) || age >= idleInterval, grew, age };
  };

  async function publish(force = false): Promise<number | null> {
    // A look that finds nothing due costs one statement; only a due checkpoint takes the lock and
    // the transaction below, which decides again under the lock.
    if (!force) {
      const state = await publicationState(db);
      const { due, grew, age } = isDue(
        state.size,
        state.checkpointAt && state.checkpointSize !== null
          ? { size: state.checkpointSize, at: state.checkpointAt }
          : null,
      );
      if (!due) {
        // Grown but too soon: nothing can be due before the interval has passed.
        nextLookMs = grew ? Math.max(pollMs, minInterval - age) : pollMs;
        return null;
      }
    }
    nextLookMs = pollMs;
    return withTransaction(db, async (trx) => {
      if (!(await tryCheckpointLock(trx))) return null;
      const head = await latestHead(trx);
      const last = await latestCheckpoint(trx);
      const size = head?.size ?? 0;
      const root = head?.root ?? EMPTY_ROOT;
      if (!force && !isDue(size, last && { size: last.size, at: last.createdAt }).due) return null;
      if (last && size < last.size) throw new Error(`tree head ${size} is behind checkpoint ${last.size}`);
      const claim = await claimSignedHead(trx, origin, size, root);
      if (!claim.ok) {
        throw new Error(
          `refusing to sign root ${toBase64(root)} for size ${size}: ${toBase64(claim.signedRoot)} is signed for it`,
        );
      }
      const key = keys.current('checkpoint');
      const signed = await signNote(formatCheckpoint({ origin, size, rootHash: root }), [
        ed25519Signer(origin, key),
      ]);
      const { text } = parseNote(signed);
      const logLine = signed.slice(text.length + 1);
      const fetch = (ids: NodeId[]) => nodeHashes(trx, ids);
      const proofFrom = async (old: number) =>
        old > size ? null : old === 0 ? [] : consistencyProofFrom(fetch, old, size);
      const answers = await Promise.all(
        (options.witnesses ?? []).map((w) =>
          w.cosign(signed, proofFrom).then(
            (answer) => ({ name: w.name, answer }),
            (err: unknown) => ({
              name: w.name,
              answer: { status: 0, detail: err instanceof Error ? err.message : String(err) },
            }),
          ),
        ),
      );
      const cosignedBy: string[] = [];
      const lines: string[] = [];
      for (const { name, answer } of answers) {
        if ('lines' in answer) {
          cosignedBy.push(name);
          lines.push(...answer.lines);
        } else {
          logger.warn({ witness: name, size, ...answer }, 'audit checkpointer: witness did not cosign');
        }
      }
      const note = assembleNote(text, [logLine, ...lines]);
      await insertCheckpoint(trx, { size, root, note, cosignedBy });
      return size;
    });
  }

  const tick = () => {
    timer = undefined;
    inFlight = true;
    running = publish()
      .catch((err: unknown) => logger.error({ err }, 'audit checkpointer: publishing failed'))
      .finally(() => {
        inFlight = false;
        if (!stopped) timer = setTimeout(tick, nextLookMs);
      });
  };

  return {
    name: 'audit-checkpointer',
    start() {
      if (!stopped) return;
      stopped = false;
      tick();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
    publish,
    nudge() {
      if (stopped || inFlight || !timer) return;
      clearTimeout(timer);
      timer = setTimeout(tick, 0);
    },
  };
}
