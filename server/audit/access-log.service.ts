/**
 * A citizen's own access history: a page of their visible entries with openings and inclusion proofs
 * against the latest checkpoint (and, on request, its consistency with one they saw before), and every
 * entry for the CSV export.
 */
import { ValidationError } from '../errors.js';
import type { AuditRepo } from './audit.ports.js';
import type { AccessLogFilters, AccessLogRow, AuditEntryBody } from './audit.types.js';
import { b64 } from './base64.js';
import { check } from './entry-body.js';
import { consistencyProofFrom, inclusionProofsFrom, type NodeFetcher } from './proofs.js';

export const MAX_ACCESS_LOG_PAGE = 100;
export const MAX_CSV_ROWS = 10_000;

export interface AccessLogQuery extends AccessLogFilters {
  cursor?: string;
  limit?: number;
  sinceSize?: number;
}

export interface AccessLogEntry {
  index: number;
  subject: { seq: number; prevIndex: number | null };
  entry: AuditEntryBody;
  /** The opening: with entry and subject it recomputes the leaf. */
  salt: string;
  leaf: string;
  /** Against `checkpoint`; null while the entry is newer than the latest checkpoint. */
  inclusionProof: string[] | null;
}

export interface AccessLogPage {
  checkpoint: string | null;
  treeSize: number;
  logKeys: string[];
  consistency: { fromSize: number; toSize: number; proof: string[] } | null;
  entries: AccessLogEntry[];
  nextCursor: string | null;
  /** Durable entries about this citizen that the sequencer has not placed in the log yet. */
  pending: number;
}

function encodeCursor(seq: number): string {
  return Buffer.from(`s${seq}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const match = /^s([1-9][0-9]{0,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match)
    throw new ValidationError('cursor: not a cursor from this API', [
      { pointer: '/query/cursor', message: 'invalid cursor' },
    ]);
  return Number(match[1]);
}

/** Asks `fetch` only for the nodes `known` lacks (the page statement's low siblings). */
function withKnown(known: Map<string, Uint8Array>, fetch: NodeFetcher): NodeFetcher {
  if (known.size === 0) return fetch;
  return async (ids) => {
    const missing = ids.filter((id) => !known.has(`${id.level}/${id.index}`));
    if (missing.length === 0) return known;
    const found = await fetch(missing);
    for (const [key, hash] of found) known.set(key, hash);
    return known;
  };
}

export function accessLogUseCases(deps: {
  repo: AuditRepo;
  now: () => Date;
  logKeys: () => string[];
  fetchNodes: NodeFetcher;
}) {
  const { repo, now, fetchNodes } = deps;
  return {
    async accessLog(subjectKey: string, query: AccessLogQuery): Promise<AccessLogPage> {
      const limit = query.limit ?? 50;
      check(
        limit >= 1 && limit <= MAX_ACCESS_LOG_PAGE,
        '/query/limit',
        `must be between 1 and ${MAX_ACCESS_LOG_PAGE}`,
      );
      const beforeSeq = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      const visibleAt = now();
      const filters: AccessLogFilters = {};
      if (query.from) filters.from = query.from;
      if (query.to) filters.to = query.to;
      if (query.organisation) filters.organisation = query.organisation;
      if (query.recordType) filters.recordType = query.recordType;
      // Entries sequenced after this checkpoint come without a proof (as before the next one).
      const {
        checkpoint: cp,
        rows,
        pending,
        nodes,
      } = await repo.accessLogPage(subjectKey, filters, visibleAt, {
        ...(beforeSeq !== undefined ? { beforeSeq } : {}),
        limit: limit + 1,
      });
      const cpSize = cp?.size ?? 0;
      let consistency: AccessLogPage['consistency'] = null;
      if (query.sinceSize !== undefined) {
        check(
          query.sinceSize <= cpSize,
          '/query/since_size',
          `is beyond the latest checkpoint size ${cpSize}`,
        );
        if (query.sinceSize > 0) {
          const proof = await consistencyProofFrom(fetchNodes, query.sinceSize, cpSize);
          consistency = { fromSize: query.sinceSize, toSize: cpSize, proof: proof.map(b64) };
        }
      }
      const page = rows.slice(0, limit);
      const covered = page.filter((r) => r.index < cpSize);
      const proofs = await inclusionProofsFrom(
        withKnown(nodes, fetchNodes),
        covered.map((r) => r.index),
        cpSize,
      );
      const proofByIndex = new Map(covered.map((r, i) => [r.index, proofs[i]!.map(b64)]));
      return {
        checkpoint: cp?.note ?? null,
        treeSize: cpSize,
        logKeys: deps.logKeys(),
        consistency,
        entries: page.map((r) => ({
          index: r.index,
          subject: { seq: r.subjectSeq, prevIndex: r.prevIndex },
          entry: JSON.parse(r.body) as AuditEntryBody,
          salt: b64(r.salt),
          leaf: b64(r.leaf),
          inclusionProof: proofByIndex.get(r.index) ?? null,
        })),
        nextCursor: rows.length > limit ? encodeCursor(page.at(-1)!.subjectSeq) : null,
        pending,
      };
    },

    /** Every visible entry matching the filters, newest first, for export (no proofs). */
    async accessLogAll(subjectKey: string, filters: AccessLogFilters): Promise<AccessLogRow[]> {
      return repo.accessLog(subjectKey, filters, now(), { limit: MAX_CSV_ROWS });
    },
  };
}
