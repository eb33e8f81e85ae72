/**
 * Languages of the web pages — Korean first, then English and Japanese — the choice of language per request
 * (?lang= → cookie → Accept-Language → Korean), message catalogues in ICU MessageFormat (intl-messageformat:
 * plurals, selects, numbers), and dates, times and won amounts formatted with Intl in Asia/Seoul. A test keeps
 * the three catalogues complete, parseable and agreeing on their parameters.
 */
import { parse as parseCookieHeader } from 'cookie';
import type { Request, Response } from 'express';
import IntlMessageFormat from 'intl-messageformat';
import type { Lang } from '../shared/types.js';

export type { Lang };
/** In the order of the language switch; the first is the default. */
export const LANGS: readonly Lang[] = ['ko', 'en', 'ja'];
export const DEFAULT_LANG: Lang = 'ko';
export const LANG_COOKIE = 'juc_lang';
/** Every time on the pages is Korean time: the counters, citizens and registries are all in Korea. */
export const TIME_ZONE = 'Asia/Seoul';

const LOCALES: Record<Lang, string> = { ko: 'ko-KR', en: 'en-GB', ja: 'ja-JP' };

export const isLang = (value: unknown): value is Lang => value === 'ko' || value === 'en' || value === 'ja';

/** Cookie header → name/value map (the `cookie` package; values are URI-decoded when possible). */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(parseCookieHeader(header ?? ''))) {
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** Remembers the language for the next pages (a preference, not a secret: no Secure needed). */
export function rememberLang(res: Response, lang: Lang): void {
  res.cookie(LANG_COOKIE, lang, { httpOnly: true, sameSite: 'lax', path: '/', maxAge: 365 * 86_400_000 });
}

/** The page language; an explicit ?lang= is remembered in a cookie for the next pages. */
export function chooseLang(req: Request, res: Response): Lang {
  const asked = req.query.lang;
  if (isLang(asked)) {
    rememberLang(res, asked);
    return asked;
  }
  const cookie = parseCookies(req.headers.cookie)[LANG_COOKIE];
  if (isLang(cookie)) return cookie;
  const accepted = req.acceptsLanguages(...LANGS);
  return isLang(accepted) ? accepted : DEFAULT_LANG;
}

/** A language posted with a form (hidden field), else the request's language. */
export function langOf(posted: unknown, req: Request, res: Response): Lang {
  return isLang(posted) ? posted : chooseLang(req, res);
}

export type Messages = Record<string, string>;

const catalogues: Record<Lang, Messages> = { ko: {}, en: {}, ja: {} };
const compiled = new Map<string, IntlMessageFormat>();

/**
 * Domains add their messages at import time (keys must be unique across domains). A domain may give its
 * languages in separate calls (e.g. Korean in its own file); the catalogue test checks they end up complete.
 */
export function defineMessages(messages: Partial<Record<Lang, Messages>>): void {
  for (const lang of LANGS) Object.assign(catalogues[lang], messages[lang] ?? {});
}

export function hasMessage(lang: Lang, key: string): boolean {
  return Object.hasOwn(catalogues[lang], key);
}

export function messageKeys(lang: Lang): string[] {
  return Object.keys(catalogues[lang]);
}

/** The raw ICU source of a message (for the catalogue test). */
export function messageSource(lang: Lang, key: string): string | undefined {
  return catalogues[lang][key];
}

function formatter(lang: Lang, key: string): IntlMessageFormat | undefined {
  const source = catalogues[lang][key];
  if (source === undefined) return undefined;
  const id = `${lang}\0${key}`;
  let f = compiled.get(id);
  if (!f) {
    // ignoreTag: messages are plain text (escaped when rendered), so "<" is a character, not markup.
    f = new IntlMessageFormat(source, LOCALES[lang], undefined, { ignoreTag: true });
    compiled.set(id, f);
  }
  return f;
}

/** The message formatted with ICU MessageFormat; plain text (escape when rendering). */
export function t(lang: Lang, key: string, params: Record<string, string | number> = {}): string {
  const f = formatter(lang, key) ?? formatter(DEFAULT_LANG, key);
  if (!f) return key;
  return String(f.format(params));
}

/**
 * A message handed to the browser's scripts, which fill `{name}` themselves: the source as written, in the
 * page's language. Such messages use plain `{name}` arguments only (the catalogue test checks it).
 */
export function clientTemplate(lang: Lang, key: string): string {
  return catalogues[lang][key] ?? catalogues[DEFAULT_LANG][key] ?? key;
}

/** Keys whose messages are filled in the browser (see clientTemplate). */
export const CLIENT_TEMPLATE_KEYS: readonly string[] = [
  'verify.allVerified',
  'verify.somePending',
  'verify.someFailed',
  'verify.unavailable',
  'console.check.valid',
  'console.check.invalid',
];

/** The argument names an ICU message uses (plural, select and nested arguments included). */
export function messageParams(source: string, lang: Lang = 'en'): string[] {
  const names = new Set<string>();
  const walk = (elements: ReturnType<IntlMessageFormat['getAst']>) => {
    for (const el of elements) {
      // Literals (type 0) carry text, not a name; every other element with a string value is an argument.
      if ('value' in el && typeof el.value === 'string' && el.type !== 0) names.add(el.value);
      if ('options' in el) for (const option of Object.values(el.options)) walk(option.value);
      if ('children' in el) walk(el.children);
    }
  };
  walk(new IntlMessageFormat(source, LOCALES[lang], undefined, { ignoreTag: true }).getAst());
  return [...names].sort();
}

/** "2026. 12. 7. 15:04 (KST)": Korean time on a 24-hour clock, the zone always shown. */
export function formatDateTime(lang: Lang, date: Date): string {
  const text = new Intl.DateTimeFormat(LOCALES[lang], {
    dateStyle: 'long',
    timeStyle: 'short',
    hourCycle: 'h23',
    timeZone: TIME_ZONE,
  }).format(date);
  return t(lang, 'time.withZone', { time: text });
}

/** A calendar date; a date-only string (YYYY-MM-DD) is a date in no zone, shown as written. */
export function formatDate(lang: Lang, date: Date | string): string {
  const d = typeof date === 'string' ? new Date(`${date}T00:00:00Z`) : date;
  return new Intl.DateTimeFormat(LOCALES[lang], {
    dateStyle: 'long',
    timeZone: typeof date === 'string' ? 'UTC' : TIME_ZONE,
  }).format(d);
}

/** A won amount: 421354854 → "₩421,354,854". */
export function formatWon(lang: Lang, amount: number): string {
  return new Intl.NumberFormat(LOCALES[lang], { style: 'currency', currency: 'KRW' }).format(amount);
}

export function formatNumber(lang: Lang, value: number): string {
  return new Intl.NumberFormat(LOCALES[lang]).format(value);
}

defineMessages({
  ko: {
    'site.name': '공동이용센터',
    'site.skip': '본문 바로가기',
    'site.language': '언어 선택',
    'site.signedInAs': '로그인됨',
    'time.withZone': '{time} (KST)',
    'class.agency': '행정기관',
    'class.public-institution': '공공기관',
    'class.bank': '은행',
    'error.title': '오류가 발생했습니다',
    'error.notFound': '요청하신 페이지를 찾을 수 없습니다.',
    'error.forbidden': '이 페이지를 열람할 권한이 없습니다.',
    'error.generic': '잠시 후 다시 시도해 주십시오.',
  },
  en: {
    'site.name': 'Joint-Use Center',
    'site.skip': 'Skip to main content',
    'site.language': 'Language',
    'site.signedInAs': 'Signed in',
    'time.withZone': '{time} (KST)',
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
    'time.withZone': '{time}（KST）',
    'class.agency': '行政機関',
    'class.public-institution': '公共機関',
    'class.bank': '銀行',
    'error.title': 'エラーが発生しました',
    'error.notFound': 'このページは存在しません。',
    'error.forbidden': 'このページを開く権限がありません。',
    'error.generic': 'しばらくしてからもう一度お試しください。',
  },
});
