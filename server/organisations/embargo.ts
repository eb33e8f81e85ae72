/**
 * Embargoes. A purpose that is an investigation (e.g. a police investigation under the Criminal
 * Procedure Act art. 199) may keep its accesses from the citizen for a fixed period, so the person
 * investigated is not tipped off; the period and the law that allows it are part of the purpose,
 * set by an administrator, never by the requester. The audit entry is written at once (an auditor
 * sees it at once); the citizen's history shows a gap until `embargoUntil`, then the entry, and
 * the notice to the citizen waits for the same instant (server/portal/notifications.ts).
 */
import type { Purpose, PurposeBounds } from './organisations.types.js';

/** The longest embargo a purpose may carry: a year, then the citizen is told. */
export const MAX_EMBARGO_DAYS = 365;

const DAY_MS = 86_400_000;

/** Rules JSON Schema cannot say: both fields or neither, and only where no citizen consents. */
export function embargoIssues(
  p: Pick<Purpose, 'bounds' | 'consentBasis'>,
): { pointer: string; message: string }[] {
  const { embargoDays, embargoLegalBasis } = p.bounds;
  if (embargoDays === undefined && embargoLegalBasis === undefined) return [];
  const issues = [];
  if (
    embargoDays === undefined ||
    !Number.isInteger(embargoDays) ||
    embargoDays < 1 ||
    embargoDays > MAX_EMBARGO_DAYS
  )
    issues.push({
      pointer: '/bounds/embargoDays',
      message: `a whole number of days, 1 to ${MAX_EMBARGO_DAYS}`,
    });
  if (embargoLegalBasis === undefined || embargoLegalBasis.trim() === '')
    issues.push({ pointer: '/bounds/embargoLegalBasis', message: 'an embargo needs the law that allows it' });
  // A citizen who consents knows of the access; hiding it from them afterwards would be a deception.
  if (p.consentBasis !== 'statutory')
    issues.push({ pointer: '/consentBasis', message: 'only a statutory purpose can carry an embargo' });
  return issues;
}

/** Until when an access under this purpose at `now` is hidden from the citizen; undefined: not at all. */
export function embargoUntil(bounds: PurposeBounds, now: Date): Date | undefined {
  if (!bounds.embargoDays) return undefined;
  return new Date(now.getTime() + bounds.embargoDays * DAY_MS);
}
