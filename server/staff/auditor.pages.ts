/**
 * The auditor console (HTTP only; views in ./views, use cases in ./audit-review.service.ts):
 *   GET  /audit                 anomaly flags in a window (default the last 7 days), each with its case status
 *   GET  /audit/flag?kind&requester&start   one flag: its case note and status, and the entries behind it
 *   POST /audit/flag/case       save the case's status and note (CSRF token)
 *   GET  /audit/flag.csv        the flag's entries as CSV
 *   GET  /audit/entries         entries by organisation, clerk, client, purpose, record type, outcome and days
 *   GET  /audit/entries.csv     the same filters as CSV
 * Auditors and administrators may read; every read is recorded in the staff access log by the auditor service.
 */
import { Router, type Request, type Response } from 'express';
import type { AuditorEntryFilters } from '../audit/auditor.repo.js';
import type { CsrfGuard } from '../consents/consent.pages.js';
import { ValidationError } from '../errors.js';
import { t } from '../web/i18n.js';
import { flagFilters, parseFlagRef, type AuditReviewService } from './audit-review.service.js';
import { entriesCsv } from './csv.js';
import { loadDirectory, type DirectoryDeps } from './directory.js';
import { csrfRefused, notFoundPage, refusal, send, staffOf, str, type Staff } from './staff-http.js';
import { flagHref, flagPage, flagsPage } from './views/auditor.views.js';
import { entriesPage, filterQuery, FILTER_NAMES, type EntryFilterForm } from './views/entries.views.js';

export interface AuditorPagesDeps extends DirectoryDeps {
  review: AuditReviewService;
  csrf: CsrfGuard;
  now?: () => Date;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** A calendar day in Korea → its first instant. */
const kstDay = (day: string) => new Date(`${day}T00:00:00+09:00`);
const kstDate = (d: Date) => new Date(d.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);

function dayRange(from: string, to: string): { from?: Date; to?: Date } {
  if ((from && !DAY.test(from)) || (to && !DAY.test(to))) {
    throw new ValidationError('Dates are YYYY-MM-DD.', [{ pointer: '/query/from', message: 'YYYY-MM-DD' }]);
  }
  return {
    ...(from ? { from: kstDay(from) } : {}),
    ...(to ? { to: new Date(kstDay(to).getTime() + 86_400_000) } : {}),
  };
}

export function auditorPages(deps: AuditorPagesDeps): Router {
  const router = Router();
  const now = deps.now ?? (() => new Date());
  const roles: Staff['principal']['role'][] = ['auditor', 'admin'];

  router.get('/audit', async (req, res) => {
    const staff = staffOf(req, res, deps.csrf, roles);
    if (!staff) return;
    const { lang } = staff;
    const to = str(req.query.to) || kstDate(now());
    const from = str(req.query.from) || kstDate(new Date(kstDay(to).getTime() - 6 * 86_400_000));
    const directory = await loadDirectory(deps);
    let flags: Awaited<ReturnType<AuditReviewService['flags']>>['items'] = [];
    let error: string | undefined;
    try {
      flags = (await deps.review.flags(dayRange(from, to), staff.reader)).items;
    } catch (err) {
      refusal(lang, err);
      error = t(lang, 'audit.filter.badWindow');
    }
    send(
      res,
      error ? 400 : 200,
      flagsPage({ viewer: staff.viewer, names: directory.names(lang), from, to, flags, error }),
    );
  });

  async function showFlag(
    req: Request,
    res: Response,
    staff: Staff,
    input: Record<string, unknown>,
    extra: { saved?: boolean; error?: ReturnType<typeof refusal> } = {},
  ) {
    let ref;
    try {
      ref = parseFlagRef(input.kind, input.requester, input.start);
    } catch {
      return notFoundPage(req, res, staff.lang);
    }
    const cursor = str(input.cursor) || undefined;
    const [directory, found] = await Promise.all([
      loadDirectory(deps),
      deps.review.flag(ref, cursor, staff.reader),
    ]);
    const base = flagHref(ref);
    send(
      res,
      extra.error?.status ?? 200,
      flagPage({
        viewer: { ...staff.viewer, path: base },
        names: directory.names(staff.lang),
        ref,
        windowEnd: found.windowEnd,
        case: found.case,
        entries: found.entries.items,
        nextHref: found.entries.next ? `${base}&cursor=${found.entries.next}` : undefined,
        exportHref: base.replace('/audit/flag?', '/audit/flag.csv?'),
        saved: extra.saved ?? false,
        error: extra.error,
      }),
    );
  }

  router.get('/audit/flag', async (req, res) => {
    const staff = staffOf(req, res, deps.csrf, roles);
    if (staff)
      await showFlag(req, res, staff, req.query as Record<string, unknown>, {
        saved: req.query.saved === '1',
      });
  });

  router.post('/audit/flag/case', async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const staff = staffOf(req, res, deps.csrf, roles, body.lang);
    if (!staff || csrfRefused(req, res, deps.csrf, staff.lang)) return;
    let ref;
    try {
      ref = parseFlagRef(body.kind, body.requester, body.start);
    } catch {
      return notFoundPage(req, res, staff.lang);
    }
    try {
      await deps.review.saveCase(ref, { status: body.status, note: body.note }, staff.reader);
    } catch (err) {
      return showFlag(req, res, staff, body, { error: refusal(staff.lang, err) });
    }
    res.redirect(303, `${flagHref(ref, staff.lang)}&saved=1`);
  });

