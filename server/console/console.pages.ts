/**
 * The clerk console's routes (thin handlers; the counter logic is console.service.ts, the markup views/*.ts):
 *   GET  /console                 sign-in link, or the purposes the agency may use and the clerk's recent queries
 *   GET  /console/recent.csv      those recent queries as CSV (Korean time, words not codes)
 *   GET  /console/query?purpose=  the counter form
 *   POST /console/query           step=start: check the form; citizen mode → consent request with QR code and short
 *                                 link; attested/statutory → run the query. step=check: the request's status again.
 *                                 step=cancel: withdraw the unanswered request. step=run: run the approved query.
 * Pages after a POST carry the counter state in hidden fields of the clerk's own page, so the citizen's identifier
 * is never stored server-side. Forms carry the session's CSRF token. console.js only enhances.
 */
import { Router, type Request, type Response } from 'express';
import { CSRF_FIELD } from '../auth/csrf.js';
import { principalOf, type ClerkPrincipal } from '../auth/principal.js';
import type { CsrfGuard } from '../consents/consent.pages.js';
import type { ConsentRequestView } from '../consents/consents.types.js';
import { AppError } from '../errors.js';
import type { OrganisationsService } from '../organisations/organisations.service.js';
import { html } from '../web/html.js';
import { chooseLang, isLang, rememberLang, t, type Lang } from '../web/i18n.js';
import { messagePage } from '../web/layout.js';
import { readCounterForm } from './counter-form.js';
import {
  fieldOfPointer,
  type CheckedForm,
  type ConsoleService,
  type CounterPurpose,
  type FieldProblem,
} from './console.service.js';
import { recentCsv } from './recent-csv.js';
import type { RequestWithdrawal } from './request-withdrawal.js';
import { formBody } from './views/form.view.js';
import { homeBody, reasonText } from './views/home.view.js';
import { resultBody, type CatalogLookup } from './views/result.view.js';
import {
  consolePage,
  hiddenState,
  messageBody,
  postedLanguageSwitch,
  signInPage,
  type ConsoleViewer,
} from './views/shell.js';
import { waitingBody } from './views/waiting.view.js';

export { readCounterForm };

export interface ConsolePagesDeps {
  service: ConsoleService;
  catalog: CatalogLookup;
  organisations: Pick<OrganisationsService, 'getOrganisation'>;
  csrf: CsrfGuard;
  /** Cancels an unanswered citizen consent request (request-withdrawal.ts). */
  withdraw: RequestWithdrawal;
  /** The service's public base URL (the printed slip's verify address). */
  publicUrl: string;
  /** Browser sessions end after this many idle seconds; the pages warn before. */
  sessionIdleSec: number;
  now?: () => Date;
}

const CSRF_SCOPE = 'console';
const str = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

