/**
 * The shared page shell of every server-rendered page (consent screens now; console and portal later):
 * language attribute, skip link, header with the language switch, one <main>, the site stylesheet from
 * /assets. No inline script or style: helmet's CSP allows scripts from 'self' only.
 */
import { html, type SafeHtml } from './html.js';
import { LANGS, t, type Lang } from './i18n.js';

export interface PageOptions {
  lang: Lang;
  title: string;
  body: SafeHtml;
  /** The current path (without query), for the language switch links. */
  path: string;
  /** Extra scripts from /assets (file names), loaded with defer. */
  scripts?: string[];
  /** Extra stylesheets from /assets (file names), after site.css. */
  styles?: string[];
  /** Navigation shown in the header (e.g. who is signed in, sign out). */
  nav?: SafeHtml;
  /** Replaces the language links, for pages that cannot be re-requested with GET (form results). */
  languageSwitch?: SafeHtml;
}

export const LANG_NAMES: Record<Lang, string> = { ko: '한국어', en: 'English', ja: '日本語' };

/** The path with its `lang` parameter set to `lang` (replacing one the path already carries). */
const withLang = (path: string, lang: Lang) => {
  const url = new URL(path, 'http://page.invalid');
  url.searchParams.set('lang', lang);
  return `${url.pathname}${url.search}${url.hash}`;
};

export function languageSwitch(lang: Lang, path: string): SafeHtml {
  return html`<nav class="lang-switch" aria-label="${t(lang, 'site.language')}">
    <ul>
      ${LANGS.map((l) =>
        l === lang
          ? html`<li><span aria-current="true" lang="${l}">${LANG_NAMES[l]}</span></li>`
          : html`<li><a href="${withLang(path, l)}" hreflang="${l}" lang="${l}">${LANG_NAMES[l]}</a></li>`,
      )}
    </ul>
  </nav>`;
}

export function layout(options: PageOptions): string {
  const { lang, title } = options;
  return `<!doctype html>\n${html`<html lang="${lang}">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>${title} · ${t(lang, 'site.name')}</title>
      <link rel="stylesheet" href="/assets/site.css" />
      ${(options.styles ?? []).map((s) => html`<link rel="stylesheet" href="/assets/${s}" />`)}
      ${(options.scripts ?? []).map((s) => html`<script src="/assets/${s}" defer></script>`)}
    </head>
    <body>
      <a class="skip-link" href="#main">${t(lang, 'site.skip')}</a>
      <header class="site-header">
        <p class="site-name"><a href="/">${t(lang, 'site.name')}</a></p>
        ${options.nav ?? ''} ${options.languageSwitch ?? languageSwitch(lang, options.path)}
      </header>
      <main id="main" tabindex="-1">${options.body}</main>
    </body>
  </html>`}\n`;
}

/** A simple message page (errors, outcomes). */
export function messagePage(lang: Lang, path: string, title: string, message: SafeHtml | string): string {
  return layout({
    lang,
    path,
    title,
    body: html`<h1>${title}</h1>
      <p>${message}</p>`,
  });
}
