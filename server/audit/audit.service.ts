/**
 * Audit use cases (no Express, no knex): append entries durably, serve the public log (checkpoint, proofs,
 * leaf bundles) and the citizen's own access history with openings and proofs. Dependencies come in as
 * arguments: the repository, the clock and the log's verifier keys.
 */
import { createHash } from 'node:crypto';
import { AppError, AuditUnavailableError, NotFoundError, ValidationError } from '../errors.js';
import type { StatementGuard } from '../db/statement-guard.js';
import { cachedNodeFetcher } from './node-cache.js';
import { check, entryBody } from './entry-body.js';
import { canonicalJson } from './preimage.js';
import type { NodeId } from './merkle.js';
import { consistencyProofFrom, inclusionProofFrom, inclusionProofsFrom } from './proofs.js';
import {
  TILE_HEIGHT,
  type AccessLogFilters,
  type AccessLogRow,
  type AuditEntryBody,
  type AuditEntryInput,
  type AuditReceipt,
  type LeafBundle,
  type StoredCheckpoint,
  type TreeHead,
} from './audit.types.js';
import type { EntryPlacement, EntryRow } from './audit.repo.js';

export interface AuditRepo<Tx> {
  append(
    rows: EntryRow[],
    trx?: Tx,
    guard?: StatementGuard,
  ): Promise<{ entryId: number; digestHex: string }[]>;
  latestHead(): Promise<TreeHead | null>;
  latestCheckpoint(): Promise<StoredCheckpoint | null>;
  nodeHashes(ids: NodeId[]): Promise<Map<string, Uint8Array>>;
  leafBundles(start: number, count: number): Promise<LeafBundle[]>;
  accessLog(
    subjectKey: string,
    filters: AccessLogFilters,
    visibleAt: Date,
    page: { beforeSeq?: number; limit: number },
  ): Promise<AccessLogRow[]>;
  accessLogPage(
    subjectKey: string,
    filters: AccessLogFilters,
    visibleAt: Date,
    page: { beforeSeq?: number; limit: number },
  ): Promise<{ checkpoint: { size: number; note: string } | null; rows: AccessLogRow[]; pending: number }>;
  entryPlacement(entryId: number): Promise<EntryPlacement | undefined>;
}

export interface AuditServiceDeps<Tx> {
  repo: AuditRepo<Tx>;
  now?: () => Date;
  /** The log's vkeys (C2SP note verifier keys), current first. */
  logKeys: () => string[];
  /**
   * Signs a sequenced receipt's binding of entry id and digest to its leaf (a compact JWS with the
   * signed-copy key), so a requester's evidence verifies offline; see docs/log-formats.md §14.
   */
  attestReceipt?: (binding: ReceiptBinding) => Promise<string>;
}

/** What a receipt attestation signs: the entry the requester's answer names and where its leaf is. */
export interface ReceiptBinding {
  entryId: number;
  /** base64url SHA-256 of the entry's canonical body, as in the answer's `audit.digest`. */
  digest: string;
  index: number;
  /** The public leaf value (base64). */
  leaf: string;
}

export const MAX_ENTRY_BUNDLE = 1000;
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

// Buffer rather than bytes.ts's portable loop: a history page encodes hundreds of proof hashes.
const b64 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

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

export type AuditService<Tx> = ReturnType<typeof createAuditService<Tx>>;

export function createAuditService<Tx>(deps: AuditServiceDeps<Tx>) {
  const { repo } = deps;
  const now = deps.now ?? (() => new Date());
  const fetchNodes = cachedNodeFetcher((ids: NodeId[]) => repo.nodeHashes(ids), { fromLevel: TILE_HEIGHT });

  async function appendMany(inputs: AuditEntryInput[], options: { trx?: Tx } = {}): Promise<AuditReceipt[]> {
    return (await write(inputs, options))!;
  }

  /** appendMany, conditional on `guard` in the same statement: undefined (nothing written) if it failed. */
  async function appendIf(
    guard: StatementGuard,
    inputs: AuditEntryInput[],
  ): Promise<AuditReceipt[] | undefined> {
    return write(inputs, { guard });
  }

  async function write(
    inputs: AuditEntryInput[],
    options: { trx?: Tx; guard?: StatementGuard },
  ): Promise<AuditReceipt[] | undefined> {
    const createdAt = now();
    const rows: EntryRow[] = inputs.map((input) => {
      const body = entryBody(input, createdAt);
      const text = canonicalJson(body);
      return {
        requestId: body.requestId,
        subjectKey: body.subjectKey,
        outcome: body.outcome,
        reasonCode: body.reasonCode ?? null,
        requesterOrg: body.requester.org,
        clientId: body.requester.clientId ?? null,
        clerkRef: body.requester.clerkRef ?? null,
        purposeCode: body.purpose,
        legalBasis: body.legalBasis ?? null,
        consentId: body.consent?.id ?? null,
        consentMode: body.consent?.mode ?? null,
        recordType: body.recordType,
        body: text,
        digestHex: createHash('sha256').update(text, 'utf8').digest('hex'),
        createdAt,
        embargoUntil: input.embargoUntil ?? null,
      };
    });
    if (rows.length === 0) return [];
    let stored: { entryId: number; digestHex: string }[];
    try {
      stored = await repo.append(rows, options.trx, options.guard);
    } catch (err) {
      throw new AuditUnavailableError(err);
    }
    if (options.guard && stored.length === 0) return undefined;
    // Match ids to inputs by digest (RETURNING order is not promised by SQL).
    const byDigest = new Map<string, number[]>();
    for (const s of stored) byDigest.set(s.digestHex, [...(byDigest.get(s.digestHex) ?? []), s.entryId]);
    return rows.map((row) => {
      const ids = byDigest.get(row.digestHex);
      const entryId = ids?.shift();
      if (entryId === undefined) throw new AuditUnavailableError(new Error('entry id missing after insert'));
      return {
        entryId,
        digest: Buffer.from(row.digestHex, 'hex').toString('base64url'),
        createdAt: createdAt.toISOString(),
      };
    });
  }

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
    /** Durable once the caller's transaction (or our own) commits; call before releasing any data. */
    async append(input: AuditEntryInput, options: { trx?: Tx } = {}): Promise<AuditReceipt> {
      return (await appendMany([input], options))[0]!;
    },
    appendMany,
    appendIf,

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
        fetchNodes,
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

// ---- CSV ----------------------------------------------------------------------------------------------

const CSV_COLUMNS = [
  'time',
  'organisation',
  'client_id',
  'clerk_ref',
  'purpose',
  'legal_basis',
  'consent_id',
  'consent_mode',
  'record_type',
  'fields',
  'outcome',
  'reason',
  'request_id',
  'log_index',
  'subject_seq',
];

/** RFC 4180 quoting; cells a spreadsheet would run as formulas get a leading apostrophe. */
function csvCell(value: string | number | undefined | null): string {
  let text = value === undefined || value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function accessLogCsv(rows: AccessLogRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of rows) {
    const e = JSON.parse(row.body) as AuditEntryBody;
    lines.push(
      [
        e.createdAt,
        e.requester.org,
        e.requester.clientId,
        e.requester.clerkRef,
        e.purpose,
        e.legalBasis,
        e.consent?.id,
        e.consent?.mode,
        e.recordType,
        e.fields.map((f) => `${f.name}:${f.form}`).join(';'),
        e.outcome,
        e.reasonCode,
        e.requestId,
        row.index,
        row.subjectSeq,
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}
