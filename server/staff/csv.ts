/**
 * Entries as CSV for auditors (RFC 4180): times in Korean time with the offset written out, codes as codes
 * (a spreadsheet filters on them). A cell that a spreadsheet would run as a formula is prefixed with '.
 */
import type { EntryItem } from './views/auditor.views.js';

const HEADER = [
  'entry_id',
  'time_kst',
  'organisation',
  'clerk',
  'client',
  'purpose',
  'record_type',
  'outcome',
  'reason',
  'consent_mode',
  'fields',
  'subject_key',
];

function cell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** 2026-12-07T06:04:05.000Z → 2026-12-07 15:04:05+09:00 */
export function kstTime(iso: string): string {
  const shifted = new Date(new Date(iso).getTime() + 9 * 3_600_000).toISOString();
  return `${shifted.slice(0, 10)} ${shifted.slice(11, 19)}+09:00`;
}

export function entriesCsv(items: EntryItem[]): string {
  const rows = items.map((e) =>
    [
      e.entryId,
      kstTime(e.createdAt),
      e.requester.org,
      e.requester.clerkRef,
      e.requester.clientId,
      e.purpose,
      e.recordType,
      e.outcome,
      e.reasonCode,
      e.consent?.mode ?? '',
      e.fields.map((f) => `${f.name}:${f.form}`).join(' '),
      e.subjectKey,
    ]
      .map(cell)
      .join(','),
  );
  // A byte order mark, so spreadsheet programs read the Hangul in organisation ids and fields as UTF-8.
  return `\uFEFF${[HEADER.join(','), ...rows].join('\r\n')}\r\n`;
}
