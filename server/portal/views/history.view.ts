/**
 * The access history page (pure view). On a phone the first card comes first: the heading, one line of
 * introduction, then the list; the filters are folded above it (open while filtered or wrong), the integrity
 * check and the exports follow the list.
 */
import { html, type SafeHtml } from '../../web/html.js';
import { clientTemplate, t, type Lang } from '../../web/i18n.js';
import type { HistoryFilters, HistoryPage } from '../portal.service.js';
import { accessList, gapNotice } from './history-cards.view.js';
import { orgName } from './shell.js';

export function filterParams(filters: HistoryFilters, api: boolean): URLSearchParams {
  const params = new URLSearchParams();
  const q = filters.query;
  if (q.from) params.set('from', api ? q.from.toISOString() : filters.values.from);
  if (q.to) params.set('to', api ? q.to.toISOString() : filters.values.to);
  if (q.organisation) params.set('organisation', q.organisation);
  if (q.recordType) params.set('record_type', q.recordType);
  return params;
}

const withQuery = (path: string, params: URLSearchParams) =>
  params.toString() ? `${path}?${params.toString()}` : path;

function dateField(lang: Lang, name: 'from' | 'to', filters: HistoryFilters): SafeHtml {
  const id = `f-${name}`;
  const error = filters.errors[name];
  return html`<div class="field ${error ? 'has-error' : ''}">
    <label for="${id}">${t(lang, `history.${name}`)}</label>
    <p class="hint" id="${id}-hint">${t(lang, 'history.dateHint')}</p>
    ${error ? html`<p class="field-error" id="${id}-error">${t(lang, error)}</p>` : ''}
    <input
      type="date"
      id="${id}"
      name="${name}"
      value="${filters.values[name]}"
      aria-describedby="${id}-hint${error ? ` ${id}-error` : ''}"
      ${error ? html`aria-invalid="true"` : ''}
    />
  </div>`;
}

function filtersForm(lang: Lang, data: HistoryPage): SafeHtml {
  const f = data.filters;
  const errors = (['from', 'to'] as const).filter((k) => f.errors[k]);
  const select = (id: string, name: string, label: string, options: SafeHtml[]) =>
    html`<div class="field">
      <label for="${id}">${label}</label>
      <select id="${id}" name="${name}">
        <option value="">${t(lang, 'history.any')}</option>
        ${options}
      </select>
    </div>`;
  return html`<details class="filters-box" ${data.filtered || errors.length ? html`open` : ''}>
    <summary>${t(lang, 'history.filtersToggle')}</summary>
    <form method="get" action="/portal/history" class="filters" aria-labelledby="filters-title" novalidate>
      <h2 id="filters-title" class="visually-hidden">${t(lang, 'history.filters')}</h2>
      ${
        errors.length
          ? html`<div class="error-summary" role="alert" tabindex="-1">
              <p>${t(lang, 'history.filterError')}</p>
              <ul>
                ${errors.map((k) => html`<li><a href="#f-${k}">${t(lang, f.errors[k]!)}</a></li>`)}
              </ul>
            </div>`
          : ''
      }
      <div class="filter-grid">
        ${dateField(lang, 'from', f)} ${dateField(lang, 'to', f)}
        ${select(
          'f-organisation',
          'organisation',
          t(lang, 'history.organisation'),
          data.facets.organisations.map(
            (o) =>
              html`<option value="${o.id}" ${o.id === f.values.organisation ? html`selected` : ''}>
                ${orgName(lang, o.id, o.org)}
              </option>`,
          ),
        )}
        ${select(
          'f-record-type',
          'record_type',
          t(lang, 'history.recordType'),
          data.facets.recordTypes.map(
            (rt) =>
              html`<option value="${rt.id}" ${rt.id === f.values.recordType ? html`selected` : ''}>
                ${rt.names[lang]}
              </option>`,
          ),
        )}
      </div>
      <div class="actions">
        <button type="submit" class="primary">${t(lang, 'history.apply')}</button>
        ${
          data.filtered || errors.length
            ? html`<a class="button secondary" href="/portal/history">${t(lang, 'history.clear')}</a>`
            : ''
        }
      </div>
    </form>
  </details>`;
}

