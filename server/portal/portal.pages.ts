/**
 * The citizen portal's routes (thin handlers; the markup is in ./views): overview, access history with filters,
 * export and the in-browser integrity check, consents with pause / resume / revoke (a confirmation step: a
 * dialog opened by the portal script, or a confirmation page without it), notification preferences. Only a
 * signed-in citizen sees anything; visitors get a sign-in link, other kinds a 403.
 * Stable hooks for browser tests: `ol.access-list > li.access[data-request-id]` (one card per request),
 * `.access-record[data-log-index]`, `[data-verify-index][data-verify-status]`, `#verify-summary[data-verify-status]`,
 * `ul.consent-list > li.consent[data-consent-id]` and buttons named Pause / Resume / Revoke.
 */
import { Router, type Request, type Response } from 'express';
import { CSRF_FIELD } from '../auth/csrf.js';
import { principalOf, type CitizenPrincipal } from '../auth/principal.js';
import type { CsrfGuard } from '../consents/consent.pages.js';
import type { CitizenConsentView } from '../consents/consents.types.js';
import type { SafeHtml } from '../web/html.js';
import { chooseLang, langOf, t, type Lang } from '../web/i18n.js';
import { html } from '../web/html.js';
import type { NotificationPreference } from './portal.repo.js';
import { isConflict, isNotFound, type NotificationForm, type PortalService } from './portal.service.js';
import {
  ACTIONS,
  actionsFor,
  confirmBody,
  consentDetailBody,
  consentsListBody,
  type Action,
} from './views/consents.view.js';
import { historyBody } from './views/history.view.js';
import { notificationsBody, type NotificationErrors } from './views/notifications.view.js';
import { overviewBody } from './views/overview.view.js';
import { actionErrorBody, notFoundBody, portalPage, signInView, UUID } from './views/shell.js';
import './portal.messages.js';

export interface PortalPagesDeps {
  service: PortalService;
  csrf: CsrfGuard;
  /** Outside production a webhook may be http on a loopback address (the form hint says so). */
  allowLoopbackHttp: boolean;
  loginPath?: string;
}

const CSRF_SCOPE = 'portal';
const query = (req: Request): Record<string, unknown> => req.query as Record<string, unknown>;

/** The current GET URL without `lang`, so switching language keeps filters and paging. */
function pathForLanguageSwitch(req: Request): string {
  // A form result cannot be fetched again with GET: switch on the page the form came from.
  if (req.method !== 'GET') return req.path.replace(/^(\/portal\/consents\/[^/]+)\/[a-z]+$/, '$1');
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(req.query)) {
    if (key !== 'lang' && typeof value === 'string') params.set(key, value);
  }
  const search = params.toString();
  return search ? `${req.path}?${search}` : req.path;
}

function citizenOf(res: Response): CitizenPrincipal | undefined {
  const p = principalOf(res);
  return p?.kind === 'citizen' ? p : undefined;
}

const formFrom = (pref: NotificationPreference | undefined): NotificationForm => ({
  emailOn: Boolean(pref?.email),
  email: pref?.email ?? '',
  webhookOn: Boolean(pref?.webhookUrl),
  webhookUrl: pref?.webhookUrl ?? '',
});

