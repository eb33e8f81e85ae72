/**
 * Languages of the web pages (English, Japanese), the choice of language per request (?lang= → cookie →
 * Accept-Language → English), and message catalogues. Pages look up keys with t(lang, key, params); a key
 * missing in Japanese falls back to English (a test keeps both catalogues complete).
 */
import type { Request, Response } from 'express';

export type Lang = 'en' | 'ja';
export const LANGS: readonly Lang[] = ['en', 'ja'];
export const LANG_COOKIE = 'juc_lang';

export const isLang = (value: unknown): value is Lang => value === 'en' || value === 'ja';

/** Cookie header → name/value map (no dependency; values are URI-decoded when possible). */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 1) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    try {
      out[name] = decodeURIComponent(value);
    } catch {
      out[name] = value;
    }
  }
  return out;
}

/** The page language; an explicit ?lang= is remembered in a cookie for the next pages. */
export function chooseLang(req: Request, res: Response): Lang {
  const asked = req.query.lang;
  if (isLang(asked)) {
    res.cookie(LANG_COOKIE, asked, { httpOnly: true, sameSite: 'lax', path: '/', maxAge: 365 * 86_400_000 });
    return asked;
  }
  const cookie = parseCookies(req.headers.cookie)[LANG_COOKIE];
  if (isLang(cookie)) return cookie;
  const accepted = req.acceptsLanguages('en', 'ja');
  return accepted === 'ja' ? 'ja' : 'en';
}

export type Messages = Record<string, string>;

const catalogues: Record<Lang, Messages> = { en: {}, ja: {} };

/** Domains add their messages at import time (keys must be unique across domains). */
export function defineMessages(messages: Record<Lang, Messages>): void {
  for (const lang of LANGS) Object.assign(catalogues[lang], messages[lang]);
}

export function hasMessage(lang: Lang, key: string): boolean {
  return Object.hasOwn(catalogues[lang], key);
}

export function messageKeys(lang: Lang): string[] {
  return Object.keys(catalogues[lang]);
}

/** `{name}` markers are replaced by params; the result is plain text (escape when rendering). */
export function t(lang: Lang, key: string, params: Record<string, string | number> = {}): string {
  const template = catalogues[lang][key] ?? catalogues.en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_m, name: string) =>
    params[name] === undefined ? `{${name}}` : String(params[name]),
  );
}

export function formatDateTime(lang: Lang, date: Date): string {
  return new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'Asia/Seoul',
  }).format(date);
}

export function formatDate(lang: Lang, date: Date | string): string {
  const d = typeof date === 'string' ? new Date(`${date}T00:00:00Z`) : date;
  return new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', {
    dateStyle: 'long',
    timeZone: typeof date === 'string' ? 'UTC' : 'Asia/Seoul',
  }).format(d);
}

defineMessages({
  en: {
    'site.name': 'Joint-Use Center',
    'site.skip': 'Skip to main content',
    'site.language': 'Language',
    'site.signedInAs': 'Signed in',
    'class.agency': 'Government agency',
    'class.public-institution': 'Public institution',
    'class.bank': 'Bank',
    'error.title': 'Something went wrong',
    'error.notFound': 'This page does not exist.',
    'error.forbidden': 'You may not open this page.',
    'error.generic': 'Please try again in a moment.',
  },
  ja: {
    'site.name': '共同利用センター',
    'site.skip': '本文へ移動',
    'site.language': '言語',
    'site.signedInAs': 'ログイン中',
    'class.agency': '行政機関',
    'class.public-institution': '公共機関',
    'class.bank': '銀行',
    'error.title': 'エラーが発生しました',
    'error.notFound': 'このページは存在しません。',
    'error.forbidden': 'このページを開く権限がありません。',
    'error.generic': 'しばらくしてからもう一度お試しください。',
  },
});
