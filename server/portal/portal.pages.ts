/**
 * The citizen portal (server-rendered HTML, English and Japanese): overview, access history with filters,
 * export and the in-browser integrity check, consents with pause / resume / revoke (a confirmation step:
 * a dialog opened by the portal script, or a confirmation page without it), and notification
 * preferences. Only a signed-in citizen sees anything; visitors get a sign-in link, other kinds a 403.
 * Stable hooks for browser tests: `ol.access-list > li.access[data-log-index]`,
 * `[data-verify-index][data-verify-status]`, `#verify-summary[data-verify-status]`,
 * `ul.consent-list > li.consent[data-consent-id]` and buttons named Pause / Resume / Revoke, confirmed with
 * "Yes, revoke" (and so on).
 */
import { Router, type Request, type Response } from 'express';
import { NO_RECORD_TYPE, UNDESCRIBED } from '../audit/refusal-values.js';
import { CSRF_FIELD } from '../auth/csrf.js';
import { principalOf, type CitizenPrincipal } from '../auth/principal.js';
import type { CsrfGuard } from '../consents/consent.pages.js';
import type { CitizenConsentView } from '../consents/consents.types.js';
import { noticeStatusText } from '../notices/status.js';
import { legalBasisText } from '../web/catalog-text.js';
import { fieldLabel } from '../web/field-labels.js';
import { html, type SafeHtml } from '../web/html.js';
import {
  chooseLang,
  clientTemplate,
  langOf,
  formatDate,
  formatDateTime,
  hasMessage,
  t,
  type Lang,
} from '../web/i18n.js';
import { layout } from '../web/layout.js';
import { PORTAL_SCRIPT } from './portal.assets.js';
import type { NotificationEvent, NotificationPreference } from './portal.repo.js';
import {
  isConflict,
  isNotFound,
  type HistoryEntry,
  type HistoryFilters,
  type HistoryPage,
  type NotificationForm,
  type PortalService,
} from './portal.service.js';
import './portal.messages.js';

export interface PortalPagesDeps {
  service: PortalService;
  csrf: CsrfGuard;
  /** Outside production a webhook may be http on a loopback address (the form hint says so). */
  allowLoopbackHttp: boolean;
  loginPath?: string;
}

type Section = 'overview' | 'history' | 'consents' | 'notifications';
type Action = 'pause' | 'resume' | 'revoke';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ACTIONS: readonly Action[] = ['pause', 'resume', 'revoke'];
const CSRF_SCOPE = 'portal';
const STYLES = ['portal.css'];
const SCRIPTS = [PORTAL_SCRIPT];

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

function actionsFor(status: CitizenConsentView['status']): Action[] {
  if (status === 'ACTIVE') return ['pause', 'revoke'];
  if (status === 'PAUSED') return ['resume', 'revoke'];
  return [];
}

function orgName(
  lang: Lang,
  id: string,
  org: { names: { ko: string; en: string; ja: string } } | undefined,
): string {
  return org ? org.names[lang] : id;
}

function formText(lang: Lang, form: string): string {
  const base = form.split(':')[0]!;
  return hasMessage('en', `form.${base}`) ? t(lang, `form.${base}`) : t(lang, 'form.other', { form });
}

function reasonText(lang: Lang, code: string): string {
  return hasMessage('en', `reason.${code}`) ? t(lang, `reason.${code}`) : t(lang, 'reason.other', { code });
}

function actorText(lang: Lang, actor: string): string {
  if (actor === 'citizen') return t(lang, 'consents.actor.citizen');
  if (actor === 'system') return t(lang, 'consents.actor.system');
  if (actor.startsWith('clerk:')) return t(lang, 'consents.actor.clerk', { id: actor.slice(6) });
  return t(lang, 'consents.actor.requester');
}

function time(lang: Lang, iso: string): SafeHtml {
  return html`<time datetime="${iso}">${formatDateTime(lang, new Date(iso))}</time>`;
}

