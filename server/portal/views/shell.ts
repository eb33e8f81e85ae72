/**
 * The portal's page shell and small shared partials (pure: a view model in, escaped HTML out): the layout with
 * the portal navigation, the sign-in prompt, the not-found body with next steps, times and names.
 */
import { NO_RECORD_TYPE, UNDESCRIBED } from '../../audit/refusal-values.js';
import { html, type SafeHtml } from '../../web/html.js';
import { formatDateTime, t, type Lang } from '../../web/i18n.js';
import { layout } from '../../web/layout.js';
import { PORTAL_SCRIPT } from '../portal.assets.js';
import { portalNav } from './nav.js';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What every portal page needs besides its body. */
export interface PortalShell {
  lang: Lang;
  /** The path (and query) the language switch links to. */
  path: string;
  /** The session's CSRF token for the sign-out form and the page's own forms. */
  csrf: string;
  section: string;
}

export function portalPage(shell: PortalShell, title: string, body: SafeHtml): string {
  return layout({
    lang: shell.lang,
    path: shell.path,
    title,
    styles: ['portal.css'],
    scripts: [PORTAL_SCRIPT],
    body: html`${portalNav(shell.lang, shell.csrf, shell.section)}${body}`,
  });
}

/** A visitor (sign-in link) or another kind of principal (citizens only, with a way out). */
export function signInView(lang: Lang, path: string, signIn: string, forbidden: boolean): string {
  return layout({
    lang,
    path,
    title: t(lang, forbidden ? 'error.forbidden' : 'portal.signInTitle'),
    styles: ['portal.css'],
    body: html`<h1>${t(lang, forbidden ? 'error.title' : 'portal.signInTitle')}</h1>
      <p>${t(lang, forbidden ? 'portal.citizensOnly' : 'portal.signInText')}</p>
      <p><a class="button primary" href="${signIn}">${t(lang, 'portal.signIn')}</a></p>
      ${forbidden ? html`<p><a href="/">${t(lang, 'errorPage.home')}</a></p>` : ''}`,
  });
}

/** A missing consent or page inside the portal: what happened and where to go next. */
export function notFoundBody(lang: Lang): SafeHtml {
  return html`<h1>${t(lang, 'errorPage.notFound.title')}</h1>
    <p>${t(lang, 'error.notFound')}</p>
    <ul class="next-steps">
      <li><a href="/portal/consents">${t(lang, 'portal.nav.consents')}</a></li>
      <li><a href="/portal/history">${t(lang, 'portal.nav.history')}</a></li>
      <li><a href="/portal">${t(lang, 'portal.nav.overview')}</a></li>
    </ul>`;
}

/** A failed action (expired form, conflicting state): the message and the way back to the consent. */
export function actionErrorBody(lang: Lang, message: string, consentId: string): SafeHtml {
  return html`<h1>${t(lang, 'error.title')}</h1>
    <p class="notice error" role="alert">${message}</p>
    <p><a href="/portal/consents/${consentId}">${t(lang, 'consents.back')}</a></p>`;
}

export function time(lang: Lang, iso: string): SafeHtml {
  return html`<time datetime="${iso}">${formatDateTime(lang, new Date(iso))}</time>`;
}

export function orgName(
  lang: Lang,
  id: string,
  org: { names: { ko: string; en: string; ja: string } } | undefined,
): string {
  return org ? org.names[lang] : id;
}

/** A refusal records values it could not read as markers (server/audit/refusal-values.ts). */
export function markerText(lang: Lang, code: string): string {
  if (code === UNDESCRIBED) return t(lang, 'history.undescribed');
  if (code === NO_RECORD_TYPE) return t(lang, 'history.noRecordType');
  return code;
}
