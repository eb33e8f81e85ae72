/**
 * The clerk console's shared partials (pure: view model → escaped HTML): the page shell with the clerk's
 * navigation and the idle-session warning, the sign-in page, the counter state as hidden fields, the language
 * switch that re-posts that state, a definition list and the error summary.
 */
import { CSRF_FIELD } from '../../auth/csrf.js';
import type { CheckedForm } from '../console.service.js';
import { html, type SafeHtml } from '../../web/html.js';
import { LANGS, t, type Lang } from '../../web/i18n.js';
import { LANG_NAMES, layout } from '../../web/layout.js';
import '../console.messages.js';
import '../console-counter.messages.js';

/** Who is looking, in which language, at which page (every console view gets one). */
export interface ConsoleViewer {
  lang: Lang;
  /** The page's own path with its query (language switch, sign-in return path). */
  path: string;
  csrf: string;
  clerkName: string;
  orgName: string;
  /** The session's idle timeout: the page warns before it and keeps the typed form when it passes. */
  idleSec: number;
}

const SCRIPTS = ['console.js'];
export const STYLES = ['console.css'];

export const loginHref = (returnTo: string) =>
  `/auth/login?as=clerk&return_to=${encodeURIComponent(returnTo)}`;

export const csrfInput = (csrf: string) => html`<input type="hidden" name="${CSRF_FIELD}" value="${csrf}" />`;

function nav(v: ConsoleViewer): SafeHtml {
  const { lang } = v;
  return html`<nav class="console-nav" aria-label="${t(lang, 'console.nav')}">
    <ul>
      <li><a href="/console">${t(lang, 'console.home')}</a></li>
      <li class="who">${t(lang, 'console.signedInAs', { name: v.clerkName, org: v.orgName })}</li>
      <li>
        <form method="post" action="/auth/logout" class="inline" data-clear-draft>
          ${csrfInput(v.csrf)}
          <button type="submit" class="link">${t(lang, 'console.signOut')}</button>
        </form>
      </li>
    </ul>
  </nav>`;
}

/** Shown by console.js two minutes before the idle timeout, and once it has passed. */
function sessionNotices(v: ConsoleViewer): SafeHtml {
  const { lang } = v;
  const minutes = Math.max(1, Math.round(Math.min(120, v.idleSec / 4) / 60));
  return html`<div
      class="notice session-warning no-print"
      id="session-warning"
      role="alert"
      hidden
      data-idle-seconds="${v.idleSec}"
      data-warn-seconds="${Math.min(120, Math.floor(v.idleSec / 4))}"
    >
      <p>${t(lang, 'console.session.warning', { minutes })}</p>
      <button type="button" class="secondary" id="session-stay">${t(lang, 'console.session.stay')}</button>
    </div>
    <div class="notice error session-expired no-print" id="session-expired" role="alert" hidden>
      <p>${t(lang, 'console.session.expired')}</p>
      <p>
        <a class="button primary" href="${loginHref(v.path)}">${t(lang, 'console.session.signInAgain')}</a>
      </p>
    </div>`;
}

export function consolePage(
  v: ConsoleViewer,
  options: { title: string; body: SafeHtml; languageSwitch?: SafeHtml },
): string {
  return layout({
    lang: v.lang,
    path: v.path,
    title: options.title,
    body: html`${sessionNotices(v)} ${options.body}`,
    nav: nav(v),
    scripts: SCRIPTS,
    styles: STYLES,
    ...(options.languageSwitch ? { languageSwitch: options.languageSwitch } : {}),
  });
}

/** Nobody signed in: the agency sign-in, returning to `returnTo` (the typed form is restored there). */
export function signInPage(lang: Lang, path: string, returnTo: string): string {
  return layout({
    lang,
    path,
    title: t(lang, 'console.signIn.title'),
    styles: STYLES,
    scripts: SCRIPTS,
    body: html`<h1>${t(lang, 'console.signIn.title')}</h1>
      <p>${t(lang, 'console.signIn.text')}</p>
      <p class="notice" id="draft-kept" hidden>${t(lang, 'console.signIn.kept')}</p>
      <p>
        <a class="button primary" href="${loginHref(returnTo)}">${t(lang, 'console.signIn.button')}</a>
      </p>`,
  });
}

/** Term–description pairs; an undefined description leaves its pair out. */
export function summaryList(
  pairs: [string, SafeHtml | string | undefined][],
  className = 'summary',
): SafeHtml {
  return html`<dl class="${className}">
    ${pairs
      .filter(([, d]) => d !== undefined)
      .map(
        ([term, d]) =>
          html`<dt>${term}</dt>
            <dd>${d}</dd>`,
      )}
  </dl>`;
}

/** The counter state as hidden fields, so the next step needs nothing stored server-side. */
export function hiddenState(csrf: string, checked: CheckedForm, consentId?: string): SafeHtml {
  const { form } = checked;
  return html`${csrfInput(csrf)}
    <input type="hidden" name="purpose" value="${form.purpose}" />
    ${checked.selected.map((r) => html`<input type="hidden" name="records" value="${r.id}" />`)}
    <input type="hidden" name="subjectScheme" value="${form.subjectScheme}" />
    <input type="hidden" name="subjectId" value="${form.subjectId}" />
    ${Object.entries(form.identifiers)
      .filter(([rt]) => checked.selected.some((r) => r.id === rt))
      .map(([rt, v]) => html`<input type="hidden" name="identifier:${rt}" value="${v}" />`)}
    <input type="hidden" name="mode" value="${form.mode}" />
    <input type="hidden" name="consentMode" value="${form.consentMode}" />
    <input type="hidden" name="documentReference" value="${form.documentReference}" />
    ${form.separateAgreement ? html`<input type="hidden" name="separateAgreement" value="yes" />` : ''}
    ${consentId ? html`<input type="hidden" name="consentId" value="${consentId}" />` : ''}`;
}

/** Language buttons that re-post the page's state with step=check (never re-running a query). */
export function postedLanguageSwitch(
  lang: Lang,
  csrf: string,
  checked: CheckedForm,
  consentId: string,
): SafeHtml {
  return html`<form
    method="post"
    action="/console/query"
    class="lang-switch"
    aria-label="${t(lang, 'site.language')}"
  >
    ${hiddenState(csrf, checked, consentId)}
    <input type="hidden" name="step" value="check" />
    <ul>
      ${LANGS.map((l) =>
        l === lang
          ? html`<li><span aria-current="true" lang="${l}">${LANG_NAMES[l]}</span></li>`
          : html`<li>
              <button type="submit" class="link" name="lang" value="${l}" lang="${l}">
                ${LANG_NAMES[l]}
              </button>
            </li>`,
      )}
    </ul>
  </form>`;
}

/** The error summary: focused by console.js, each problem a link to its input. */
export function errorSummary(
  lang: Lang,
  items: { href: string; text: string }[],
  general?: string,
): SafeHtml {
  if (!items.length && !general) return html``;
  return html`<div class="error-summary" role="alert" tabindex="-1" aria-labelledby="error-summary-title">
    <h2 id="error-summary-title">${t(lang, 'console.errors.title')}</h2>
    ${general ? html`<p>${general}</p>` : ''}
    <ul>
      ${items.map((i) => html`<li><a href="${i.href}">${i.text}</a></li>`)}
    </ul>
  </div>`;
}

/** A short message page inside the console shell (not found, refusal). */
export function messageBody(title: string, paragraphs: SafeHtml[], actions: SafeHtml): SafeHtml {
  return html`<h1>${title}</h1>
    ${paragraphs}
    <p class="actions">${actions}</p>`;
}