export function portalPages(deps: PortalPagesDeps): Router {
  const router = Router();
  const { service } = deps;
  const loginPath = deps.loginPath ?? '/auth/login';

  const send = (res: Response, status: number, body: string) => {
    res.set('Cache-Control', 'no-store');
    res.status(status).type('html').send(body);
  };

  function nav(lang: Lang, res: Response, current: Section): SafeHtml {
    const items: [Section | 'protections', string][] = [
      ['overview', '/portal'],
      ['history', '/portal/history'],
      ['consents', '/portal/consents'],
      ['notifications', '/portal/notifications'],
      ['protections', '/portal/protections'],
    ];
    return html`<nav class="portal-nav" aria-label="${t(lang, 'portal.nav')}">
      <ul>
        ${items.map(
          ([section, href]) =>
            html`<li>
              <a href="${href}" ${section === current ? html`aria-current="page"` : ''}
                >${t(lang, `portal.nav.${section}`)}</a
              >
            </li>`,
        )}
      </ul>
      <form method="post" action="/auth/logout" class="sign-out">
        <input type="hidden" name="${CSRF_FIELD}" value="${deps.csrf.token(res, CSRF_SCOPE)}" />
        <button type="submit" class="link">${t(lang, 'portal.signOut')}</button>
      </form>
    </nav>`;
  }

  function page(
    req: Request,
    res: Response,
    lang: Lang,
    section: Section,
    title: string,
    body: SafeHtml,
    status = 200,
  ) {
    send(
      res,
      status,
      layout({
        lang,
        path: pathForLanguageSwitch(req),
        title,
        styles: STYLES,
        scripts: SCRIPTS,
        body: html`${nav(lang, res, section)}${body}`,
      }),
    );
  }

  /** Anonymous: a sign-in link (200). Another kind of principal: 403. Returns the citizen otherwise. */
  function gate(req: Request, res: Response, lang: Lang): CitizenPrincipal | undefined {
    const citizen = citizenOf(res);
    if (citizen) return citizen;
    const returnTo = req.originalUrl.split('?')[0]!;
    const signIn = `${loginPath}?as=citizen&return_to=${encodeURIComponent(returnTo)}`;
    const principal = principalOf(res);
    const status = principal ? 403 : 200;
    send(
      res,
      status,
      layout({
        lang,
        path: req.path,
        title: t(lang, principal ? 'error.forbidden' : 'portal.signInTitle'),
        styles: STYLES,
        body: html`<h1>${t(lang, principal ? 'error.title' : 'portal.signInTitle')}</h1>
          <p>${t(lang, principal ? 'portal.citizensOnly' : 'portal.signInText')}</p>
          <p><a class="button primary" href="${signIn}">${t(lang, 'portal.signIn')}</a></p>`,
      }),
    );
    return undefined;
  }

  function notFound(req: Request, res: Response, lang: Lang) {
    page(
      req,
      res,
      lang,
      'consents',
      t(lang, 'error.title'),
      html`<h1>${t(lang, 'error.title')}</h1>
        <p>${t(lang, 'error.notFound')}</p>`,
      404,
    );
  }

  // ---- access history ------------------------------------------------------------------------------

  function basisText(lang: Lang, entry: HistoryEntry): SafeHtml {
    const e = entry.entry;
    const parts: SafeHtml[] = [];
    if (e.consent) {
      const mode = t(lang, `mode.${e.consent.mode}`);
      if (e.consent.mode === 'statutory') {
        parts.push(
          html`${t(lang, 'history.basis.statutory', { basis: legalBasisText(lang, e.legalBasis ?? '').text })}`,
        );
      } else {
        const consentId = e.consent.id && UUID.test(e.consent.id) ? e.consent.id : undefined;
        parts.push(
          html`${t(lang, 'history.basis.consent', { mode })}${
            consentId
              ? html` · <a href="/portal/consents/${consentId}">${t(lang, 'history.seeConsent')}</a>`
              : ''
          }`,
        );
        if (e.legalBasis)
          parts.push(
            html`<br />${t(lang, 'history.basis.legal', { basis: legalBasisText(lang, e.legalBasis).text })}`,
          );
      }
    } else if (e.legalBasis) {
      parts.push(
        html`${t(lang, 'history.basis.statutory', { basis: legalBasisText(lang, e.legalBasis).text })}`,
      );
    } else {
      parts.push(html`${t(lang, 'history.basis.none')}`);
    }
    return html`${parts}`;
  }

  function fieldsList(lang: Lang, entry: HistoryEntry): SafeHtml {
    const fields = entry.entry.fields;
    if (!fields.length) return html`${t(lang, 'history.noFields')}`;
    return html`<ul class="released-fields">
      ${fields.map((f) => {
        const label = entry.recordType
          ? fieldLabel(lang, entry.recordType, f.name)
          : { text: f.name, lang: 'en' as Lang };
        const name =
          label.lang === lang ? html`${label.text}` : html`<span lang="${label.lang}">${label.text}</span>`;
        return html`<li>${name} <span class="tag">${formText(lang, f.form)}</span></li>`;
      })}
    </ul>`;
  }

  /** A refusal records values it could not read as markers (server/audit/refusal-values.ts). */
  function markerText(lang: Lang, code: string): string {
    if (code === UNDESCRIBED) return t(lang, 'history.undescribed');
    if (code === NO_RECORD_TYPE) return t(lang, 'history.noRecordType');
    return code;
  }

  function entryItem(lang: Lang, entry: HistoryEntry, gapAfter: SafeHtml | ''): SafeHtml {
    const e = entry.entry;
    const id = `entry-${entry.index}`;
    const org = orgName(lang, e.requester.org, entry.organisation);
    const record = entry.recordType ? entry.recordType.names[lang] : markerText(lang, e.recordType);
    const purpose = entry.purpose ? entry.purpose.names[lang] : markerText(lang, e.purpose);
    return html`<li class="access outcome-${e.outcome}" id="${id}" data-log-index="${entry.index}">
      <article aria-labelledby="${id}-title">
        <h3 id="${id}-title">${org} · ${record}</h3>
        <p class="outcome">
          <span class="badge badge-${e.outcome}">${t(lang, `history.outcome.${e.outcome}`)}</span>
          ${e.reasonCode ? html` ${t(lang, 'history.reason', { reason: reasonText(lang, e.reasonCode) })}` : ''}
          ${e.holder && entry.recordType ? html`(${entry.recordType.holder.names[lang]})` : ''}
        </p>
        <dl class="summary">
          <dt>${t(lang, 'history.when')}</dt>
          <dd>${time(lang, e.createdAt)}</dd>
          <dt>${t(lang, 'history.who')}</dt>
          <dd>
            ${org}${
              entry.organisation
                ? html` <span class="tag">${t(lang, `class.${entry.organisation.class}`)}</span>`
                : ''
            }
          </dd>
          ${
            e.requester.clerkRef
              ? html`<dt>${t(lang, 'history.clerk')}</dt>
                  <dd><code>${e.requester.clerkRef}</code></dd>`
              : ''
          }
          ${
            e.requester.clientId
              ? html`<dt>${t(lang, 'history.client')}</dt>
                  <dd><code>${e.requester.clientId}</code></dd>`
              : ''
          }
          <dt>${t(lang, 'history.why')}</dt>
          <dd>${purpose}</dd>
          <dt>${t(lang, 'history.basis')}</dt>
          <dd>${basisText(lang, entry)}</dd>
          <dt>${t(lang, 'history.record')}</dt>
          <dd>${record}</dd>
          <dt>${t(lang, 'history.fields')}</dt>
          <dd>${fieldsList(lang, entry)}</dd>
        </dl>
        ${
          e.embargoUntil
            ? html`<p class="hint">
                ${t(lang, 'history.embargoed', { date: formatDateTime(lang, new Date(e.embargoUntil)) })}
              </p>`
            : ''
        }
        <p class="verify-badge" data-verify-index="${entry.index}" data-verify-status="unknown">
          <span class="verify-label">${t(lang, 'verify.title')}:</span>
          <span class="verify-text"></span>
        </p>
        <p class="hint entry-ref">${t(lang, 'history.logIndex', { index: entry.index, seq: entry.seq })}</p>
      </article>
      ${gapAfter}
    </li>`;
  }

  function gapNotice(lang: Lang, kind: 'between' | 'before', count: number): SafeHtml {
    return html`<p class="notice gap" role="note">
      ${t(lang, kind === 'before' ? 'history.gapBefore' : 'history.gap', { n: count })}
    </p>`;
  }

  function filterParams(filters: HistoryFilters, api: boolean): URLSearchParams {
    const params = new URLSearchParams();
    const q = filters.query;
    if (api) {
      if (q.from) params.set('from', q.from.toISOString());
      if (q.to) params.set('to', q.to.toISOString());
    } else {
      if (q.from) params.set('from', filters.values.from);
      if (q.to) params.set('to', filters.values.to);
    }
    if (q.organisation) params.set('organisation', q.organisation);
    if (q.recordType) params.set('record_type', q.recordType);
    return params;
  }

  function dateField(lang: Lang, name: 'from' | 'to', filters: HistoryFilters): SafeHtml {
    const id = `f-${name}`;
    const error = filters.errors[name];
    const describedBy = `${id}-hint${error ? ` ${id}-error` : ''}`;
    return html`<div class="field ${error ? 'has-error' : ''}">
      <label for="${id}">${t(lang, `history.${name}`)}</label>
      <p class="hint" id="${id}-hint">${t(lang, 'history.dateHint')}</p>
      ${error ? html`<p class="field-error" id="${id}-error">${t(lang, error)}</p>` : ''}
      <input
        type="date"
        id="${id}"
        name="${name}"
        value="${filters.values[name]}"
        aria-describedby="${describedBy}"
        ${error ? html`aria-invalid="true"` : ''}
      />
    </div>`;
  }

  function filtersForm(lang: Lang, data: HistoryPage): SafeHtml {
    const f = data.filters;
    const errors = (['from', 'to'] as const).filter((k) => f.errors[k]);
    return html`<form
      method="get"
      action="/portal/history"
      class="filters"
      aria-labelledby="filters-title"
      novalidate
    >
      <h2 id="filters-title">${t(lang, 'history.filters')}</h2>
      ${
        errors.length
          ? html`<div class="error-summary" role="alert" tabindex="-1">
              <p>${t(lang, 'history.filterError')}</p>
              <ul>
                ${errors.map((k) => html`<li><a href="#f-${k}">${t(lang, f.errors[k]!)}</a></li>`)}
              </ul>
            </div>`
          : ''
      }
      <div class="filter-grid">
        ${dateField(lang, 'from', f)} ${dateField(lang, 'to', f)}
        <div class="field">
          <label for="f-organisation">${t(lang, 'history.organisation')}</label>
          <select id="f-organisation" name="organisation">
            <option value="">${t(lang, 'history.any')}</option>
            ${data.facets.organisations.map(
              (o) =>
                html`<option value="${o.id}" ${o.id === f.values.organisation ? html`selected` : ''}>
                  ${orgName(lang, o.id, o.org)}
                </option>`,
            )}
          </select>
        </div>
        <div class="field">
          <label for="f-record-type">${t(lang, 'history.recordType')}</label>
          <select id="f-record-type" name="record_type">
            <option value="">${t(lang, 'history.any')}</option>
            ${data.facets.recordTypes.map(
              (rt) =>
                html`<option value="${rt.id}" ${rt.id === f.values.recordType ? html`selected` : ''}>
                  ${rt.names[lang]}
                </option>`,
            )}
          </select>
        </div>
      </div>
      <div class="actions">
        <button type="submit" class="primary">${t(lang, 'history.apply')}</button>
        ${
          data.filtered || errors.length
            ? html`<a class="button secondary" href="/portal/history">${t(lang, 'history.clear')}</a>`
            : ''
        }
      </div>
    </form>`;
  }

  function verifySection(lang: Lang, data: HistoryPage): SafeHtml {
    const api = filterParams(data.filters, true);
    api.set('limit', '100');
    if (data.filters.cursor) api.set('cursor', data.filters.cursor);
    return html`<section
        id="verify"
        class="verify"
        aria-labelledby="verify-title"
        data-verify-api="/v1/me/access-log?${api.toString()}"
        data-msg-checking="${t(lang, 'verify.checking')}"
        data-msg-verified="${t(lang, 'verify.verified')}"
        data-msg-pending="${t(lang, 'verify.pending')}"
        data-msg-failed="${t(lang, 'verify.failed')}"
        data-msg-all-verified="${clientTemplate(lang, 'verify.allVerified')}"
        data-msg-some-pending="${clientTemplate(lang, 'verify.somePending')}"
        data-msg-some-failed="${clientTemplate(lang, 'verify.someFailed')}"
        data-msg-unavailable="${clientTemplate(lang, 'verify.unavailable')}"
        data-msg-none="${t(lang, 'verify.none')}"
        data-msg-key-changed="${t(lang, 'verify.keyChanged')}"
        hidden
      >
        <h2 id="verify-title">${t(lang, 'verify.title')}</h2>
        <p class="hint">${t(lang, 'verify.explain')}</p>
        <p id="verify-summary" class="verify-summary" role="status" data-verify-status="checking"></p>
      </section>
      <noscript><p class="notice">${t(lang, 'verify.noscript')}</p></noscript>`;
  }

  router.get('/portal/history', async (req, res) => {
    const lang = chooseLang(req, res);
    const citizen = gate(req, res, lang);
    if (!citizen) return;
    // A bad cursor is dropped (the newest page is shown with a notice) rather than failing.
    const data = await service.history(citizen, query(req));
    const params = filterParams(data.filters, false);
    const apiParams = filterParams(data.filters, true);
    const gapsAt = new Map(data.gaps.map((g) => [g.afterPosition, g]));
    const top = gapsAt.get(-1);
    const list = data.entries.length
      ? html`<ol class="access-list" aria-label="${t(lang, 'history.list')}">
          ${data.entries.map((entry, i) => {
            const gap = gapsAt.get(i);
            return entryItem(lang, entry, gap ? gapNotice(lang, gap.kind, gap.count) : '');
          })}
        </ol>`
      : html`<p class="empty">${t(lang, data.filtered ? 'history.empty' : 'history.emptyAll')}</p>`;
    const next = data.nextCursor
      ? (() => {
          const p = new URLSearchParams(params);
          p.set('cursor', data.nextCursor);
          return `/portal/history?${p.toString()}`;
        })()
      : undefined;
    const firstPage = params.toString() ? `/portal/history?${params.toString()}` : '/portal/history';
    page(
      req,
      res,
      lang,
      'history',
      t(lang, 'history.title'),
      html`<h1>${t(lang, 'history.title')}</h1>
        <p>${t(lang, 'history.intro')}</p>
        ${
          data.filters.errors.cursor
            ? html`<p class="notice error" role="alert">${t(lang, 'history.badCursor')}</p>`
            : ''
        }
        ${filtersForm(lang, data)}
        <section aria-labelledby="export-title" class="exports">
          <h2 id="export-title">${t(lang, 'history.export')}</h2>
          <ul>
            <li>
              <a
                href="/v1/me/access-log.csv${apiParams.toString() ? `?${apiParams.toString()}` : ''}"
                download
                >${t(lang, 'history.exportCsv')}</a
              >
            </li>
            <li>
              <a
                href="/portal/history/export.json${params.toString() ? `?${params.toString()}` : ''}"
                download
                >${t(lang, 'history.exportJson')}</a
              >
            </li>
          </ul>
        </section>
        ${verifySection(lang, data)}
        <h2 id="list-title">${t(lang, 'history.list')}</h2>
        ${data.pending ? html`<p class="notice" role="status">${t(lang, 'history.pending', { n: data.pending })}</p>` : ''}
        ${top ? gapNotice(lang, top.kind, top.count) : ''} ${list}
        ${
          data.filters.cursor || next
            ? html`<nav class="pager" aria-label="${t(lang, 'history.pages')}">
                ${data.filters.cursor ? html`<a href="${firstPage}">${t(lang, 'history.first')}</a>` : ''}
                ${next ? html`<a href="${next}" rel="next">${t(lang, 'history.next')}</a>` : ''}
              </nav>`
            : ''
        }`,
    );
  });

  router.get('/portal/history/export.json', async (req, res) => {
    const citizen = citizenOf(res);
    if (!citizen) {
      const lang = chooseLang(req, res);
      gate(req, res, lang);
      return;
    }
    const entries = await service.historyExport(citizen, query(req));
    res
      .set('Cache-Control', 'no-store')
      .set('Content-Disposition', 'attachment; filename="access-log.json"')
      .type('application/json')
      .send(JSON.stringify({ exportedAt: new Date().toISOString(), entries }, null, 2));
  });

  // ---- overview ------------------------------------------------------------------------------------

  router.get('/portal', async (req, res) => {
    const lang = chooseLang(req, res);
    const citizen = gate(req, res, lang);
    if (!citizen) return;
    const [latest, consents, preference] = await Promise.all([
      service.latest(citizen, 3),
      service.consents(citizen, undefined),
      service.notificationPreference(citizen),
    ]);
    const active = consents.items.filter((c) => c.status === 'ACTIVE').length;
    const paused = consents.items.filter((c) => c.status === 'PAUSED').length;
    page(
      req,
      res,
      lang,
      'overview',
      t(lang, 'portal.title'),
      html`<h1>${t(lang, 'portal.title')}</h1>
        <p>${t(lang, 'portal.intro')}</p>
        <section aria-labelledby="recent-title" class="card">
          <h2 id="recent-title">${t(lang, 'portal.overview.recent')}</h2>
          ${
            latest.length
              ? html`<ul class="recent-list">
                  ${latest.map((entry) => {
                    const e = entry.entry;
                    return html`<li>
                      <a href="/portal/history#entry-${entry.index}"
                        >${orgName(lang, e.requester.org, entry.organisation)} ·
                        ${entry.recordType ? entry.recordType.names[lang] : markerText(lang, e.recordType)}</a
                      >
                      <span class="badge badge-${e.outcome}">${t(lang, `history.outcome.${e.outcome}`)}</span>
                      <br /><span class="hint">${time(lang, e.createdAt)}</span>
                    </li>`;
                  })}
                </ul>`
              : html`<p>${t(lang, 'portal.overview.noAccess')}</p>`
          }
          <p><a href="/portal/history">${t(lang, 'portal.overview.seeAll')}</a></p>
        </section>
        <section aria-labelledby="consents-title" class="card">
          <h2 id="consents-title">${t(lang, 'portal.overview.activeConsents')}</h2>
          <p>${t(lang, 'portal.overview.activeCount', { n: active, paused })}</p>
          <p><a href="/portal/consents">${t(lang, 'portal.overview.manageConsents')}</a></p>
        </section>
        <section aria-labelledby="notify-title" class="card">
          <h2 id="notify-title">${t(lang, 'portal.overview.notifications')}</h2>
          <p>
            ${t(lang, preference ? 'portal.overview.notificationsOn' : 'portal.overview.notificationsOff')}
          </p>
          <p><a href="/portal/notifications">${t(lang, 'portal.overview.manageNotifications')}</a></p>
        </section>`,
    );
  });

  // ---- consents ------------------------------------------------------------------------------------

  function actionForm(
    lang: Lang,
    res: Response,
    consent: CitizenConsentView,
    action: Action,
    labelledBy: string,
  ) {
    const org = consent.requester.names[lang];
    return html`<form
      method="post"
      action="/portal/consents/${consent.id}/${action}"
      class="inline-form"
      data-confirm-title="${t(lang, `action.confirmTitle.${action}`)}"
      data-confirm-text="${t(lang, `action.confirmText.${action}`, { org })}"
      data-confirm-yes="${t(lang, `action.confirm.${action}`)}"
      data-confirm-cancel="${t(lang, 'action.cancel')}"
      data-confirm-danger="${action === 'revoke' ? 'true' : 'false'}"
    >
      <input type="hidden" name="${CSRF_FIELD}" value="${deps.csrf.token(res, CSRF_SCOPE)}" />
      <input type="hidden" name="lang" value="${lang}" />
      <button
        type="submit"
        class="${action === 'revoke' ? 'danger' : 'secondary'}"
        aria-describedby="${labelledBy}"
      >
        ${t(lang, `action.${action}`)}
      </button>
    </form>`;
  }

  function recordNames(lang: Lang, consent: CitizenConsentView): string {
    return consent.recordTypes.map((id) => service.recordType(id)?.names[lang] ?? id).join(', ');
  }

  function validity(lang: Lang, consent: CitizenConsentView): string {
    if (!consent.validFrom || !consent.validUntil) return t(lang, 'consents.notYetValid');
    return t(lang, 'consents.validityValue', {
      from: formatDate(lang, new Date(consent.validFrom)),
      to: formatDate(lang, new Date(consent.validUntil)),
    });
  }

  function statusBadge(lang: Lang, status: CitizenConsentView['status']): SafeHtml {
    return html`<span class="badge status-${status}">${t(lang, `consents.status.${status}`)}</span>`;
  }

  router.get('/portal/consents', async (req, res) => {
    const lang = chooseLang(req, res);
    const citizen = gate(req, res, lang);
    if (!citizen) return;
    const cursor =
      typeof req.query.cursor === 'string' && /^[A-Za-z0-9_-]{1,400}$/.test(req.query.cursor)
        ? req.query.cursor
        : undefined;
    let list;
    try {
      list = await service.consents(citizen, cursor);
    } catch {
      list = await service.consents(citizen, undefined);
    }
    page(
      req,
      res,
      lang,
      'consents',
      t(lang, 'consents.title'),
      html`<h1>${t(lang, 'consents.title')}</h1>
        <p>${t(lang, 'consents.intro')}</p>
        ${
          list.items.length
            ? html`<ul class="consent-list" aria-label="${t(lang, 'consents.list')}">
                ${list.items.map((c) => {
                  const titleId = `c-${c.id}-title`;
                  return html`<li class="consent status-${c.status}" data-consent-id="${c.id}">
                    <article aria-labelledby="${titleId}">
                      <h2 id="${titleId}">
                        <a href="/portal/consents/${c.id}">${c.requester.names[lang]}</a>
                      </h2>
                      <p>${statusBadge(lang, c.status)}</p>
                      <dl class="summary">
                        <dt>${t(lang, 'consents.purpose')}</dt>
                        <dd>${c.purpose.names[lang]}</dd>
                        <dt>${t(lang, 'consents.records')}</dt>
                        <dd>${recordNames(lang, c)}</dd>
                        <dt>${t(lang, 'consents.validity')}</dt>
                        <dd>${validity(lang, c)}</dd>
                        <dt>${t(lang, 'consents.mode')}</dt>
                        <dd>${t(lang, `mode.${c.mode}`)}</dd>
                      </dl>
                      <div class="actions">
                        ${actionsFor(c.status).map((a) => actionForm(lang, res, c, a, titleId))}
                        ${
                          c.status === 'REQUESTED'
                            ? html`<a class="button primary" href="/consent/${c.id}"
                                >${t(lang, 'consents.answer')}</a
                              >`
                            : ''
                        }
                        <a
                          class="button secondary"
                          href="/portal/consents/${c.id}"
                          aria-describedby="${titleId}"
                          >${t(lang, 'consents.details')}</a
                        >
                      </div>
                    </article>
                  </li>`;
                })}
              </ul>`
            : html`<p class="empty">${t(lang, 'consents.empty')}</p>`
        }
        ${
          list.next
            ? html`<nav class="pager" aria-label="${t(lang, 'history.pages')}">
                <a href="/portal/consents?cursor=${list.next}" rel="next">${t(lang, 'consents.more')}</a>
              </nav>`
            : ''
        }`,
    );
  });

  function grantedFields(lang: Lang, consent: CitizenConsentView): SafeHtml {
    return html`<ul class="granted">
      ${consent.recordTypes.map((rtId) => {
        const type = service.recordType(rtId);
        const granted = consent.fieldsGranted?.[rtId];
        const fields =
          granted === 'all'
            ? html`${t(lang, 'consents.allFields')}`
            : granted && type
              ? html`${granted.map((f, i) => {
                  const label = fieldLabel(lang, type, f);
                  return html`${i ? ', ' : ''}${label.lang === lang ? label.text : html`<span lang="${label.lang}">${label.text}</span>`}`;
                })}`
              : '';
        return html`<li>
          <strong>${type ? type.names[lang] : rtId}</strong>${fields ? html`: ${fields}` : ''}
        </li>`;
      })}
    </ul>`;
  }

  router.get('/portal/consents/:id', async (req, res) => {
    const lang = chooseLang(req, res);
    const citizen = gate(req, res, lang);
    if (!citizen) return;
    const id = String(req.params.id);
    if (!UUID.test(id)) return notFound(req, res, lang);
    let consent: CitizenConsentView;
    try {
      consent = await service.consent(citizen, id);
    } catch (err) {
      if (isNotFound(err)) return notFound(req, res, lang);
      throw err;
    }
    const org = consent.requester.names[lang];
    const done =
      typeof req.query.done === 'string' && (ACTIONS as string[]).includes(req.query.done)
        ? (req.query.done as Action)
        : undefined;
    const titleId = 'consent-title';
    page(
      req,
      res,
      lang,
      'consents',
      t(lang, 'consents.detailsOf', { org }),
      html`<p><a href="/portal/consents">← ${t(lang, 'consents.back')}</a></p>
        <h1 id="${titleId}">${t(lang, 'consents.detailsOf', { org })}</h1>
        ${done ? html`<p class="notice ok" role="status">${t(lang, `action.done.${done}`, { org })}</p>` : ''}
        <dl class="summary">
          <dt>${t(lang, 'consents.status')}</dt>
          <dd>${statusBadge(lang, consent.status)}</dd>
          <dt>${t(lang, 'consents.requester')}</dt>
          <dd>${org} <span class="tag">${t(lang, `class.${consent.requester.class}`)}</span></dd>
          <dt>${t(lang, 'consents.purpose')}</dt>
          <dd>${consent.purpose.names[lang]}</dd>
          <dt>${t(lang, 'consents.legalBasis')}</dt>
          <dd lang="${legalBasisText(lang, consent.purpose.legalBasis).lang}">
            ${legalBasisText(lang, consent.purpose.legalBasis).text}
          </dd>
          <dt>${t(lang, 'consents.mode')}</dt>
          <dd>${t(lang, `mode.${consent.mode}`)}</dd>
          <dt>${t(lang, 'consents.validity')}</dt>
          <dd>${validity(lang, consent)}</dd>
          <dt>${t(lang, 'consents.uses')}</dt>
          <dd>${t(lang, 'consents.usesValue', { n: consent.useCount, max: consent.usage.maxUses })}</dd>
          <dt>${t(lang, 'consents.lastUsed')}</dt>
          <dd>${consent.lastUsedAt ? time(lang, consent.lastUsedAt) : t(lang, 'consents.never')}</dd>
          ${
            consent.clerkId
              ? html`<dt>${t(lang, 'consents.clerk')}</dt>
                  <dd><code>${consent.clerkId}</code></dd>`
              : ''
          }
          ${
            consent.documentReference
              ? html`<dt>${t(lang, 'consents.document')}</dt>
                  <dd><code>${consent.documentReference}</code></dd>`
              : ''
          }
        </dl>
        <h2>${t(lang, 'consents.records')}</h2>
        ${grantedFields(lang, consent)}
        <div class="actions">
          ${actionsFor(consent.status).map((a) => actionForm(lang, res, consent, a, titleId))}
          ${
            consent.status === 'REQUESTED'
              ? html`<a class="button primary" href="/consent/${consent.id}"
                  >${t(lang, 'consents.answer')}</a
                >`
              : ''
          }
        </div>
        <h2 id="events-title">${t(lang, 'consents.events')}</h2>
        <div class="table-wrap">
          <table class="events" aria-labelledby="events-title">
            <thead>
              <tr>
                <th scope="col">${t(lang, 'consents.eventAt')}</th>
                <th scope="col">${t(lang, 'consents.eventWhat')}</th>
                <th scope="col">${t(lang, 'consents.eventWho')}</th>
              </tr>
            </thead>
            <tbody>
              ${(consent.events ?? []).map(
                (e) =>
                  html`<tr>
                    <td>${time(lang, e.at)}</td>
                    <td>
                      ${t(lang, `consents.event.${e.type}`)}${e.reason ? html` <span class="hint" lang="en">(${e.reason})</span>` : ''}
                    </td>
                    <td>${actorText(lang, e.actor)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>`,
    );
  });

  router.post('/portal/consents/:id/:action', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const lang: Lang = langOf(body.lang, req, res);
    const citizen = gate(req, res, lang);
    if (!citizen) return;
    const id = String(req.params.id);
    const action = String(req.params.action) as Action;
    if (!UUID.test(id) || !ACTIONS.includes(action)) return notFound(req, res, lang);
    if (!deps.csrf.verify(res, CSRF_SCOPE, body[CSRF_FIELD])) {
      return page(
        req,
        res,
        lang,
        'consents',
        t(lang, 'error.title'),
        html`<h1>${t(lang, 'error.title')}</h1>
          <p class="notice error" role="alert">${t(lang, 'action.csrf')}</p>
          <p><a href="/portal/consents/${id}">${t(lang, 'consents.back')}</a></p>`,
        403,
      );
    }
    let consent: CitizenConsentView;
    try {
      consent = await service.consent(citizen, id);
    } catch (err) {
      if (isNotFound(err)) return notFound(req, res, lang);
      throw err;
    }
    const org = consent.requester.names[lang];
    const conflict = () =>
      page(
        req,
        res,
        lang,
        'consents',
        t(lang, 'error.title'),
        html`<h1>${t(lang, 'error.title')}</h1>
          <p class="notice error" role="alert">
            ${t(lang, 'action.conflict', { status: t(lang, `consents.status.${consent.status}`) })}
          </p>
          <p><a href="/portal/consents/${id}">${t(lang, 'consents.back')}</a></p>`,
        409,
      );
    if (!actionsFor(consent.status).includes(action)) return conflict();
    if (body.confirm !== 'yes') {
      // The confirmation step without the script: a page with the same question and buttons.
      return page(
        req,
        res,
        lang,
        'consents',
        t(lang, `action.confirmTitle.${action}`),
        html`<h1>${t(lang, `action.confirmTitle.${action}`)}</h1>
          <p>${t(lang, `action.confirmText.${action}`, { org })}</p>
          <dl class="summary">
            <dt>${t(lang, 'consents.requester')}</dt>
            <dd>${org}</dd>
            <dt>${t(lang, 'consents.purpose')}</dt>
            <dd>${consent.purpose.names[lang]}</dd>
          </dl>
          <form method="post" action="/portal/consents/${id}/${action}">
            <input type="hidden" name="${CSRF_FIELD}" value="${deps.csrf.token(res, CSRF_SCOPE)}" />
            <input type="hidden" name="lang" value="${lang}" />
            <input type="hidden" name="confirm" value="yes" />
            <div class="actions">
              <button type="submit" class="${action === 'revoke' ? 'danger' : 'primary'}">
                ${t(lang, `action.confirm.${action}`)}
              </button>
              <a class="button secondary" href="/portal/consents/${id}">${t(lang, 'action.cancel')}</a>
            </div>
          </form>`,
      );
    }
    try {
      await service.changeConsent(citizen, id, action);
    } catch (err) {
      if (isNotFound(err)) return notFound(req, res, lang);
      if (isConflict(err)) return conflict();
      throw err;
    }
    res.redirect(303, `/portal/consents/${id}?done=${action}`);
  });

  // ---- notifications -------------------------------------------------------------------------------

  function notificationsPage(
    req: Request,
    res: Response,
    lang: Lang,
    values: NotificationForm,
    errors: Partial<Record<'email' | 'webhookUrl', string>>,
    recent: NotificationEvent[],
    notice: SafeHtml | '',
    status = 200,
  ) {
    const errorKeys = (['email', 'webhookUrl'] as const).filter((k) => errors[k]);
    const describedBy = (name: string, hasError: boolean) =>
      `${name}-hint${hasError ? ` ${name}-error` : ''}`;
    const jwks = '/.well-known/jwks.json';
    page(
      req,
      res,
      lang,
      'notifications',
      t(lang, 'notify.title'),
      html`<h1>${t(lang, 'notify.title')}</h1>
        <p>${t(lang, 'notify.intro')}</p>
        ${notice}
        ${
          errorKeys.length
            ? html`<div
                class="error-summary"
                role="alert"
                tabindex="-1"
                aria-labelledby="error-summary-title"
              >
                <h2 id="error-summary-title">${t(lang, 'notify.errorSummary')}</h2>
                <ul>
                  ${errorKeys.map((k) => html`<li><a href="#${k}">${t(lang, errors[k]!)}</a></li>`)}
                </ul>
              </div>`
            : ''
        }
        <form method="post" action="/portal/notifications" novalidate>
          <input type="hidden" name="${CSRF_FIELD}" value="${deps.csrf.token(res, CSRF_SCOPE)}" />
          <input type="hidden" name="lang" value="${lang}" />
          <fieldset class="channel">
            <legend>${t(lang, 'notify.channels')}</legend>
            <div class="check">
              <input
                type="checkbox"
                id="email-on"
                name="email_on"
                value="yes"
                ${values.emailOn ? html`checked` : ''}
              />
              <label for="email-on">${t(lang, 'notify.email')}</label>
            </div>
            <div class="field ${errors.email ? 'has-error' : ''}">
              <label for="email">${t(lang, 'notify.emailAddress')}</label>
              <p class="hint" id="email-hint">
                ${t(lang, 'notify.emailHint')}<br />${t(lang, 'notify.emailNote')}
              </p>
              ${errors.email ? html`<p class="field-error" id="email-error">${t(lang, errors.email)}</p>` : ''}
              <input
                type="email"
                id="email"
                name="email"
                autocomplete="email"
                value="${values.email}"
                aria-describedby="${describedBy('email', Boolean(errors.email))}"
                ${errors.email ? html`aria-invalid="true"` : ''}
              />
            </div>
            <div class="check">
              <input
                type="checkbox"
                id="webhook-on"
                name="webhook_on"
                value="yes"
                ${values.webhookOn ? html`checked` : ''}
              />
              <label for="webhook-on">${t(lang, 'notify.webhook')}</label>
            </div>
            <div class="field ${errors.webhookUrl ? 'has-error' : ''}">
              <label for="webhookUrl">${t(lang, 'notify.webhookUrl')}</label>
              <p class="hint" id="webhookUrl-hint">${t(lang, 'notify.webhookHint', { jwks })}</p>
              ${
                errors.webhookUrl
                  ? html`<p class="field-error" id="webhookUrl-error">${t(lang, errors.webhookUrl)}</p>`
                  : ''
              }
              <input
                type="url"
                id="webhookUrl"
                name="webhook_url"
                inputmode="url"
                value="${values.webhookUrl}"
                aria-describedby="${describedBy('webhookUrl', Boolean(errors.webhookUrl))}"
                ${errors.webhookUrl ? html`aria-invalid="true"` : ''}
              />
            </div>
          </fieldset>
          <div class="actions">
            <button type="submit" class="primary">${t(lang, 'notify.save')}</button>
          </div>
        </form>
        <h2 id="recent-title">${t(lang, 'notify.recent')}</h2>
        ${
          recent.length
            ? html`<div class="table-wrap">
                <table aria-labelledby="recent-title">
                  <thead>
                    <tr>
                      <th scope="col">${t(lang, 'history.when')}</th>
                      <th scope="col">${t(lang, 'notify.channels')}</th>
                      <th scope="col">${t(lang, 'history.record')}</th>
                      <th scope="col">${t(lang, 'consents.status')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${recent.map(
                      (n) =>
                        html`<tr>
                          <td>${time(lang, n.payload.at)}</td>
                          <td>${t(lang, `notify.channel.${n.channel}`)}</td>
                          <td>
                            <a href="/portal/history#entry-${n.logIdx}"
                              >${service.recordType(n.payload.recordType)?.names[lang] ?? markerText(lang, n.payload.recordType)}</a
                            >
                          </td>
                          <td>${noticeStatusText(lang, n)}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
              </div>`
            : html`<p>${t(lang, 'notify.recentEmpty')}</p>`
        }`,
      status,
    );
  }

  const formFrom = (pref: NotificationPreference | undefined): NotificationForm => ({
    emailOn: Boolean(pref?.email),
    email: pref?.email ?? '',
    webhookOn: Boolean(pref?.webhookUrl),
    webhookUrl: pref?.webhookUrl ?? '',
  });

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
    notificationsPage(req, res, lang, formFrom(pref), {}, recent, notice);
  });

  router.post('/portal/notifications', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const lang: Lang = langOf(body.lang, req, res);
    const citizen = gate(req, res, lang);
    if (!citizen) return;
    const form: NotificationForm = {
      emailOn: body.email_on === 'yes',
      email: typeof body.email === 'string' ? body.email.slice(0, 300) : '',
      webhookOn: body.webhook_on === 'yes',
      webhookUrl: typeof body.webhook_url === 'string' ? body.webhook_url.slice(0, 2100) : '',
    };
    if (!deps.csrf.verify(res, CSRF_SCOPE, body[CSRF_FIELD])) {
      const recent = await service.recentNotifications(citizen);
      return notificationsPage(
        req,
        res,
        lang,
        form,
        {},
        recent,
        html`<p class="notice error" role="alert">${t(lang, 'action.csrf')}</p>`,
        403,
      );
    }
    const result = await service.saveNotificationPreference(citizen, form, lang);
    if (!result.ok) {
      const recent = await service.recentNotifications(citizen);
      return notificationsPage(req, res, lang, result.values, result.errors, recent, '', 400);
    }
    res.redirect(303, `/portal/notifications?saved=${result.preference ? 'on' : 'off'}`);
  });

  return router;
}
