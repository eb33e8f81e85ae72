/**
 * The citizen's decision on a REQUESTED record (the approval screen): approve with the kept optional
 * fields and the separate agreements (PIPA arts. 23, 24), a counter visit possibly shortened, or refuse;
 * a representative may decide for the named subject under a grant in force.
 */
import type { CitizenPrincipal } from '../../auth/principal.js';
import { ConflictError, ForbiddenError, ValidationError } from '../../errors.js';
import { representationDetail } from '../../representatives/representation.js';
import type { ConsentRecord, GrantedFields } from '../consents.types.js';
import { applySeparateDecision, separateEventDetail, type SeparateKind } from '../separate-consent.js';
import { DAY_MS, type ConsentsContext } from './context.js';
import { load, representationIn, transition } from './records.js';

/**
 * The citizen's decision on a REQUESTED record. Only the subject may decide: a named subject must be the
 * signed-in citizen (else subject_mismatch); an unnamed one becomes the signed-in citizen. Approval
 * grants the required fields plus the optional ones the citizen kept, and stores how they signed in.
 */
export async function decide(
  ctx: ConsentsContext,
  citizen: CitizenPrincipal,
  id: string,
  decision: {
    approve: boolean;
    keepOptional: Record<string, string[]>;
    language?: string | undefined;
    /** The separate steps ticked (PIPA arts. 23, 24); unticked, their items are not granted. */
    separate?: readonly SeparateKind[];
    /** A counter visit allowed for less than asked: never longer, never more uses (else 400). */
    shorten?: { durationDays?: number | undefined; maxUses?: number | undefined };
  },
): Promise<ConsentRecord> {
  const now = ctx.clock();
  const existing = await load(ctx, id);
  if (existing.status !== 'REQUESTED') {
    throw new ConflictError(`This request is ${existing.status}; it can no longer be decided.`);
  }
  return ctx.repo.transaction(async (trx) => {
    const locked = (await ctx.repo.getForUpdate(id, trx))!;
    if (locked.status !== 'REQUESTED' || locked.requestExpiresAt <= now) {
      throw new ConflictError('This request can no longer be decided.');
    }
    const onBehalf = await representationIn(ctx, citizen, locked, now);
    if (locked.subjectNamed && locked.subjectKey !== citizen.subjectKey && !onBehalf) {
      throw new ForbiddenError('subject_mismatch', 'This request is about someone else.');
    }
    const actor = onBehalf ? 'representative' : 'citizen';
    const represented = onBehalf ? { representation: representationDetail(onBehalf) } : {};
    const collection = {
      subjectKey: onBehalf ? onBehalf.principal.subjectKey : citizen.subjectKey,
      acr: citizen.acr ?? null,
      amr: citizen.amr ?? null,
      authTime: citizen.authTime === undefined ? null : new Date(citizen.authTime * 1000),
      language: decision.language ?? locked.language,
    };
    if (!decision.approve) {
      return transition(ctx, trx, locked, {
        status: 'REJECTED',
        type: 'rejected',
        actor,
        reason: 'The citizen refused the request.',
        patch: collection,
        detail: represented,
        at: now,
      });
    }
    const kept: GrantedFields = {};
    for (const rt of locked.recordTypes) {
      const asked = locked.fieldsRequested[rt]!;
      const keep = new Set(decision.keepOptional[rt] ?? []);
      kept[rt] = [...asked.required, ...asked.optional.filter((f) => keep.has(f))];
    }
    const separate = applySeparateDecision(ctx.deps.catalog, kept, new Set(decision.separate ?? []), now);
    const granted = separate.granted;
    const days = decision.shorten?.durationDays ?? locked.durationDays;
    const uses = decision.shorten?.maxUses ?? locked.maxUses;
    const shortened = days !== locked.durationDays || uses !== locked.maxUses;
    if (
      shortened &&
      (locked.clerkId === null ||
        locked.usage.fetch === 'periodic' ||
        !Number.isInteger(days) ||
        !Number.isInteger(uses) ||
        days < 1 ||
        days > locked.durationDays ||
        uses < 1 ||
        uses > locked.maxUses)
    ) {
      throw new ValidationError(
        'A counter visit may only be allowed for less time or fewer uses than asked.',
      );
    }
    return transition(ctx, trx, locked, {
      status: 'ACTIVE',
      type: 'approved',
      actor,
      patch: {
        ...collection,
        fieldsGranted: granted,
        separateAgreement: separate.agreement,
        validFrom: now,
        validUntil: new Date(now.getTime() + days * DAY_MS),
        ...(shortened
          ? {
              durationDays: days,
              maxUses: uses,
              usage:
                uses === 1
                  ? { fetch: 'once' as const, maxUses: 1 }
                  : { fetch: 'limited' as const, maxUses: uses },
            }
          : {}),
      },
      detail: {
        ...represented,
        declined: Object.fromEntries(
          locked.recordTypes.map((rt) => [
            rt,
            locked.fieldsRequested[rt]!.optional.filter((f) => !(granted[rt] as string[]).includes(f)),
          ]),
        ),
        ...separateEventDetail(separate),
        ...(shortened ? { shortened: { durationDays: days, maxUses: uses } } : {}),
      },
      at: now,
    });
  });
}
