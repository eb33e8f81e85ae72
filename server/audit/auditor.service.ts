/**
 * The auditor's view: entries by organisation, clerk or client, and anomaly flags. No Express, no knex.
 * Every read is itself recorded (who, what filters, how many entries) in staff_access_log, before the answer
 * is returned: a read that cannot be recorded is not served.
 */
import { ValidationError } from '../errors.js';
import type { AnomalyThresholds, AuditorEntryFilters, AuditorRepo } from './auditor.repo.js';

/** Who reads: `auditor:<sub>` or `admin:<sub>`, and the request, for the staff access log. */
export interface Reader {
  actor: string;
  requestId?: string | undefined;
}

const MAX_PAGE = 100;
/** A CSV export reads at most this many entries at once (narrow the filters for more). */
export const MAX_EXPORT = 5000;

const filterDetail = (filters: AuditorEntryFilters) =>
  Object.fromEntries(
    Object.entries(filters)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]),
  );
/** Anomaly windows wider than this would scan too much of the log in one request. */
const MAX_WINDOW_MS = 31 * 86_400_000;

export function createAuditorService(deps: {
  repo: AuditorRepo;
  thresholds: AnomalyThresholds;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());
  return {
    async entries(
      filters: AuditorEntryFilters,
      page: { limit?: number | undefined; cursor?: string | undefined },
      reader: Reader,
      options: { export?: boolean } = {},
    ) {
      const limit = Math.min(Math.max(page.limit ?? 50, 1), options.export ? MAX_EXPORT : MAX_PAGE);
      const before = page.cursor === undefined ? undefined : Number(page.cursor);
      if (before !== undefined && !(Number.isSafeInteger(before) && before > 0)) {
        throw new ValidationError('The cursor is not valid.', [
          { pointer: '/query/cursor', message: 'invalid' },
        ]);
      }
      const rows = await deps.repo.entries(filters, { limit, before });
      const items = rows.slice(0, limit).map((r) => {
        const body = JSON.parse(r.body) as {
          fields?: { name: string; form: string }[];
          embargoUntil?: string;
        };
        return {
          entryId: Number(r.entry_id),
          createdAt: r.created_at.toISOString(),
          subjectKey: r.subject_key,
          outcome: r.outcome,
          reasonCode: r.reason_code,
          requester: { org: r.requester_org, clientId: r.client_id, clerkRef: r.clerk_ref },
          purpose: r.purpose_code,
          recordType: r.record_type,
          consent: r.consent_mode ? { id: r.consent_id, mode: r.consent_mode } : null,
          fields: body.fields ?? [],
          logIndex: r.idx === null ? null : Number(r.idx),
          embargoUntil: body.embargoUntil ?? null,
        };
      });
      await deps.repo.recordRead({
        actor: reader.actor,
        action: options.export ? 'entries.export' : 'entries.read',
        detail: { filters: filterDetail(filters), ...(page.cursor ? { cursor: page.cursor } : {}) },
        resultCount: items.length,
        requestId: reader.requestId,
      });
      return { items, next: rows.length > limit ? String(items[items.length - 1]!.entryId) : null };
    },

    async anomalies(window: { from?: Date | undefined; to?: Date | undefined }, reader: Reader) {
      const to = window.to ?? now();
      const from = window.from ?? new Date(to.getTime() - 86_400_000);
      if (!(from < to) || to.getTime() - from.getTime() > MAX_WINDOW_MS) {
        throw new ValidationError('The window must be positive and at most 31 days.', [
          { pointer: '/query/from', message: 'from must be before to, at most 31 days apart' },
        ]);
      }
      const rows = await deps.repo.anomalies(from, to, deps.thresholds);
      await deps.repo.recordRead({
        actor: reader.actor,
        action: 'anomalies.read',
        detail: { from: from.toISOString(), to: to.toISOString() },
        resultCount: rows.length,
        requestId: reader.requestId,
      });
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        thresholds: deps.thresholds,
        items: rows.map((r) => ({
          kind: r.kind,
          requester: r.requester,
          windowStart: new Date(r.window_start).toISOString(),
          windowEnd: new Date(r.window_end).toISOString(),
          count: r.count,
        })),
      };
    },
  };
}

export type AuditorService = ReturnType<typeof createAuditorService>;
