/**
 * The console's home (pure): the procedures and purposes the agency may use, and the clerk's recent queries
 * with their outcomes in words (the refusal code beside its sentence) and a CSV of them.
 */
import type { Purpose } from '../../organisations/organisations.types.js';
import { html, type SafeHtml } from '../../web/html.js';
import { formatDateTime, hasMessage, t, type Lang } from '../../web/i18n.js';
import type { RecentQueryEntry } from '../console.repo.js';
import type { CatalogLookup } from './result.view.js';

export interface HomeModel {
  purposes: Purpose[];
  recent: RecentQueryEntry[];
}

/** A refusal code as a sentence; an unknown code gets the generic sentence (the code is shown beside it). */
export function reasonText(lang: Lang, code: string): string {
  return hasMessage(lang, `console.reason.${code}`)
    ? t(lang, `console.reason.${code}`)
    : t(lang, 'console.reason.other');
}

export const recordName = (lang: Lang, catalog: CatalogLookup, id: string): string =>
  catalog.has(id) ? catalog.get(id).names[lang] : id;

function startForm(lang: Lang, purposes: Purpose[]): SafeHtml {
  if (!purposes.length) return html`<p class="notice">${t(lang, 'console.start.none')}</p>`;
  const option = (p: Purpose) => html`<option value="${p.code}">${p.names[lang]}</option>`;
  const group = (label: string, items: Purpose[]) =>
    items.length ? html`<optgroup label="${label}">${items.map(option)}</optgroup>` : '';
  return html`<form method="get" action="/console/query" class="start">
    <div class="field">
      <label for="purpose">${t(lang, 'console.start.purpose')}</label>
      <p class="hint" id="purpose-hint">${t(lang, 'console.start.purposeHint')}</p>
      <select id="purpose" name="purpose" aria-describedby="purpose-hint" required>
        ${group(
          t(lang, 'console.start.procedures'),
          purposes.filter((p) => p.procedure),
        )}
        ${group(
          t(lang, 'console.start.purposes'),
          purposes.filter((p) => !p.procedure),
        )}
      </select>
    </div>
    <button type="submit" class="primary">${t(lang, 'console.start.continue')}</button>
  </form>`;
}

function recentTable(lang: Lang, catalog: CatalogLookup, m: HomeModel): SafeHtml {
  if (!m.recent.length) return html`<p>${t(lang, 'console.recent.none')}</p>`;
  const purposeName = new Map(m.purposes.map((p) => [p.code, p.names[lang]]));
  return html`<div class="table-scroll" role="region" aria-labelledby="recent-title" tabindex="0">
      <table class="recent">
        <caption>
          ${t(lang, 'console.recent.caption', { n: m.recent.length })}
        </caption>
        <thead>
          <tr>
            ${['when', 'purpose', 'record', 'outcome', 'consent', 'entry'].map(
              (c) => html`<th scope="col">${t(lang, `console.recent.${c}`)}</th>`,
            )}
          </tr>
        </thead>
        <tbody>
          ${m.recent.map(
            (e) =>
              html`<tr>
                <td>${formatDateTime(lang, e.at)}</td>
                <td>${purposeName.get(e.purposeCode) ?? e.purposeCode}</td>
                <td>${recordName(lang, catalog, e.recordType)}</td>
                <td>
                  <span class="outcome outcome-${e.outcome}">${t(lang, `console.outcome.${e.outcome}`)}</span>
                  ${
                    e.reasonCode
                      ? html`<span class="reason">${reasonText(lang, e.reasonCode)}</span>
                          <span class="tag">${e.reasonCode}</span>`
                      : ''
                  }
                </td>
                <td>${t(lang, `console.modeShort.${e.consentMode ?? 'none'}`)}</td>
                <td><code>#${e.entryId}</code></td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
    <p><a href="/console/recent.csv?lang=${lang}" download>${t(lang, 'console.recent.csv')}</a></p>`;
}

export function homeBody(lang: Lang, catalog: CatalogLookup, m: HomeModel): SafeHtml {
  return html`<h1>${t(lang, 'console.title')}</h1>
    <section aria-labelledby="start-title">
      <h2 id="start-title">${t(lang, 'console.start.title')}</h2>
      ${startForm(lang, m.purposes)}
    </section>
    <section aria-labelledby="recent-title">
      <h2 id="recent-title">${t(lang, 'console.recent.title')}</h2>
      ${recentTable(lang, catalog, m)}
    </section>`;
}
