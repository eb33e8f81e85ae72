/**
 * The clerk's recent queries as CSV (RFC 4180, UTF-8 with a byte-order mark so spreadsheets read Hangul): the
 * time in Korean time with the zone in the header and the offset in each cell, and words rather than codes
 * (purpose and record names, outcome, reason sentence, consent) in the clerk's language; the refusal code is kept
 * in its own column for filtering. A cell a spreadsheet would run as a formula is prefixed with '.
 */
import { t, type Lang } from '../web/i18n.js';
import type { RecentQueryEntry } from './console.repo.js';
import { reasonText, recordName } from './views/home.view.js';
import type { CatalogLookup } from './views/result.view.js';

function cell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** 2026-12-07T06:04:05.000Z → 2026-12-07 15:04:05+09:00 (Korea keeps no summer time). */
export function kst(date: Date): string {
  const shifted = new Date(date.getTime() + 9 * 3_600_000).toISOString();
  return `${shifted.slice(0, 10)} ${shifted.slice(11, 19)}+09:00`;
}

export function recentCsv(
  lang: Lang,
  catalog: CatalogLookup,
  purposeNames: ReadonlyMap<string, string>,
  entries: readonly RecentQueryEntry[],
): string {
  const header = [
    t(lang, 'console.csv.time'),
    t(lang, 'console.recent.purpose'),
    t(lang, 'console.recent.record'),
    t(lang, 'console.recent.outcome'),
    t(lang, 'console.csv.reason'),
    t(lang, 'console.refused.code'),
    t(lang, 'console.recent.consent'),
    t(lang, 'console.csv.entry'),
  ];
  const rows = entries.map((e) => [
    kst(e.at),
    purposeNames.get(e.purposeCode) ?? e.purposeCode,
    recordName(lang, catalog, e.recordType),
    t(lang, `console.outcome.${e.outcome}`),
    e.reasonCode ? reasonText(lang, e.reasonCode) : '',
    e.reasonCode ?? '',
    t(lang, `console.modeShort.${e.consentMode ?? 'none'}`),
    e.entryId,
  ]);
  return '\uFEFF' + [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
