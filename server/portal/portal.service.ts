/**
 * The citizen portal's use cases (no Express, no HTML): the access history with display names, filters,
 * pagination and gaps in the citizen's chain; consents and their changes; notification preferences with
 * validation. Every call takes the signed-in citizen and reads only that citizen's data.
 */
import type { CitizenPrincipal } from '../auth/principal.js';
import type { AccessLogEntry, AccessLogQuery } from '../audit/access-log.service.js';
import type { AuditService } from '../audit/audit.service.js';
import type { AccessLogFilters, AuditEntryBody } from '../audit/audit.types.js';
import type { Catalog, RecordType } from '../catalog/catalog.types.js';
import type { ConsentsService } from '../consents/consents.service.js';
import type { CitizenConsentView } from '../consents/consents.types.js';
import { AppError } from '../errors.js';
import type { OrganisationsService } from '../organisations/organisations.service.js';
import type { Organisation, Purpose } from '../organisations/organisations.types.js';
import type { Lang } from '../web/i18n.js';
import type { NotificationEvent, NotificationPreference, PortalRepo } from './portal.repo.js';

export const HISTORY_PAGE_SIZE = 20;
const TIME_ZONE_OFFSET = '+09:00'; // dates in filters are Korean calendar days, as the pages show times

export interface HistoryFilterInput {
  from?: unknown;
  to?: unknown;
  organisation?: unknown;
  record_type?: unknown;
  cursor?: unknown;
}

export interface HistoryFilters {
  /** The values as typed, to refill the form. */
  values: { from: string; to: string; organisation: string; recordType: string };
  /** Field → message key. */
  errors: Partial<Record<'from' | 'to' | 'cursor', string>>;
  /** What the audit API is asked (instants, exclusive end). */
  query: AccessLogFilters;
  cursor?: string;
}

export interface HistoryEntry {
  index: number;
  seq: number;
  prevIndex: number | null;
  entry: AuditEntryBody;
  organisation: Organisation | undefined;
  purpose: Purpose | undefined;
  recordType: RecordType | undefined;
}

export interface HistoryGap {
  /** The gap sits right after this entry on the page (newest first), or before the first one (-1). */
  afterPosition: number;
  count: number;
  kind: 'between' | 'before';
}

export interface HistoryPage {
  filters: HistoryFilters;
  filtered: boolean;
  entries: HistoryEntry[];
  gaps: HistoryGap[];
  nextCursor: string | null;
  pending: number;
  facets: { organisations: { id: string; org: Organisation | undefined }[]; recordTypes: RecordType[] };
}

export interface NotificationForm {
  emailOn: boolean;
  email: string;
  webhookOn: boolean;
  webhookUrl: string;
}

export type SaveResult =
  | { ok: true; preference: NotificationPreference | undefined }
  | { ok: false; errors: Partial<Record<'email' | 'webhookUrl', string>>; values: NotificationForm };