export function consolePages(deps: ConsolePagesDeps): Router {
  const router = Router();
  const { service, catalog } = deps;
  const now = deps.now ?? (() => new Date());

  const send = (res: Response, status: number, body: string) => {
    res.set('Cache-Control', 'no-store');
    res.status(status).type('html').send(body);
  };
  const clerkOf = (res: Response): ClerkPrincipal | undefined => {
    const p = principalOf(res);
    return p?.kind === 'clerk' ? p : undefined;
  };
  const csrfOf = (res: Response) => deps.csrf.token(res, CSRF_SCOPE);

  async function viewer(
    lang: Lang,
    res: Response,
    clerk: ClerkPrincipal,
    path: string,
  ): Promise<ConsoleViewer> {
    const orgName = await deps.organisations.getOrganisation(clerk.orgId).then(
      (o) => o.names[lang],
      () => clerk.orgId,
    );
    const csrf = csrfOf(res);
    return { lang, path, csrf, clerkName: clerk.name ?? clerk.sub, orgName, idleSec: deps.sessionIdleSec };
  }

  /** Not a clerk: the sign-in page returning to `returnTo` (nobody signed in) or a refusal (someone else). */
  function notClerk(req: Request, res: Response, lang: Lang, returnTo: string): void {
    if (principalOf(res)) {
      return send(
        res,
        403,
        messagePage(lang, req.path, t(lang, 'console.title'), t(lang, 'console.forbidden')),
      );
    }
    send(res, 401, signInPage(lang, req.originalUrl, returnTo));
  }

  const formPath = (code: string) => `/console/query?purpose=${encodeURIComponent(code)}`;

  router.get('/console', async (req, res) => {
    const lang = chooseLang(req, res);
    const clerk = clerkOf(res);
    if (!clerk) return notClerk(req, res, lang, '/console');
    const [purposes, recent] = await Promise.all([service.purposes(clerk), service.recent(clerk)]);
    const v = await viewer(lang, res, clerk, '/console');
    send(
      res,
      200,
      consolePage(v, {
        title: t(lang, 'console.title'),
        body: homeBody(lang, catalog, { purposes, recent }),
      }),
    );
  });

  router.get('/console/recent.csv', async (req, res) => {
    const lang = chooseLang(req, res);
    const clerk = clerkOf(res);
    if (!clerk) return notClerk(req, res, lang, '/console');
    const [purposes, recent] = await Promise.all([service.purposes(clerk), service.recent(clerk, 200)]);
    const names = new Map(purposes.map((p) => [p.code, p.names[lang]]));
    res
      .set('Cache-Control', 'no-store')
      .set('Content-Disposition', 'attachment; filename="recent-queries.csv"')
      .type('text/csv; charset=utf-8')
      .send(recentCsv(lang, catalog, names, recent));
  });

  async function describeOr404(req: Request, res: Response, lang: Lang, clerk: ClerkPrincipal, code: string) {
    try {
      return await service.describe(clerk, code);
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      const v = await viewer(lang, res, clerk, '/console');
      const body = messageBody(
        t(lang, 'error.title'),
        [html`<p>${t(lang, 'console.form.notFound')}</p>`],
        html`<a href="/console">${t(lang, 'console.form.back')}</a>`,
      );
      send(res, 404, consolePage(v, { title: t(lang, 'error.title'), body }));
      return undefined;
    }
  }

  router.get('/console/query', async (req, res) => {
    const lang = chooseLang(req, res);
    const code = str(req.query.purpose);
    const clerk = clerkOf(res);
    if (!clerk) return notClerk(req, res, lang, formPath(code));
    const described = await describeOr404(req, res, lang, clerk, code);
    if (!described) return;
    const v = await viewer(lang, res, clerk, formPath(code));
    const title = `${t(lang, 'console.form.title')}: ${described.purpose.names[lang]}`;
    send(
      res,
      200,
      consolePage(v, { title, body: formBody(lang, catalog, { described, problems: [], csrf: v.csrf }) }),
    );
  });

  router.post('/console/query', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const lang: Lang = isLang(body.lang) ? body.lang : chooseLang(req, res);
    if (isLang(body.lang)) rememberLang(res, body.lang);
    const form = readCounterForm(body);
    const clerk = clerkOf(res);
    // An expired session: sign in again and come back to the form, which console.js fills from the tab's draft.
    if (!clerk) return notClerk(req, res, lang, form.purpose ? formPath(form.purpose) : '/console');
    if (!deps.csrf.verify(res, CSRF_SCOPE, body[CSRF_FIELD])) {
      return send(
        res,
        403,
        messagePage(lang, '/console', t(lang, 'error.title'), t(lang, 'console.expired')),
      );
    }
    const described = await describeOr404(req, res, lang, clerk, form.purpose);
    if (!described) return;
    const v = await viewer(lang, res, clerk, formPath(described.purpose.code));
    const { problems, checked } = service.check(described, form);
    const step = str(body.step);

    const showForm = (status: number, found: FieldProblem[], general?: string) =>
      send(
        res,
        status,
        consolePage(v, {
          title: `${t(lang, 'console.form.title')}: ${described.purpose.names[lang]}`,
          body: formBody(lang, catalog, { described, form, problems: found, general, csrf: v.csrf }),
        }),
      );
    const showRefusal = (err: AppError) => send(res, err.status, refusalPage(v, described, err));
    const showWaiting = (request: ConsentRequestView) =>
      send(
        res,
        200,
        consolePage(v, {
          title: t(lang, 'console.wait.title'),
          languageSwitch: postedLanguageSwitch(lang, v.csrf, checked, request.id),
          body: waitingBody(lang, catalog, { described, checked, request, csrf: v.csrf, now: now() }),
        }),
      );

    if (problems.length) return showForm(400, problems);

    if (form.consentMode === 'citizen' && checked.needsConsent && (step !== 'run' || !form.consentId)) {
      try {
        if (step === 'start' || !form.consentId) {
          const request = await service.startCitizenConsent(clerk, described, checked, lang);
          checked.form.consentId = request.id;
          return showWaiting(request);
        }
        if (step === 'cancel') return showWaiting(await deps.withdraw(clerk, form.consentId));
        return showWaiting(await service.consentStatus(clerk, form.consentId));
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        if (err.status === 400) return showForm(400, [], t(lang, 'console.reason.validation_failed'));
        return showRefusal(err);
      }
    }

    try {
      const response = await service.run(clerk, described, checked, String(req.id ?? ''));
      send(res, 200, resultPage(v, described, checked, response));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.code === 'validation_failed' || err.code === 'identifier_invalid') {
        const found = (err.issues ?? [])
          .map((issue) => fieldOfPointer(issue.pointer, checked))
          .filter((field): field is string => field !== undefined)
          .map((field) => ({ field, key: 'console.reason.' + err.code }));
        return showForm(400, found, found.length ? undefined : t(lang, `console.reason.${err.code}`));
      }
      showRefusal(err);
    }
  });

  function resultPage(
    v: ConsoleViewer,
    described: CounterPurpose,
    checked: CheckedForm,
    response: Parameters<typeof resultBody>[2]['response'],
  ): string {
    const { lang } = v;
    const consentId = checked.form.consentMode === 'citizen' ? checked.form.consentId : '';
    const again = consentId
      ? html`<form method="post" action="/console/query" class="inline no-print">
          ${hiddenState(v.csrf, checked, consentId)}
          <input type="hidden" name="step" value="run" />
          <button type="submit" class="secondary" id="query-again">${t(lang, 'console.result.again')}</button>
        </form>`
      : undefined;
    return consolePage(v, {
      title: t(lang, 'console.result.title'),
      ...(consentId ? { languageSwitch: postedLanguageSwitch(lang, v.csrf, checked, consentId) } : {}),
      body: resultBody(lang, catalog, {
        described,
        checked,
        response,
        clerkName: v.clerkName,
        at: now(),
        publicUrl: deps.publicUrl,
        ...(again ? { again } : {}),
      }),
    });
  }

  function refusalPage(v: ConsoleViewer, described: CounterPurpose, error: AppError): string {
    const { lang } = v;
    return consolePage(v, {
      title: t(lang, 'console.refused.title'),
      body: html`<h1>${t(lang, 'console.refused.title')}</h1>
        <div class="notice error" role="alert" id="refusal">
          <p><strong>${reasonText(lang, error.code)}</strong></p>
          <p>${t(lang, 'console.refused.nothing')}</p>
          <p>${t(lang, 'console.refused.code')}: <code data-testid="reason-code">${error.code}</code></p>
        </div>
        <p class="actions">
          <a class="button primary" href="${formPath(described.purpose.code)}"
            >${t(lang, 'console.form.title')}</a
          >
          <a class="button secondary" href="/console">${t(lang, 'console.home')}</a>
        </p>`,
    });
  }

  return router;
}
