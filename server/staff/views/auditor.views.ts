/** The auditor console's views (pure: view model → escaped HTML). Handlers: ../auditor.pages.ts. */
import { html, type SafeHtml } from '../../web/html.js';
import { formatDateTime, formatNumber, hasMessage, t, type Lang } from '../../web/i18n.js';
import type { FlagCase } from '../cases.repo.js';
import { CASE_STATUSES } from '../cases.repo.js';
import type { Flag, FlagRef } from '../audit-review.service.js';
import {
  csrfField,
  errorSummary,
  notice,
  selectField,
  staffPage,
  textField,
  type Option,
  type Viewer,
} from './shell.js';

export interface EntryItem {
  entryId: number;
  createdAt: string;
  subjectKey: string;
  outcome: string;
  reasonCode: string | null;
  requester: { org: string; clientId: string | null; clerkRef: string | null };
  purpose: string;
  recordType: string;
  consent: { mode: string } | null;
  fields: { name: string; form: string }[];
}

/** Names for codes, in the page's language (unknown codes are shown as they are). */
export interface Names {
  org(id: string): string;
  purpose(code: string): string;
  record(id: string): string;
}

export const flagHref = (f: FlagRef, lang?: Lang) =>
  `/audit/flag?kind=${encodeURIComponent(f.kind)}&requester=${encodeURIComponent(f.requester)}&start=${encodeURIComponent(f.windowStart.toISOString())}${lang ? `&lang=${lang}` : ''}`;

export function requesterText(lang: Lang, names: Names, requester: string): string {
  const [type, ...rest] = requester.split(':');
  const id = rest.join(':');
  if (type === 'org') return t(lang, 'audit.requester.org', { name: names.org(id) });
  return t(lang, type === 'client' ? 'audit.requester.client' : 'audit.requester.clerk', { id });
}

const caseStatus = (lang: Lang, c: FlagCase | undefined) =>
  html`<span class="tag">${t(lang, `audit.status.${c?.status ?? 'none'}`)}</span>`;

const outcomeText = (lang: Lang, e: EntryItem) =>
  html`${t(lang, `console.outcome.${e.outcome}`)}
  ${
    e.reasonCode
      ? html`<span class="reason"
            >${hasMessage(lang, `console.reason.${e.reasonCode}`) ? t(lang, `console.reason.${e.reasonCode}`) : ''}</span
          >
          <span class="tag">${e.reasonCode}</span>`
      : ''
  }`;