export interface PortalServiceDeps {
  audit: Pick<AuditService, 'accessLog' | 'accessLogAll'>;
  consents: Pick<ConsentsService, 'listMine' | 'getMine' | 'pause' | 'resume' | 'revoke'>;
  organisations: Pick<OrganisationsService, 'getOrganisation' | 'getPurpose'>;
  catalog: Pick<Catalog, 'get' | 'has'>;
  repo: PortalRepo;
  /** Outside production a webhook may be plain http on a loopback address (tests, local demos). */
  allowLoopbackHttp: boolean;
  /** EMAIL_NOTICES: false where no mail relay is configured (production); the form refuses e-mail. */
  emailNotices?: boolean;
  now?: () => Date;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const CODE = /^[A-Za-z0-9._:/-]{1,200}$/;
const CURSOR = /^[A-Za-z0-9_-]{1,40}$/;
const EMAIL =
  /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$/;

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

function parseDay(value: string): Date | undefined {
  const m = DATE.exec(value);
  if (!m) return undefined;
  const date = new Date(`${value}T00:00:00${TIME_ZONE_OFFSET}`);
  if (Number.isNaN(date.getTime())) return undefined;
  // Reject 2026-02-31 and the like: the calendar day must survive the round trip.
  const check = new Date(date.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
  return check === value ? date : undefined;
}

/** Reads the history filters of a GET form; bad values become field errors, never a 500. */
export function parseHistoryFilters(input: HistoryFilterInput): HistoryFilters {
  const values = {
    from: text(input.from),
    to: text(input.to),
    organisation: text(input.organisation),
    recordType: text(input.record_type),
  };
  const errors: HistoryFilters['errors'] = {};
  const query: AccessLogFilters = {};
  const from = values.from ? parseDay(values.from) : undefined;
  const to = values.to ? parseDay(values.to) : undefined;
  if (values.from && !from) errors.from = 'history.badDate';
  if (values.to && !to) errors.to = 'history.badDate';
  if (from && to && from > to) errors.to = 'history.badRange';
  if (from && !errors.from) query.from = from;
  if (to && !errors.to) query.to = new Date(to.getTime() + 86_400_000);
  if (values.organisation && CODE.test(values.organisation)) query.organisation = values.organisation;
  if (values.recordType && CODE.test(values.recordType)) query.recordType = values.recordType;
  const out: HistoryFilters = { values, errors, query };
  const cursor = text(input.cursor);
  if (cursor) {
    if (CURSOR.test(cursor) && cursorSeq(cursor) !== undefined) out.cursor = cursor;
    else errors.cursor = 'history.badCursor';
  }
  return out;
}

/** The subject_seq a history cursor pages below (the audit API's cursor format). */
function cursorSeq(cursor: string): number | undefined {
  const match = /^s([1-9][0-9]{0,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? Number(match[1]) : undefined;
}

function isLoopbackHost(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

/** Hosts a server must not be made to call (SSRF): loopback, private, link-local and unique-local. */
function isInternalHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (isLoopbackHost(h) || h.endsWith('.localhost') || h.endsWith('.internal') || h.endsWith('.local'))
    return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(h);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168)
    );
  }
  if (h.startsWith('[')) return /^\[(::|::1|f[cd]|fe[89ab])/.test(h) || h.startsWith('[::ffff:');
  return false;
}

/** undefined when the webhook URL is acceptable, else a message key. */
export function checkWebhookUrl(value: string, allowLoopbackHttp: boolean): string | undefined {
  const bad = allowLoopbackHttp ? 'notify.badUrlLoopback' : 'notify.badUrl';
  if (value.length > 2000) return bad;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return bad;
  }
  if (url.username || url.password || url.hash) return bad;
  if (url.protocol === 'http:' && allowLoopbackHttp && isLoopbackHost(url.hostname)) return undefined;
  if (url.protocol !== 'https:') return bad;
  if (isInternalHost(url.hostname) && !(allowLoopbackHttp && isLoopbackHost(url.hostname))) return bad;
  return undefined;
}

export function checkEmail(value: string): string | undefined {
  return value.length <= 254 && EMAIL.test(value) ? undefined : 'notify.badEmail';
}

export function createPortalService(deps: PortalServiceDeps) {
  const now = deps.now ?? (() => new Date());

  async function organisationsById(ids: string[]): Promise<Map<string, Organisation | undefined>> {
    const unique = [...new Set(ids)];
    const found = await Promise.all(
      unique.map((id) => deps.organisations.getOrganisation(id).catch(() => undefined)),
    );
    return new Map(unique.map((id, i) => [id, found[i]]));
  }

  async function purposesByCode(codes: string[]): Promise<Map<string, Purpose | undefined>> {
    const unique = [...new Set(codes)];
    const found = await Promise.all(
      unique.map((code) => deps.organisations.getPurpose(code).catch(() => undefined)),
    );
    return new Map(unique.map((code, i) => [code, found[i]]));
  }

  const recordType = (id: string): RecordType | undefined =>
    deps.catalog.has(id) ? deps.catalog.get(id) : undefined;

  async function toEntries(
    rows: { index: number; seq: number; prevIndex: number | null; entry: AuditEntryBody }[],
  ): Promise<HistoryEntry[]> {
    const [orgs, purposes] = await Promise.all([
      organisationsById(rows.map((r) => r.entry.requester.org)),
      purposesByCode(rows.map((r) => r.entry.purpose)),
    ]);
    return rows.map((r) => ({
      ...r,
      organisation: orgs.get(r.entry.requester.org),
      purpose: purposes.get(r.entry.purpose),
      recordType: recordType(r.entry.recordType),
    }));
  }

  function gapsOf(entries: HistoryEntry[], cursor: string | undefined, last: boolean): HistoryGap[] {
    const gaps: HistoryGap[] = [];
    const above = cursor ? cursorSeq(cursor) : undefined;
    if (above !== undefined && entries[0] && above - entries[0].seq > 1) {
      gaps.push({ afterPosition: -1, count: above - entries[0].seq - 1, kind: 'between' });
    }
    for (let i = 0; i + 1 < entries.length; i++) {
      const missing = entries[i]!.seq - entries[i + 1]!.seq - 1;
      if (missing > 0) gaps.push({ afterPosition: i, count: missing, kind: 'between' });
    }
    const oldest = entries.at(-1);
    if (last && oldest && oldest.seq > 1) {
      gaps.push({ afterPosition: entries.length - 1, count: oldest.seq - 1, kind: 'before' });
    }
    return gaps;
  }

  return {
    async history(citizen: CitizenPrincipal, input: HistoryFilterInput): Promise<HistoryPage> {
      const filters = parseHistoryFilters(input);
      const filtered = Object.keys(filters.query).length > 0;
      const query: AccessLogQuery = { ...filters.query, limit: HISTORY_PAGE_SIZE };
      if (filters.cursor) query.cursor = filters.cursor;
      const [page, facets] = await Promise.all([
        deps.audit.accessLog(citizen.subjectKey, query),
        deps.repo.historyFacets(citizen.subjectKey, now()),
      ]);
      const entries = await toEntries(
        page.entries.map((e: AccessLogEntry) => ({
          index: e.index,
          seq: e.subject.seq,
          prevIndex: e.subject.prevIndex,
          entry: e.entry,
        })),
      );
      const orgs = await organisationsById(facets.organisations);
      return {
        filters,
        filtered,
        entries,
        // Filters hide entries on purpose: gaps only mean something in the unfiltered history.
        gaps: filtered ? [] : gapsOf(entries, filters.cursor, page.nextCursor === null),
        nextCursor: page.nextCursor,
        pending: page.pending,
        facets: {
          organisations: facets.organisations.map((id) => ({ id, org: orgs.get(id) })),
          recordTypes: facets.recordTypes.map(recordType).filter((t): t is RecordType => Boolean(t)),
        },
      };
    },

    /** Every visible entry matching the filters (export), without proofs. */
    async historyExport(citizen: CitizenPrincipal, input: HistoryFilterInput) {
      const filters = parseHistoryFilters(input);
      const rows = await deps.audit.accessLogAll(citizen.subjectKey, filters.query);
      return rows.map((r) => ({
        logIndex: r.index,
        subjectSeq: r.subjectSeq,
        prevIndex: r.prevIndex,
        entry: JSON.parse(r.body) as AuditEntryBody,
      }));
    },

    async latest(citizen: CitizenPrincipal, limit: number): Promise<HistoryEntry[]> {
      const page = await deps.audit.accessLog(citizen.subjectKey, { limit });
      return toEntries(
        page.entries.map((e) => ({
          index: e.index,
          seq: e.subject.seq,
          prevIndex: e.subject.prevIndex,
          entry: e.entry,
        })),
      );
    },

    consents: (citizen: CitizenPrincipal, cursor: string | undefined) =>
      deps.consents.listMine(citizen, { limit: 50, ...(cursor ? { cursor } : {}) }),

    consent: (citizen: CitizenPrincipal, id: string): Promise<CitizenConsentView> =>
      deps.consents.getMine(citizen, id),

    async changeConsent(
      citizen: CitizenPrincipal,
      id: string,
      action: 'pause' | 'resume' | 'revoke',
    ): Promise<CitizenConsentView> {
      return deps.consents[action](citizen, id);
    },

    recordType,

    notificationPreference: (citizen: CitizenPrincipal) => deps.repo.getPreference(citizen.subjectKey),

    recentNotifications: (citizen: CitizenPrincipal): Promise<NotificationEvent[]> =>
      deps.repo.recentEvents(citizen.subjectKey, 10),

    /** Validates and stores (or, with both channels off, removes) the citizen's preference. */
    async saveNotificationPreference(
      citizen: CitizenPrincipal,
      form: NotificationForm,
      lang: Lang,
    ): Promise<SaveResult> {
      const values: NotificationForm = {
        emailOn: form.emailOn,
        email: form.email.trim(),
        webhookOn: form.webhookOn,
        webhookUrl: form.webhookUrl.trim(),
      };
      const errors: Partial<Record<'email' | 'webhookUrl', string>> = {};
      if (values.emailOn && deps.emailNotices === false) {
        errors.email = 'notify.emailUnavailable';
      } else if (values.emailOn) {
        const problem = values.email ? checkEmail(values.email) : 'notify.needsEmail';
        if (problem) errors.email = problem;
      }
      if (values.webhookOn) {
        const problem = values.webhookUrl
          ? checkWebhookUrl(values.webhookUrl, deps.allowLoopbackHttp)
          : 'notify.needsUrl';
        if (problem) errors.webhookUrl = problem;
      }
      if (Object.keys(errors).length) return { ok: false, errors, values };
      if (!values.emailOn && !values.webhookOn) {
        await deps.repo.deletePreference(citizen.subjectKey);
        return { ok: true, preference: undefined };
      }
      const preference = await deps.repo.savePreference({
        subjectKey: citizen.subjectKey,
        email: values.emailOn ? values.email : null,
        webhookUrl: values.webhookOn ? values.webhookUrl : null,
        language: lang,
        fromIdx: await deps.repo.logSize(),
        now: now(),
      });
      return { ok: true, preference };
    },
  };
}

export type PortalService = ReturnType<typeof createPortalService>;

/** For callers that map service errors to pages. */
export const isNotFound = (err: unknown): boolean => err instanceof AppError && err.status === 404;
export const isConflict = (err: unknown): boolean => err instanceof AppError && err.status === 409;
