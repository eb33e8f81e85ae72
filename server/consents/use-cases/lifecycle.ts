/**
 * The citizen's consents after the decision: list and read them, pause, resume and revoke (effective
 * on the requester's next use), and the sweep that moves every record past its end to EXPIRED.
 */
import type { CitizenPrincipal } from '../../auth/principal.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import type { SubjectPageCursor } from '../consents.repo.js';
import type {
  CitizenConsentView,
  ConsentEventType,
  ConsentRecord,
  ConsentStatus,
} from '../consents.types.js';
import type { ConsentsContext } from './context.js';
import { fresh, transition } from './records.js';
import { citizenView } from './views.js';

const MAX_PAGE = 100;

export function citizenOwns(record: ConsentRecord, citizen: CitizenPrincipal): boolean {
  return record.subjectKey !== null && record.subjectKey === citizen.subjectKey;
}

async function citizenChange(
  ctx: ConsentsContext,
  citizen: CitizenPrincipal,
  id: string,
  from: ConsentStatus[],
  to: ConsentStatus,
  type: ConsentEventType,
  reason: string | undefined,
): Promise<CitizenConsentView> {
  const now = ctx.clock();
  const existing = await ctx.repo.get(id);
  if (!existing || !citizenOwns(existing, citizen)) throw new NotFoundError('No such consent.');
  await fresh(ctx, existing, now);
  const updated = await ctx.repo.transaction(async (trx) => {
    const locked = (await ctx.repo.getForUpdate(id, trx))!;
    if (!from.includes(locked.status)) {
      throw new ConflictError(`The consent is ${locked.status}; it cannot be ${type} now.`);
    }
    const detail = type === 'revoked' ? { useCount: locked.useCount } : {};
    return transition(ctx, trx, locked, {
      status: to,
      type,
      actor: 'citizen',
      reason: reason ?? null,
      detail,
      at: now,
    });
  });
  return citizenView(ctx, updated, true);
}

export const pause = (ctx: ConsentsContext, citizen: CitizenPrincipal, id: string, reason?: string) =>
  citizenChange(ctx, citizen, id, ['ACTIVE'], 'PAUSED', 'paused', reason);
export const resume = (ctx: ConsentsContext, citizen: CitizenPrincipal, id: string, reason?: string) =>
  citizenChange(ctx, citizen, id, ['PAUSED'], 'ACTIVE', 'resumed', reason);
export const revoke = (ctx: ConsentsContext, citizen: CitizenPrincipal, id: string, reason?: string) =>
  citizenChange(ctx, citizen, id, ['ACTIVE', 'PAUSED'], 'REVOKED', 'revoked', reason);

export async function listMine(
  ctx: ConsentsContext,
  citizen: CitizenPrincipal,
  page: { limit?: number | undefined; cursor?: string | undefined },
): Promise<{ items: CitizenConsentView[]; next: string | null }> {
  const limit = Math.min(Math.max(page.limit ?? 20, 1), MAX_PAGE);
  let after: SubjectPageCursor | undefined;
  if (page.cursor) {
    try {
      after = JSON.parse(Buffer.from(page.cursor, 'base64url').toString('utf8')) as SubjectPageCursor;
      if (
        typeof after.rank !== 'number' ||
        typeof after.id !== 'string' ||
        typeof after.createdAt !== 'string'
      )
        throw new Error('bad cursor');
    } catch {
      throw new ValidationError('The cursor is not valid.', [
        { pointer: '/cursor', message: 'not a cursor' },
      ]);
    }
  }
  const rows = await ctx.repo.listForSubject(citizen.subjectKey, { limit, after });
  const now = ctx.clock();
  const items = await Promise.all(
    rows.slice(0, limit).map(async (r) => citizenView(ctx, await fresh(ctx, r, now), false)),
  );
  const last = rows.length > limit ? rows[limit - 1]! : undefined;
  const next = last
    ? Buffer.from(
        JSON.stringify({ rank: last.rank, createdAt: last.createdAt.toISOString(), id: last.id }),
        'utf8',
      ).toString('base64url')
    : null;
  return { items, next };
}

export async function getMine(
  ctx: ConsentsContext,
  citizen: CitizenPrincipal,
  id: string,
): Promise<CitizenConsentView> {
  const record = await ctx.repo.get(id);
  if (!record || !citizenOwns(record, citizen)) throw new NotFoundError('No such consent.');
  return citizenView(ctx, await fresh(ctx, record), true);
}

/** The sweep: moves every record past its end to EXPIRED; returns how many. */
export async function expireDue(ctx: ConsentsContext, limit = 200): Promise<number> {
  const now = ctx.clock();
  const ids = await ctx.repo.dueForExpiry(now, limit);
  let expired = 0;
  for (const id of ids) {
    const record = await ctx.repo.get(id);
    if (record && (await fresh(ctx, record, now)).status === 'EXPIRED' && record.status !== 'EXPIRED')
      expired++;
  }
  return expired;
}