  router.get('/audit/flag.csv', async (req, res) => {
    const staff = staffOf(req, res, deps.csrf, roles);
    if (!staff) return;
    let ref;
    try {
      ref = parseFlagRef(req.query.kind, req.query.requester, req.query.start);
    } catch {
      return notFoundPage(req, res, staff.lang);
    }
    const found = await deps.review.entries(flagFilters(ref), { export: true }, staff.reader);
    sendCsv(res, `flag-${ref.kind}-${kstDate(ref.windowStart)}.csv`, entriesCsv(found.items));
  });

  const readForm = (req: Request): EntryFilterForm =>
    Object.fromEntries(
      FILTER_NAMES.map((n) => [n, str((req.query as Record<string, unknown>)[n])]),
    ) as unknown as EntryFilterForm;

  const toFilters = (form: EntryFilterForm): AuditorEntryFilters => ({
    ...(form.organisation ? { organisation: form.organisation } : {}),
    ...(form.clerk ? { clerk: form.clerk } : {}),
    ...(form.client ? { client: form.client } : {}),
    ...(form.purpose ? { purpose: form.purpose } : {}),
    ...(form.recordType ? { recordType: form.recordType } : {}),
    ...(form.outcome ? { outcome: form.outcome } : {}),
    ...dayRange(form.from, form.to),
  });

  router.get('/audit/entries', async (req, res) => {
    const staff = staffOf(req, res, deps.csrf, roles);
    if (!staff) return;
    const { lang } = staff;
    const form = readForm(req);
    const directory = await loadDirectory(deps);
    const query = filterQuery(form);
    let items: Awaited<ReturnType<AuditReviewService['entries']>>['items'] = [];
    let next: string | null = null;
    let error: string | undefined;
    try {
      ({ items, next } = await deps.review.entries(
        toFilters(form),
        { cursor: str(req.query.cursor) || undefined },
        staff.reader,
      ));
    } catch (err) {
      refusal(lang, err);
      error = t(lang, 'audit.filter.badFilter');
    }
    const withCursor = new URLSearchParams(query);
    if (next) withCursor.set('cursor', next);
    send(
      res,
      error ? 400 : 200,
      entriesPage({
        viewer: staff.viewer,
        names: directory.names(lang),
        form,
        ...directory.options(lang),
        items,
        nextHref: next ? `/audit/entries?${withCursor.toString()}` : undefined,
        exportHref: `/audit/entries.csv?${query.toString()}`,
        error,
      }),
    );
  });

  router.get('/audit/entries.csv', async (req, res) => {
    const staff = staffOf(req, res, deps.csrf, roles);
    if (!staff) return;
    let filters;
    try {
      filters = toFilters(readForm(req));
    } catch {
      // The entries page shows what is wrong with the filters.
      return res.redirect(303, `/audit/entries?${filterQuery(readForm(req)).toString()}`);
    }
    const found = await deps.review.entries(filters, { export: true }, staff.reader);
    sendCsv(res, `audit-entries-${kstDate(now())}.csv`, entriesCsv(found.items));
  });

  function sendCsv(res: Response, name: string, body: string): void {
    res
      .set('Cache-Control', 'no-store')
      .set('Content-Disposition', `attachment; filename="${name}"`)
      .type('text/csv; charset=utf-8')
      .send(body);
  }

  return router;
}
