/**
 * The append use case: entries made canonical and digested, written with their queue rows in one
 * statement (optionally in the caller's transaction, or only if another domain's guard matched), and a
 * receipt per input, matched by digest.
 */
import { createHash } from 'node:crypto';
import type { Transaction } from '../db/unit-of-work.js';
import type { StatementGuard } from '../db/statement-guard.js';
import { AuditUnavailableError } from '../errors.js';
import type { EntryRow } from './audit-entries.repo.js';
import type { AuditRepo } from './audit.ports.js';
import type { AuditEntryInput, AuditReceipt } from './audit.types.js';
import { entryBody } from './entry-body.js';
import { canonicalJson } from './preimage.js';

export function createAuditAppender(repo: AuditRepo, now: () => Date) {
  async function appendMany(
    inputs: AuditEntryInput[],
    options: { trx?: Transaction } = {},
  ): Promise<AuditReceipt[]> {
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
    options: { trx?: Transaction; guard?: StatementGuard },
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

  return {
    /** Durable once the caller's transaction (or our own) commits; call before releasing any data. */
    async append(input: AuditEntryInput, options: { trx?: Transaction } = {}): Promise<AuditReceipt> {
      return (await appendMany([input], options))[0]!;
    },
    appendMany,
    appendIf,
  };
}
