/** A citizen's access history as CSV (RFC 4180), safe to open in a spreadsheet. */
import type { AccessLogRow, AuditEntryBody } from './audit.types.js';

const CSV_COLUMNS = [
  'time',
  'organisation',
  'client_id',
  'clerk_ref',
  'purpose',
  'legal_basis',
  'consent_id',
  'consent_mode',
  'record_type',
  'fields',
  'outcome',
  'reason',
  'request_id',
  'log_index',
  'subject_seq',
];

/** RFC 4180 quoting; cells a spreadsheet would run as formulas get a leading apostrophe. */
function csvCell(value: string | number | undefined | null): string {
  let text = value === undefined || value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function accessLogCsv(rows: AccessLogRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of rows) {
    const e = JSON.parse(row.body) as AuditEntryBody;
    lines.push(
      [
        e.createdAt,
        e.requester.org,
        e.requester.clientId,
        e.requester.clerkRef,
        e.purpose,
        e.legalBasis,
        e.consent?.id,
        e.consent?.mode,
        e.recordType,
        e.fields.map((f) => `${f.name}:${f.form}`).join(';'),
        e.outcome,
        e.reasonCode,
        e.requestId,
        row.index,
        row.subjectSeq,
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}