export function entriesTable(lang: Lang, names: Names, items: EntryItem[], captionId: string): SafeHtml {
  if (items.length === 0) return html`<p>${t(lang, 'audit.entries.none')}</p>`;
  return html`<div class="table-scroll" role="region" aria-labelledby="${captionId}" tabindex="0">
    <table>
      <caption id="${captionId}">
        ${t(lang, 'audit.entries.caption', { n: items.length })}
      </caption>
      <thead>
        <tr>
          <th scope="col">${t(lang, 'audit.col.entry')}</th>
          <th scope="col">${t(lang, 'audit.col.when')}</th>
          <th scope="col">${t(lang, 'audit.col.requester')}</th>
          <th scope="col">${t(lang, 'audit.col.purpose')}</th>
          <th scope="col">${t(lang, 'audit.col.record')}</th>
          <th scope="col">${t(lang, 'audit.col.outcome')}</th>
          <th scope="col">${t(lang, 'audit.col.consent')}</th>
          <th scope="col">${t(lang, 'audit.col.subject')}</th>
        </tr>
      </thead>
      <tbody>
        ${items.map(
          (e) =>
            html`<tr>
              <td><code>#${e.entryId}</code></td>
              <td>${formatDateTime(lang, new Date(e.createdAt))}</td>
              <td>
                ${names.org(e.requester.org)}
                ${e.requester.clerkRef ? html`<br />${t(lang, 'audit.requester.clerk', { id: e.requester.clerkRef })}` : ''}
                ${e.requester.clientId ? html`<br />${t(lang, 'audit.requester.client', { id: e.requester.clientId })}` : ''}
              </td>
              <td>${names.purpose(e.purpose)}</td>
              <td>${names.record(e.recordType)}</td>
              <td>${outcomeText(lang, e)}</td>
              <td>${t(lang, `console.modeShort.${e.consent?.mode ?? 'none'}`)}</td>
              <td><code title="${e.subjectKey}">${e.subjectKey.slice(0, 12)}…</code></td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

export interface FlagsView {
  viewer: Viewer;
  names: Names;
  from: string;
  to: string;
  flags: Flag[];
  error?: string | undefined;
}

export function flagsPage(m: FlagsView): string {
  const { lang } = m.viewer;
  const body = html`<h1>${t(lang, 'audit.flags.title')}</h1>
    <p>${t(lang, 'audit.flags.lead')}</p>
    <p class="hint">${t(lang, 'audit.logged')}</p>
    ${m.error ? html`<p class="notice error" role="alert">${m.error}</p>` : ''}
    <form method="get" action="/audit" class="filters">
      ${textField('from', t(lang, 'audit.filter.from'), m.from, { type: 'date' })}
      ${textField('to', t(lang, 'audit.filter.to'), m.to, { type: 'date', hint: t(lang, 'audit.filter.windowHint') })}
      <button type="submit" class="primary">${t(lang, 'audit.filter.apply')}</button>
    </form>
    ${
      m.flags.length === 0
        ? html`<p>${t(lang, 'audit.flags.none')}</p>`
        : html`<div class="table-scroll" role="region" aria-labelledby="flags-caption" tabindex="0">
            <table>
              <caption id="flags-caption">
                ${t(lang, 'audit.flags.caption', { n: m.flags.length })}
              </caption>
              <thead>
                <tr>
                  <th scope="col">${t(lang, 'audit.col.kind')}</th>
                  <th scope="col">${t(lang, 'audit.col.requester')}</th>
                  <th scope="col">${t(lang, 'audit.col.window')}</th>
                  <th scope="col">${t(lang, 'audit.col.count')}</th>
                  <th scope="col">${t(lang, 'audit.col.status')}</th>
                </tr>
              </thead>
              <tbody>
                ${m.flags.map(
                  (f) =>
                    html`<tr>
                      <td>
                        <a href="${flagHref(f)}">${t(lang, `audit.kind.${f.kind}`)}</a>
                      </td>
                      <td>${requesterText(lang, m.names, f.requester)}</td>
                      <td>${formatDateTime(lang, f.windowStart)} – ${formatDateTime(lang, f.windowEnd)}</td>
                      <td>${t(lang, `audit.count.${f.kind}`, { n: f.count })}</td>
                      <td>${caseStatus(lang, f.case)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }`;
  return staffPage(m.viewer, t(lang, 'audit.flags.title'), body, '/audit');
}

export interface FlagView {
  viewer: Viewer;
  names: Names;
  ref: FlagRef;
  windowEnd: Date;
  case: FlagCase | undefined;
  entries: EntryItem[];
  nextHref: string | undefined;
  exportHref: string;
  saved: boolean;
  error?: { lead: string; details: string[] } | undefined;
}

export function flagPage(m: FlagView): string {
  const { lang } = m.viewer;
  const statusOptions: Option[] = CASE_STATUSES.map((s) => ({
    value: s,
    label: t(lang, `audit.status.${s}`),
  }));
  const body = html`<p><a href="/audit">${t(lang, 'audit.flag.back')}</a></p>
    <h1>${t(lang, `audit.kind.${m.ref.kind}`)}</h1>
    ${notice(m.saved ? t(lang, 'audit.case.saved') : undefined)} ${errorSummary(lang, m.error)}
    <p>${t(lang, `audit.kindText.${m.ref.kind}`)}</p>
    <dl class="value-record">
      <dt>${t(lang, 'audit.col.requester')}</dt>
      <dd>${requesterText(lang, m.names, m.ref.requester)}</dd>
      <dt>${t(lang, 'audit.col.window')}</dt>
      <dd>${formatDateTime(lang, m.ref.windowStart)} – ${formatDateTime(lang, m.windowEnd)}</dd>
      <dt>${t(lang, 'audit.col.status')}</dt>
      <dd>${caseStatus(lang, m.case)}</dd>
    </dl>
    <section aria-labelledby="case-title">
      <h2 id="case-title">${t(lang, 'audit.case.title')}</h2>
      ${
        m.case
          ? html`<p class="hint">
              ${t(lang, 'audit.case.updated', { who: m.case.updatedBy, when: formatDateTime(lang, m.case.updatedAt) })}
            </p>`
          : ''
      }
      <form method="post" action="/audit/flag/case">
        ${csrfField(m.viewer)}
        <input type="hidden" name="kind" value="${m.ref.kind}" />
        <input type="hidden" name="requester" value="${m.ref.requester}" />
        <input type="hidden" name="start" value="${m.ref.windowStart.toISOString()}" />
        ${selectField('status', t(lang, 'audit.case.status'), statusOptions, m.case?.status ?? 'open')}
        <div class="field">
          <label for="note">${t(lang, 'audit.case.note')}</label>
          <p class="hint" id="note-hint">
            ${t(lang, 'audit.case.noteHint', { max: formatNumber(lang, 4000) })}
          </p>
          <textarea id="note" name="note" rows="5" maxlength="4000" aria-describedby="note-hint">
${m.case?.note ?? ''}</textarea>
        </div>
        <button type="submit" class="primary">${t(lang, 'audit.case.save')}</button>
      </form>
    </section>
    <section aria-labelledby="flag-entries-title">
      <h2 id="flag-entries-title">${t(lang, 'audit.flag.entries')}</h2>
      <p><a href="${m.exportHref}">${t(lang, 'audit.entries.export')}</a></p>
      ${entriesTable(lang, m.names, m.entries, 'flag-entries-caption')}
      ${m.nextHref ? html`<p><a href="${m.nextHref}">${t(lang, 'audit.entries.next')}</a></p>` : ''}
    </section>`;
  return staffPage(m.viewer, t(lang, `audit.kind.${m.ref.kind}`), body, '');
}
