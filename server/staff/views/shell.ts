/**
 * The staff consoles' shared partials (pure: view model → escaped HTML): the page shell with the console's
 * navigation, the sign-in page, a notice, an error summary, a select field and a hidden CSRF field.
 */
import { CSRF_FIELD } from '../../auth/csrf.js';
import { html, type SafeHtml } from '../../web/html.js';
import { t, type Lang } from '../../web/i18n.js';
import { layout } from '../../web/layout.js';
import '../staff.messages.js';

export type StaffRole = 'auditor' | 'admin';

export interface Viewer {
  lang: Lang;
  /** The page's own path with its query, for the language switch. */
  path: string;
  name: string;
  role: StaffRole;
  csrf: string;
}

const NAV: Record<StaffRole, [string, string][]> = {
  auditor: [
    ['/audit', 'audit.nav.flags'],
    ['/audit/entries', 'audit.nav.entries'],
  ],
  admin: [
    ['/audit', 'audit.nav.flags'],
    ['/admin', 'admin.nav.orgs'],
    ['/admin/purposes', 'admin.nav.purposes'],
    ['/admin/policies', 'admin.nav.policies'],
  ],
};

export const csrfField = (v: Viewer) =>
  html`<input type="hidden" name="${CSRF_FIELD}" value="${v.csrf}" />
    <input type="hidden" name="lang" value="${v.lang}" />`;

export function staffPage(v: Viewer, title: string, body: SafeHtml, current: string): string {
  const { lang } = v;
  const nav = html`<nav class="console-nav" aria-label="${t(lang, 'staff.nav')}">
    <ul>
      ${NAV[v.role].map(([href, key]) =>
        href === current
          ? html`<li><a href="${href}" aria-current="page">${t(lang, key)}</a></li>`
          : html`<li><a href="${href}">${t(lang, key)}</a></li>`,
      )}
      <li class="who">
        ${t(lang, 'staff.signedInAs', { name: v.name, role: t(lang, `staff.role.${v.role}`) })}
      </li>
      <li>
        <form method="post" action="/auth/logout" class="inline">
          ${csrfField(v)}
          <button type="submit" class="link">${t(lang, 'staff.signOut')}</button>
        </form>
      </li>
    </ul>
  </nav>`;
  return layout({ lang, path: v.path, title, body, nav, styles: ['console.css'] });
}

/** Nobody signed in: the staff sign-in link, coming back to the page asked for. */
export function signInPage(lang: Lang, path: string, returnTo: string): string {
  return layout({
    lang,
    path,
    title: t(lang, 'staff.signIn.title'),
    styles: ['console.css'],
    body: html`<h1>${t(lang, 'staff.signIn.title')}</h1>
      <p>${t(lang, 'staff.signIn.text')}</p>
      <p>
        <a class="button primary" href="/auth/login?as=staff&amp;return_to=${encodeURIComponent(returnTo)}"
          >${t(lang, 'staff.signIn.button')}</a
        >
      </p>`,
  });
}

export const notice = (text: string | undefined) =>
  text ? html`<p class="notice" role="status">${text}</p>` : '';

/** A refused change: the sentence in the page's language, the service's own detail in English beside it. */
export function errorSummary(lang: Lang, error: { lead: string; details: string[] } | undefined) {
  if (!error) return '';
  return html`<div class="error-summary" role="alert" tabindex="-1" aria-labelledby="error-title">
    <h2 id="error-title">${t(lang, 'staff.error.title')}</h2>
    <p>${error.lead}</p>
    ${
      error.details.length
        ? html`<ul lang="en">
            ${error.details.map((d) => html`<li>${d}</li>`)}
          </ul>`
        : ''
    }
  </div>`;
}

export interface Option {
  value: string;
  label: string;
}

export function selectField(
  id: string,
  label: string,
  options: Option[],
  selected: string,
  extra: { any?: string; required?: boolean } = {},
): SafeHtml {
  return html`<div class="field">
    <label for="${id}">${label}</label>
    <select id="${id}" name="${id}" ${extra.required ? html`required` : ''}>
      ${extra.any !== undefined ? html`<option value="">${extra.any}</option>` : ''}
      ${options.map((o) =>
        o.value === selected
          ? html`<option value="${o.value}" selected>${o.label}</option>`
          : html`<option value="${o.value}">${o.label}</option>`,
      )}
    </select>
  </div>`;
}

export function textField(
  id: string,
  label: string,
  value: string,
  extra: { type?: string; hint?: string; required?: boolean; name?: string } = {},
): SafeHtml {
  return html`<div class="field">
    <label for="${id}">${label}</label>
    ${extra.hint ? html`<p class="hint" id="${id}-hint">${extra.hint}</p>` : ''}
    <input
      id="${id}"
      name="${extra.name ?? id}"
      type="${extra.type ?? 'text'}"
      value="${value}"
      ${extra.hint ? html`aria-describedby="${id}-hint"` : ''}
      ${extra.required ? html`required` : ''}
    />
  </div>`;
}
