/**
 * The portal's navigation partial. The sections are one list: a new portal area (e.g. protection orders)
 * adds its entry to PORTAL_NAV and its `portal.nav.<section>` message; nothing else needs to change.
 */
import { CSRF_FIELD } from '../../auth/csrf.js';
import { html, type SafeHtml } from '../../web/html.js';
import { t, type Lang } from '../../web/i18n.js';

export interface PortalNavItem {
  /** The section id: `portal.nav.<section>` is its label, pages name it as their current section. */
  section: string;
  href: string;
}

export const PORTAL_NAV: PortalNavItem[] = [
  { section: 'overview', href: '/portal' },
  { section: 'history', href: '/portal/history' },
  { section: 'consents', href: '/portal/consents' },
  { section: 'notifications', href: '/portal/notifications' },
  { section: 'protections', href: '/portal/protections' },
];

export function portalNav(lang: Lang, csrf: string, current: string): SafeHtml {
  return html`<nav class="portal-nav" aria-label="${t(lang, 'portal.nav')}">
    <ul>
      ${PORTAL_NAV.map(
        ({ section, href }) =>
          html`<li>
            <a href="${href}" ${section === current ? html`aria-current="page"` : ''}
              >${t(lang, `portal.nav.${section}`)}</a
            >
          </li>`,
      )}
    </ul>
    <form method="post" action="/auth/logout" class="sign-out">
      <input type="hidden" name="${CSRF_FIELD}" value="${csrf}" />
      <button type="submit" class="link">${t(lang, 'portal.signOut')}</button>
    </form>
  </nav>`;
}
