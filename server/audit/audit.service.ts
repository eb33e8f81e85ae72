/**
 * Audit use cases (no Express, no knex): append entries durably (audit-append.ts), serve the public log
 * (checkpoint, receipts, proofs, leaf bundles) and the citizen's own access history with openings and
 * proofs (access-log.service.ts). Dependencies come in as arguments (audit.ports.ts): the repository,
 * the clock and the log's verifier keys.
 */
import { AppError, NotFoundError } from '../errors.js';
import { accessLogUseCases } from './access-log.service.js';
import { createAuditAppender } from './audit-append.js';
import type { AuditServiceDeps, ReceiptBinding } from './audit.ports.js';
import { TILE_HEIGHT, type StoredCheckpoint } from './audit.types.js';
import { b64 } from './base64.js';
import { check } from './entry-body.js';
import type { NodeId } from './merkle.js';
import { cachedNodeFetcher } from './node-cache.js';
import { consistencyProofFrom, inclusionProofFrom } from './proofs.js';

export const MAX_ENTRY_BUNDLE = 1000;

export type AuditService = ReturnType<typeof createAuditService>;

export function createAuditService(deps: AuditServiceDeps) {
  const { repo } = deps;
  const now = deps.now ?? (() => new Date());
  const fetchNodes = cachedNodeFetcher((ids: NodeId[]) => repo.nodeHashes(ids), { fromLevel: TILE_HEIGHT });
  const appender = createAuditAppender(repo, now);
  const accessLog = accessLogUseCases({ repo, now, logKeys: deps.logKeys, fetchNodes });

  async function currentSize(): Promise<number> {
    return (await repo.latestHead())?.size ?? 0;
  }

  async function latestCheckpoint(): Promise<StoredCheckpoint> {
    const cp = await repo.latestCheckpoint();
    if (!cp)
      throw new AppError(503, 'service_unavailable', 'No checkpoint yet', {
        detail: 'The log has not published its first checkpoint yet. Try again shortly.',
        headers: { 'Retry-After': '1' },
      });
    return cp;
  }

  return {
    ...appender,

    async checkpoint(): Promise<string> {
      return (await latestCheckpoint()).note;
    },

    /**
     * A requester's receipt, completed: where its entry sits in the log and the inclusion proof
     * against the latest checkpoint, once the sequencer and checkpointer have caught up. Entries of
     * other organisations look like entries that do not exist.
     */
    async receipt(
      entryId: number,
      requesterOrg: string | null,
    ): Promise<
      | { entryId: number; status: 'pending' }
      | {
          entryId: number;
          status: 'included';
          index: number;
          leafHash: string;
          treeSize: number;
          proof: string[];
          checkpoint: string;
          digest: string;
          leaf: string;
          attestation?: string;
        }
    > {
      const placement = await repo.entryPlacement(entryId);
      if (!placement || (requesterOrg !== null && placement.requesterOrg !== requesterOrg)) {
        throw new NotFoundError(`No audit entry ${entryId}.`);
      }
      const cp = await repo.latestCheckpoint();
      if (
        placement.index === null ||
        !placement.leafHash ||
        !placement.leaf ||
        !cp ||
        placement.index >= cp.size
      ) {
        return { entryId, status: 'pending' };
      }
      const proof = await inclusionProofFrom(fetchNodes, placement.index, cp.size);
      const binding: ReceiptBinding = {
        entryId,
        digest: Buffer.from(placement.digest).toString('base64url'),
        index: placement.index,
        leaf: b64(placement.leaf),
      };
      return {
        entryId,
        status: 'included',
        index: placement.index,
        leafHash: b64(placement.leafHash),
        treeSize: cp.size,
        proof: proof.map(b64),
        checkpoint: cp.note,
        digest: binding.digest,
        leaf: binding.leaf,
        ...(deps.attestReceipt ? { attestation: await deps.attestReceipt(binding) } : {}),
      };
    },

    logKeys: (): string[] => deps.logKeys(),

    async inclusionProof(
      index: number,
      size: number,
    ): Promise<{ index: number; size: number; proof: string[] }> {
      const tree = await currentSize();
      check(size >= 1 && size <= tree, '/query/size', `must be between 1 and the tree size ${tree}`);
      check(index >= 0 && index < size, '/query/index', 'must be below size');
      return { index, size, proof: (await inclusionProofFrom(fetchNodes, index, size)).map(b64) };
    },

    async consistencyProof(from: number, to: number): Promise<{ from: number; to: number; proof: string[] }> {
      const tree = await currentSize();
      check(to >= 1 && to <= tree, '/query/to', `must be between 1 and the tree size ${tree}`);
      check(from >= 1 && from <= to, '/query/from', 'must be between 1 and to');
      return { from, to, proof: (await consistencyProofFrom(fetchNodes, from, to)).map(b64) };
    },

    async entries(
      start: number,
      count: number,
    ): Promise<{
      start: number;
      treeSize: number;
      entries: { index: number; leaf: string; leafHash: string }[];
    }> {
      const tree = await currentSize();
      check(
        count >= 1 && count <= MAX_ENTRY_BUNDLE,
        '/query/count',
        `must be between 1 and ${MAX_ENTRY_BUNDLE}`,
      );
      if (start >= tree) throw new NotFoundError(`The log has ${tree} entries.`);
      const bundles = await repo.leafBundles(start, Math.min(count, tree - start));
      return {
        start,
        treeSize: tree,
        entries: bundles.map((b) => ({ index: b.index, leaf: b64(b.leaf), leafHash: b64(b.leafHash) })),
      };
    },

    ...accessLog,
  };
}
