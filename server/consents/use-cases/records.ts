/**
 * The versioned record's moves shared by the use cases: every change of state or terms writes the
 * next version, its consent_event and (API requesters with a webhook URL) an outbox row for the
 * signed webhook; a record read after its end is moved to EXPIRED first (lazy expiry).
 */
import type { CitizenPrincipal } from '../../auth/principal.js';
import type { Transaction } from '../../db/unit-of-work.js';
import { NotFoundError } from '../../errors.js';
import type { Representation } from '../../representatives/representatives.types.js';
import { recordHash } from '../consent-token.js';
import type { ConsentEvent, ConsentEventType, ConsentRecord, ConsentStatus } from '../consents.types.js';
import { webhookEvent } from '../webhooks.js';
import type { ConsentsContext } from './context.js';

export interface Transition {
  status: ConsentStatus;
  type: ConsentEventType;
  actor: string;
  reason?: string | null;
  patch?: Partial<ConsentRecord>;
  detail?: Record<string, unknown>;
  at: Date;
}

/** Writes the next version of a locked record, its event and (API requesters) a webhook. */
export async function transition(
  ctx: ConsentsContext,
  trx: Transaction,
  current: ConsentRecord,
  change: Transition,
): Promise<ConsentRecord> {
  const next: ConsentRecord = {
    ...current,
    ...change.patch,
    status: change.status,
    statusReason: change.reason ?? null,
    version: current.version + 1,
    updatedAt: change.at,
  };
  next.recHash = recordHash(next);
  await ctx.repo.replace(next, trx);
  await recordEvent(ctx, trx, next, {
    type: change.type,
    actor: change.actor,
    reason: change.reason ?? null,
    detail: change.detail ?? {},
    at: change.at,
  });
  return next;
}

export async function recordEvent(
  ctx: ConsentsContext,
  trx: Transaction,
  record: ConsentRecord,
  what: {
    type: ConsentEventType;
    actor: string;
    reason: string | null;
    detail: Record<string, unknown>;
    at: Date;
  },
): Promise<void> {
  const event: Omit<ConsentEvent, 'id'> = {
    consentId: record.id,
    version: record.version,
    at: what.at,
    type: what.type,
    state: record.status,
    actor: what.actor,
    reason: what.reason,
    detail: what.detail,
  };
  const eventId = await ctx.repo.insertEvent(event, trx);
  if (record.webhookUrl && record.clientId && what.type !== 'requested') {
    await ctx.repo.enqueueDelivery(
      {
        consentId: record.id,
        eventId,
        url: record.webhookUrl,
        audience: record.clientId,
        payload: webhookEvent(record, event),
        at: what.at,
      },
      trx,
    );
  }
}

/** The use that reaches max_uses moves the record to EXHAUSTED in the same transaction. */
export const exhaust = (ctx: ConsentsContext, trx: Transaction, counted: ConsentRecord, at: Date) =>
  transition(ctx, trx, counted, exhaustedChange(counted, at));

const exhaustedChange = (record: ConsentRecord, at: Date): Transition => ({
  status: 'EXHAUSTED',
  type: 'exhausted',
  actor: 'system',
  reason: `All ${record.maxUses} allowed uses were made.`,
  at,
});

/**
 * What exhaust() would write for the last use of `checked` (the version before that use): the
 * next version with its hash, and its event. For the query's one-statement commit (useGuard).
 */
export function exhaustion(checked: ConsentRecord, at: Date) {
  const change = exhaustedChange(checked, at);
  const next: ConsentRecord = {
    ...checked,
    useCount: checked.useCount + 1,
    lastUsedAt: at,
    status: change.status,
    statusReason: change.reason ?? null,
    version: checked.version + 1,
    updatedAt: at,
  };
  next.recHash = recordHash(next);
  const event = {
    consentId: next.id,
    version: next.version,
    at,
    type: change.type,
    state: next.status,
    actor: change.actor,
    reason: change.reason ?? null,
    detail: {},
  };
  return { next, event };
}

export function dueForExpiry(record: ConsentRecord, now: Date): string | undefined {
  if (record.status === 'REQUESTED' && record.requestExpiresAt <= now)
    return 'The request was not answered in time.';
  if (
    (record.status === 'ACTIVE' || record.status === 'PAUSED') &&
    record.validUntil &&
    record.validUntil <= now
  ) {
    return 'The consent reached the end of its validity.';
  }
  return undefined;
}

/** Lazy expiry: a record read after its end is moved to EXPIRED first (with event and webhook). */
export async function fresh(
  ctx: ConsentsContext,
  record: ConsentRecord,
  now = ctx.clock(),
): Promise<ConsentRecord> {
  if (!dueForExpiry(record, now)) return record;
  return ctx.repo.transaction(async (trx) => {
    const locked = (await ctx.repo.getForUpdate(record.id, trx))!;
    const reason = dueForExpiry(locked, now);
    if (!reason) return locked;
    return transition(ctx, trx, locked, {
      status: 'EXPIRED',
      type: 'expired',
      actor: 'system',
      reason,
      at: now,
    });
  });
}

export async function load(ctx: ConsentsContext, id: string): Promise<ConsentRecord> {
  const record = await ctx.repo.get(id);
  if (!record) throw new NotFoundError('No such consent.');
  return fresh(ctx, record);
}

/** A named subject other than the signed-in citizen, represented by them under a grant in force. */
export async function representationIn(
  ctx: ConsentsContext,
  citizen: CitizenPrincipal,
  record: ConsentRecord,
  now: Date,
): Promise<Representation | undefined> {
  const { representation } = ctx.deps;
  if (!representation || !record.subjectNamed || !record.subjectKey) return undefined;
  if (record.subjectKey === citizen.subjectKey) return undefined;
  return representation.actingFor(citizen.subjectKey, record.subjectKey, record.recordTypes, now);
}