export function portalPages(deps: PortalPagesDeps): Router {
  const router = Router();
  const { service } = deps;
  const loginPath = deps.loginPath ?? '/auth/login';
  const recordType = (id: string) => service.recordType(id);

  const send = (res: Response, status: number, body: string) => {
    res.set('Cache-Control', 'no-store');
    res.status(status).type('html').send(body);
  };
  const csrfOf = (res: Response) => deps.csrf.token(res, CSRF_SCOPE);
  const page = (
    req: Request,
    res: Response,
    lang: Lang,
    section: string,
    title: string,
    body: SafeHtml,
    status = 200,
  ) =>
    send(
      res,
      status,
      portalPage({ lang, path: pathForLanguageSwitch(req), csrf: csrfOf(res), section }, title, body),
    );

  /** Anonymous: a sign-in link (200). Another kind of principal: 403. Returns the citizen otherwise. */
  function gate(req: Request, res: Response, lang: Lang): CitizenPrincipal | undefined {
    const citizen = citizenOf(res);
    if (citizen) return citizen;
    const signIn = `${loginPath}?as=citizen&return_to=${encodeURIComponent(req.originalUrl.split('?')[0]!)}`;
    const forbidden = principalOf(res) !== undefined;
    send(res, forbidden ? 403 : 200, signInView(lang, req.path, signIn, forbidden));
    return undefined;
  }

  const notFound = (req: Request, res: Response, lang: Lang) =>
    page(req, res, lang, 'consents', t(lang, 'errorPage.notFound.title'), notFoundBody(lang), 404);

  router.get('/portal', async (req, res) => {
    const lang = chooseLang(req, res);
    const citizen = gate(req, res, lang);
    if (!citizen) return;
    const [latest, consents, preference] = await Promise.all([
      // Enough entries for the three latest requests (a counter visit is several entries).
      service.latest(citizen, 20),
      service.consents(citizen, undefined),
      service.notificationPreference(citizen),
    ]);
    const count = (status: CitizenConsentView['status']) =>
      consents.items.filter((c) => c.status === status).length;
    const model = {
      latest,
      active: count('ACTIVE'),
      paused: count('PAUSED'),
      notificationsOn: Boolean(preference),
    };
    page(req, res, lang, 'overview', t(lang, 'portal.title'), overviewBody(lang, model));
  });

  router.get('/portal/history', async (req, res) => {
    const lang = chooseLang(req, res);
    const citizen = gate(req, res, lang);
    if (!citizen) return;
    // A bad cursor is dropped (the newest page is shown with a notice) rather than failing.
    const data = await service.history(citizen, query(req));
    page(req, res, lang, 'history', t(lang, 'history.title'), historyBody(lang, data));
  });

  router.get('/portal/history/export.json', async (req, res) => {
    const citizen = citizenOf(res);
    if (!citizen) return void gate(req, res, chooseLang(req, res));
    const entries = await service.historyExport(citizen, query(req));
    res
      .set('Cache-Control', 'no-store')
      .set('Content-Disposition', 'attachment; filename="access-log.json"')
      .type('application/json')
      .send(JSON.stringify({ exportedAt: new Date().toISOString(), entries }, null, 2));
  });

  router.get('/portal/consents', async (req, res) => {
    const lang = chooseLang(req, res);
    const citizen = gate(req, res, lang);
    if (!citizen) return;
    const cursor =
      typeof req.query.cursor === 'string' && /^[A-Za-z0-9_-]{1,400}$/.test(req.query.cursor)
        ? req.query.cursor
        : undefined;
    const list = await service.consents(citizen, cursor).catch(() => service.consents(citizen, undefined));
    const ctx = { lang, csrf: csrfOf(res), recordType };
    page(
      req,
      res,
      lang,
      'consents',
      t(lang, 'consents.title'),
      consentsListBody(ctx, list.items, list.next ?? undefined),
    );
  });

  /** The citizen's consent, or undefined after answering 404. */
  async function loadConsent(req: Request, res: Response, lang: Lang, citizen: CitizenPrincipal, id: string) {
    if (!UUID.test(id)) return void notFound(req, res, lang);
    try {
      return await service.consent(citizen, id);
    } catch (err) {
      if (isNotFound(err)) return void notFound(req, res, lang);
      throw err;
    }
  }

  router.get('/portal/consents/:id', async (req, res) => {
    const lang = chooseLang(req, res);
    const citizen = gate(req, res, lang);
    if (!citizen) return;
    const consent = await loadConsent(req, res, lang, citizen, String(req.params.id));
    if (!consent) return;
    const done = ACTIONS.find((a) => a === req.query.done);
    const title = t(lang, 'consents.detailsOf', { org: consent.requester.names[lang] });
    page(
      req,
      res,
      lang,
      'consents',
      title,
      consentDetailBody({ lang, csrf: csrfOf(res), recordType }, consent, done),
    );
  });

  router.post('/portal/consents/:id/:action', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const lang: Lang = langOf(body.lang, req, res);
    const citizen = gate(req, res, lang);
    if (!citizen) return;
    const id = String(req.params.id);
    const action = ACTIONS.find((a) => a === req.params.action);
    if (!action) return notFound(req, res, lang);
    const fail = (message: string, status: number) =>
      page(req, res, lang, 'consents', t(lang, 'error.title'), actionErrorBody(lang, message, id), status);
    if (!deps.csrf.verify(res, CSRF_SCOPE, body[CSRF_FIELD])) return fail(t(lang, 'action.csrf'), 403);
    const consent = await loadConsent(req, res, lang, citizen, id);
    if (!consent) return;
    const conflict = () =>
      fail(t(lang, 'action.conflict', { status: t(lang, `consents.status.${consent.status}`) }), 409);
    if (!actionsFor(consent.status).includes(action)) return conflict();
    if (body.confirm !== 'yes') {
      const ctx = { lang, csrf: csrfOf(res), recordType };
      return page(
        req,
        res,
        lang,
        'consents',
        t(lang, `action.confirmTitle.${action}`),
        confirmBody(ctx, consent, action),
      );
    }
    try {
      await service.changeConsent(citizen, id, action as Action);
    } catch (err) {
      if (isNotFound(err)) return notFound(req, res, lang);
      if (isConflict(err)) return conflict();
      throw err;
    }
    res.redirect(303, `/portal/consents/${id}?done=${action}`);
  });

  function notifications(
    req: Request,
    res: Response,
    lang: Lang,
    form: { values: NotificationForm; errors: NotificationErrors; notice: SafeHtml | '' },
    recent: Awaited<ReturnType<PortalService['recentNotifications']>>,
    status = 200,
  ) {
    const body = notificationsBody({ lang, csrf: csrfOf(res), recent, recordType, ...form });
    page(req, res, lang, 'notifications', t(lang, 'notify.title'), body, status);
  }

  router.get('/portal/notifications', async (req, res) => {
    const lang = chooseLang(req, res);
    const citizen = gate(req, res, lang);
    if (!citizen) return;
    const [pref, recent] = await Promise.all([
      service.notificationPreference(citizen),
      service.recentNotifications(citizen),
    ]);
    const saved =
      req.query.saved === 'on' ? 'notify.saved' : req.query.saved === 'off' ? 'notify.turnedOff' : undefined;
    const notice = saved
      ? html`<p class="notice ok" role="status">${t(lang, saved)}</p>`
      : pref
        ? ''
        : html`<p class="notice">${t(lang, 'notify.off')}</p>`;
    notifications(req, res, lang, { values: formFrom(pref), errors: {}, notice }, recent);
  });

  router.post('/portal/notifications', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const lang: Lang = langOf(body.lang, req, res);
    const citizen = gate(req, res, lang);
    if (!citizen) return;
    const values: NotificationForm = {
      emailOn: body.email_on === 'yes',
      email: typeof body.email === 'string' ? body.email.slice(0, 300) : '',
      webhookOn: body.webhook_on === 'yes',
      webhookUrl: typeof body.webhook_url === 'string' ? body.webhook_url.slice(0, 2100) : '',
    };
    if (!deps.csrf.verify(res, CSRF_SCOPE, body[CSRF_FIELD])) {
      const notice = html`<p class="notice error" role="alert">${t(lang, 'action.csrf')}</p>`;
      return notifications(
        req,
        res,
        lang,
        { values, errors: {}, notice },
        await service.recentNotifications(citizen),
        403,
      );
    }
    const result = await service.saveNotificationPreference(citizen, values, lang);
    if (!result.ok) {
      const form = { values: result.values, errors: result.errors, notice: '' as const };
      return notifications(req, res, lang, form, await service.recentNotifications(citizen), 400);
    }
    res.redirect(303, `/portal/notifications?saved=${result.preference ? 'on' : 'off'}`);
  });

  return router;
}
