/** The auditor's entries page (pure view): the filter form (GET), a page of entries, the next page, CSV export. */
import { html } from '../../web/html.js';
import { t } from '../../web/i18n.js';
import { entriesTable, type EntryItem, type Names } from './auditor.views.js';
import { selectField, staffPage, textField, type Option, type Viewer } from './shell.js';

/** The filter form's values as typed (dates as YYYY-MM-DD, Korean calendar days). */
export interface EntryFilterForm {
  organisation: string;
  clerk: string;
  client: string;
  purpose: string;
  recordType: string;
  outcome: string;
  from: string;
  to: string;
}

export const FILTER_NAMES: readonly (keyof EntryFilterForm)[] = [
  'organisation',
  'clerk',
  'client',
  'purpose',
  'recordType',
  'outcome',
  'from',
  'to',
];

export const OUTCOMES = ['released', 'denied', 'provider_error'] as const;

/** The filters as a query string (empty ones left out), for the next-page and export links. */
export function filterQuery(form: EntryFilterForm): URLSearchParams {
  const q = new URLSearchParams();
  for (const name of FILTER_NAMES) if (form[name]) q.set(name, form[name]);
  return q;
}

export interface EntriesView {
  viewer: Viewer;
  names: Names;
  form: EntryFilterForm;
  organisations: Option[];
  purposes: Option[];
  recordTypes: Option[];
  items: EntryItem[];
  nextHref: string | undefined;
  exportHref: string;
  error?: string | undefined;
}

export function entriesPage(m: EntriesView): string {
  const { lang } = m.viewer;
  const any = t(lang, 'audit.filter.any');
  const outcomes = OUTCOMES.map((o) => ({ value: o, label: t(lang, `console.outcome.${o}`) }));
  const body = html`<h1>${t(lang, 'audit.entries.title')}</h1>
    <p class="hint">${t(lang, 'audit.logged')}</p>
    ${m.error ? html`<p class="notice error" role="alert">${m.error}</p>` : ''}
    <form method="get" action="/audit/entries" class="filters">
      <fieldset>
        <legend>${t(lang, 'audit.filter.title')}</legend>
        ${selectField('organisation', t(lang, 'audit.filter.organisation'), m.organisations, m.form.organisation, { any })}
        ${textField('clerk', t(lang, 'audit.filter.clerk'), m.form.clerk, { hint: t(lang, 'audit.filter.clerkHint') })}
        ${textField('client', t(lang, 'audit.filter.client'), m.form.client)}
        ${selectField('purpose', t(lang, 'audit.filter.purpose'), m.purposes, m.form.purpose, { any })}
        ${selectField('recordType', t(lang, 'audit.filter.recordType'), m.recordTypes, m.form.recordType, { any })}
        ${selectField('outcome', t(lang, 'audit.filter.outcome'), outcomes, m.form.outcome, { any })}
        ${textField('from', t(lang, 'audit.filter.from'), m.form.from, { type: 'date' })}
        ${textField('to', t(lang, 'audit.filter.to'), m.form.to, { type: 'date' })}
      </fieldset>
      <button type="submit" class="primary">${t(lang, 'audit.filter.apply')}</button>
      <a href="/audit/entries">${t(lang, 'audit.filter.reset')}</a>
    </form>
    <p><a href="${m.exportHref}">${t(lang, 'audit.entries.export')}</a></p>
    ${entriesTable(lang, m.names, m.items, 'entries-caption')}
    ${m.nextHref ? html`<p><a href="${m.nextHref}">${t(lang, 'audit.entries.next')}</a></p>` : ''}`;
  return staffPage(m.viewer, t(lang, 'audit.entries.title'), body, '/audit/entries');
}