function verifySection(lang: Lang, data: HistoryPage): SafeHtml {
  const api = filterParams(data.filters, true);
  api.set('limit', '100');
  if (data.filters.cursor) api.set('cursor', data.filters.cursor);
  const msg = (key: string) => t(lang, key);
  return html`<section
      id="verify"
      class="verify"
      aria-labelledby="verify-title"
      data-verify-api="/v1/me/access-log?${api.toString()}"
      data-msg-checking="${msg('verify.checking')}"
      data-msg-verified="${msg('verify.verified')}"
      data-msg-pending="${msg('verify.pending')}"
      data-msg-failed="${msg('verify.failed')}"
      data-msg-all-verified="${clientTemplate(lang, 'verify.allVerified')}"
      data-msg-some-pending="${clientTemplate(lang, 'verify.somePending')}"
      data-msg-some-failed="${clientTemplate(lang, 'verify.someFailed')}"
      data-msg-unavailable="${clientTemplate(lang, 'verify.unavailable')}"
      data-msg-none="${msg('verify.none')}"
      data-msg-key-changed="${msg('verify.keyChanged')}"
      hidden
    >
      <h2 id="verify-title">${msg('verify.title')}</h2>
      <p class="hint">${msg('verify.explain')}</p>
      <p id="verify-summary" class="verify-summary" role="status" data-verify-status="checking"></p>
    </section>
    <noscript><p class="notice">${msg('verify.noscript')}</p></noscript>`;
}

function exportsSection(lang: Lang, data: HistoryPage): SafeHtml {
  return html`<section aria-labelledby="export-title" class="exports">
    <h2 id="export-title">${t(lang, 'history.export')}</h2>
    <ul>
      <li>
        <a href="${withQuery('/v1/me/access-log.csv', filterParams(data.filters, true))}" download
          >${t(lang, 'history.exportCsv')}</a
        >
      </li>
      <li>
        <a href="${withQuery('/portal/history/export.json', filterParams(data.filters, false))}" download
          >${t(lang, 'history.exportJson')}</a
        >
      </li>
    </ul>
  </section>`;
}

function pager(lang: Lang, data: HistoryPage): SafeHtml | '' {
  if (!data.filters.cursor && !data.nextCursor) return '';
  const params = filterParams(data.filters, false);
  const next = data.nextCursor ? new URLSearchParams(params) : undefined;
  next?.set('cursor', data.nextCursor!);
  return html`<nav class="pager" aria-label="${t(lang, 'history.pages')}">
    ${data.filters.cursor ? html`<a href="${withQuery('/portal/history', params)}">${t(lang, 'history.first')}</a>` : ''}
    ${next ? html`<a href="/portal/history?${next.toString()}" rel="next">${t(lang, 'history.next')}</a>` : ''}
  </nav>`;
}

export function historyBody(lang: Lang, data: HistoryPage): SafeHtml {
  const top = data.gaps.find((g) => g.afterPosition === -1);
  return html`<h1>${t(lang, 'history.title')}</h1>
    <p>${t(lang, 'history.introShort')}</p>
    ${
      data.filters.errors.cursor
        ? html`<p class="notice error" role="alert">${t(lang, 'history.badCursor')}</p>`
        : ''
    }
    ${filtersForm(lang, data)}
    <h2 id="list-title" class="visually-hidden">${t(lang, 'history.list')}</h2>
    ${data.pending ? html`<p class="notice" role="status">${t(lang, 'history.pending', { n: data.pending })}</p>` : ''}
    ${top ? gapNotice(lang, top.kind, top.count) : ''}
    ${
      data.entries.length
        ? accessList(lang, data.entries, data.gaps)
        : html`<p class="empty">${t(lang, data.filtered ? 'history.empty' : 'history.emptyAll')}</p>`
    }
    ${pager(lang, data)} ${verifySection(lang, data)} ${exportsSection(lang, data)}
    <details class="about-history">
      <summary>${t(lang, 'history.aboutToggle')}</summary>
      <p>${t(lang, 'history.intro')}</p>
    </details>`;
}
