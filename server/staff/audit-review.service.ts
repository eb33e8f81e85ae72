/**
 * The auditor console's use cases (no Express, no knex): anomaly flags with their cases, a flag's entries,
 * the entries under filters, and the case note and status. Reads go through the auditor service, which records
 * every read in the staff access log; a case change is recorded there too.
 */
import { NotFoundError, ValidationError } from '../errors.js';
import type { AuditorEntryFilters, StaffRead } from '../audit/auditor.repo.js';
import type { AuditorService, Reader } from '../audit/auditor.service.js';
import { CASE_STATUSES, type CaseStatus, type CasesRepo, type FlagCase } from './cases.repo.js';

export const FLAG_KINDS = ['harvesting', 'off_hours_bulk', 'repeated_denials'] as const;
export type FlagKind = (typeof FLAG_KINDS)[number];
export const MAX_NOTE = 4000;

/** A flag is computed from the log, not stored: its kind, requester and window start name it. */
export interface FlagRef {
  kind: FlagKind;
  requester: string;
  windowStart: Date;
}

export interface Flag extends FlagRef {
  windowEnd: Date;
  count: number;
  case: FlagCase | undefined;
}

export const flagKey = (f: FlagRef) => `${f.kind}|${f.requester}|${f.windowStart.toISOString()}`;

/** Harvesting and denials are counted per hour; off-hours bulk over a night, 22:00 to 06:00. */
export const windowEndOf = (f: FlagRef) =>
  new Date(f.windowStart.getTime() + (f.kind === 'off_hours_bulk' ? 8 : 1) * 3_600_000);

/** The entries behind a flag: the requester's entries in its window (refusals only for repeated denials). */
export function flagFilters(f: FlagRef): AuditorEntryFilters {
  const [type, ...rest] = f.requester.split(':');
  const id = rest.join(':');
  return {
    ...(type === 'client' ? { client: id } : type === 'clerk' ? { clerk: id } : { organisation: id }),
    ...(f.kind === 'repeated_denials' ? { outcome: 'denied' } : {}),
    from: f.windowStart,
    to: windowEndOf(f),
  };
}

export function parseFlagRef(kind: unknown, requester: unknown, start: unknown): FlagRef {
  const windowStart = typeof start === 'string' ? new Date(start) : new Date(NaN);
  if (
    !FLAG_KINDS.includes(kind as FlagKind) ||
    typeof requester !== 'string' ||
    !/^(client|clerk|org):.{1,200}$/.test(requester) ||
    Number.isNaN(windowStart.getTime())
  ) {
    throw new NotFoundError('No such flag.');
  }
  return { kind: kind as FlagKind, requester, windowStart };
}

export function createAuditReviewService(deps: {
  auditor: AuditorService;
  cases: CasesRepo;
  record(read: StaffRead): Promise<void>;
}) {
  return {
    async flags(window: { from?: Date | undefined; to?: Date | undefined }, reader: Reader) {
      const found = await deps.auditor.anomalies(window, reader);
      const flags = found.items.map((i) => ({
        kind: i.kind as FlagKind,
        requester: i.requester,
        windowStart: new Date(i.windowStart),
        windowEnd: new Date(i.windowEnd),
        count: i.count,
      }));
      const cases = await deps.cases.byKeys(flags.map(flagKey));
      return {
        from: new Date(found.from),
        to: new Date(found.to),
        items: flags.map((f): Flag => ({ ...f, case: cases.get(flagKey(f)) })),
      };
    },

    /** A flag's case and a page of its entries (both reads are logged). */
    async flag(ref: FlagRef, cursor: string | undefined, reader: Reader) {
      const entries = await deps.auditor.entries(flagFilters(ref), { limit: 50, cursor }, reader);
      const found = (await deps.cases.byKeys([flagKey(ref)])).get(flagKey(ref));
      await deps.record({
        actor: reader.actor,
        action: 'case.read',
        detail: { flag: flagKey(ref) },
        requestId: reader.requestId,
      });
      return { ref, windowEnd: windowEndOf(ref), case: found, entries };
    },

    entries: (
      filters: AuditorEntryFilters,
      page: { cursor?: string | undefined; export?: boolean },
      reader: Reader,
    ) =>
      deps.auditor.entries(
        filters,
        { cursor: page.cursor, limit: page.export ? 5000 : 50 },
        reader,
        page.export ? { export: true } : {},
      ),

    async saveCase(ref: FlagRef, input: { status: unknown; note: unknown }, reader: Reader) {
      const issues = [];
      if (!CASE_STATUSES.includes(input.status as CaseStatus))
        issues.push({ pointer: '/status', message: 'open, investigating or closed' });
      const note = typeof input.note === 'string' ? input.note.trim() : '';
      if (note.length > MAX_NOTE)
        issues.push({ pointer: '/note', message: `at most ${MAX_NOTE} characters` });
      if (issues.length) throw new ValidationError('The case is not valid.', issues);
      const saved = await deps.cases.save({
        flagKey: flagKey(ref),
        kind: ref.kind,
        requester: ref.requester,
        windowStart: ref.windowStart,
        status: input.status as CaseStatus,
        note,
        updatedBy: reader.actor,
      });
      await deps.record({
        actor: reader.actor,
        action: 'case.updated',
        detail: { flag: flagKey(ref), status: saved.status, noteLength: note.length },
        requestId: reader.requestId,
      });
      return saved;
    },
  };
}

export type AuditReviewService = ReturnType<typeof createAuditReviewService>;
