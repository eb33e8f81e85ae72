/**
 * The access history as a person reads it (issue 20, problem 5): the entries of one request (one counter visit,
 * one app request: the same requestId) are one card: who, when, why, then one line per record with its outcome
 * and, folded, what was released. Yes/no checks read as sentences from the catalogue, a clerk as the office's
 * "counter clerk" with a short reference (never the bare id), the log position as a receipt number.
 * Hooks: `li.access[data-request-id]` per card, `.access-record[data-log-index]` and `[data-verify-index]` per entry.
 */
import { clerkShortRef } from '../../web/clerk-ref.js';
import { factCheckText, legalBasisText } from '../../web/catalog-text.js';
import { fieldLabel } from '../../web/field-labels.js';
import { html, type SafeHtml } from '../../web/html.js';
import { formatDateTime, hasMessage, t, type Lang } from '../../web/i18n.js';
import type { HistoryEntry, HistoryGap } from '../portal.service.js';
import { markerText, orgName, time, UUID } from './shell.js';
import './history.messages.js';

/** Consecutive entries of one request, newest first as on the page. */
export interface AccessGroup {
  requestId: string;
  entries: HistoryEntry[];
  /** Page positions of its entries (gap notices are placed by position). */
  positions: number[];
}

export function groupByRequest(entries: readonly HistoryEntry[]): AccessGroup[] {
  const groups: AccessGroup[] = [];
  entries.forEach((entry, position) => {
    const open = groups.at(-1);
    if (open && open.requestId === entry.entry.requestId) {
      open.entries.push(entry);
      open.positions.push(position);
    } else {
      groups.push({ requestId: entry.entry.requestId, entries: [entry], positions: [position] });
    }
  });
  return groups;
}

export { clerkShortRef };

function formText(lang: Lang, form: string): string {
  const base = form.split(':')[0]!;
  return hasMessage('en', `form.${base}`) ? t(lang, `form.${base}`) : t(lang, 'form.other', { form });
}

function reasonText(lang: Lang, code: string): string {
  return hasMessage('en', `reason.${code}`) ? t(lang, `reason.${code}`) : t(lang, 'reason.other', { code });
}

function fieldItem(lang: Lang, entry: HistoryEntry, name: string, form: string): SafeHtml {
  const type = entry.recordType;
  const check = type?.factChecks.find((c) => c.id === name || `predicate:${c.id}` === form);
  if (check) {
    const sentence = factCheckText(lang, check);
    return html`<li class="fact-check">
      <span lang="${sentence.lang}">${sentence.text}</span>
      <span class="tag">${t(lang, 'history.yesNo')}</span>
    </li>`;
  }
  const label = type ? fieldLabel(lang, type, name) : { text: name, lang: 'en' as Lang };
  const text =
    label.lang === lang ? html`${label.text}` : html`<span lang="${label.lang}">${label.text}</span>`;
  return html`<li>${text} <span class="tag">${formText(lang, form)}</span></li>`;
}

function basisText(lang: Lang, entry: HistoryEntry): SafeHtml {
  const e = entry.entry;
  const legal = (basis: string) => legalBasisText(lang, basis).text;
  if (e.consent && e.consent.mode !== 'statutory') {
    const consentId = e.consent.id && UUID.test(e.consent.id) ? e.consent.id : undefined;
    return html`${t(lang, 'history.basis.consent', { mode: t(lang, `mode.${e.consent.mode}`) })}${
      consentId ? html` · <a href="/portal/consents/${consentId}">${t(lang, 'history.seeConsent')}</a>` : ''
    }${e.legalBasis ? html`<br />${t(lang, 'history.basis.legal', { basis: legal(e.legalBasis) })}` : ''}`;
  }
  if (e.consent || e.legalBasis)
    return html`${t(lang, 'history.basis.statutory', { basis: legal(e.legalBasis ?? '') })}`;
  return html`${t(lang, 'history.basis.none')}`;
}

/** Entries of one request normally share their basis; one that differs says its own. */
const basisKey = (e: HistoryEntry) =>
  JSON.stringify([e.entry.consent?.mode, e.entry.consent?.id, e.entry.legalBasis]);

function recordLine(lang: Lang, entry: HistoryEntry, basisDiffers: boolean): SafeHtml {
  const e = entry.entry;
  const record = entry.recordType ? entry.recordType.names[lang] : markerText(lang, e.recordType);
  return html`<li
    class="access-record outcome-${e.outcome}"
    id="entry-${entry.index}"
    data-log-index="${entry.index}"
  >
    <p class="record-line">
      <strong>${record}</strong>
      <span class="badge badge-${e.outcome}">${t(lang, `history.outcome.${e.outcome}`)}</span>
      ${e.reasonCode ? html`<span class="reason">${t(lang, 'history.reason', { reason: reasonText(lang, e.reasonCode) })}</span>` : ''}
      ${e.holder && entry.recordType ? html`<span class="reason">(${entry.recordType.holder.names[lang]})</span>` : ''}
    </p>
    <details class="released">
      <summary>${t(lang, 'history.releasedCount', { n: e.fields.length })}</summary>
      ${
        e.fields.length
          ? html`<ul class="released-fields">
              ${e.fields.map((f) => fieldItem(lang, entry, f.name, f.form))}
            </ul>`
          : html`<p>${t(lang, 'history.noFields')}</p>`
      }
      ${basisDiffers ? html`<p class="hint">${t(lang, 'history.basis')}: ${basisText(lang, entry)}</p>` : ''}
      <p class="hint entry-ref">${t(lang, 'history.receipt', { index: entry.index })}</p>
    </details>
    <p class="verify-badge" data-verify-index="${entry.index}" data-verify-status="unknown">
      <span class="verify-label">${t(lang, 'verify.title')}:</span>
      <span class="verify-text"></span>
    </p>
  </li>`;
}

/** Who asked, as the citizen knows them: the office, and at a counter "counter clerk (ref. 3FA2C1)". */
function whoText(lang: Lang, first: HistoryEntry): SafeHtml {
  const e = first.entry;
  const org = orgName(lang, e.requester.org, first.organisation);
  const kind = first.organisation
    ? html` <span class="tag">${t(lang, `class.${first.organisation.class}`)}</span>`
    : '';
  if (e.requester.clerkRef) {
    return html`${org}${kind}<br />${t(lang, 'history.counterClerk', { ref: clerkShortRef(e.requester.clerkRef) })}`;
  }
  if (e.requester.clientId) return html`${org}${kind}<br />${t(lang, 'history.viaApp')}`;
  return html`${org}${kind}`;
}

export function accessCard(lang: Lang, group: AccessGroup, gapAfter: SafeHtml[]): SafeHtml {
  const first = group.entries[0]!;
  const e = first.entry;
  const id = `visit-${first.index}`;
  const org = orgName(lang, e.requester.org, first.organisation);
  const purpose = first.purpose ? first.purpose.names[lang] : markerText(lang, e.purpose);
  const outcomes = new Set(group.entries.map((g) => g.entry.outcome));
  const outcome = outcomes.size === 1 ? e.outcome : 'mixed';
  const embargo = group.entries.find((g) => g.entry.embargoUntil)?.entry.embargoUntil;
  return html`<li
    class="access outcome-${outcome}"
    data-request-id="${group.requestId}"
    data-log-index="${first.index}"
  >
    <article aria-labelledby="${id}-title">
      <h3 id="${id}-title">${org}</h3>
      <dl class="summary compact">
        <dt>${t(lang, 'history.when')}</dt>
        <dd>${time(lang, e.createdAt)}</dd>
        <dt>${t(lang, 'history.who')}</dt>
        <dd>${whoText(lang, first)}</dd>
        <dt>${t(lang, 'history.why')}</dt>
        <dd>${purpose}</dd>
        <dt>${t(lang, 'history.basis')}</dt>
        <dd>${basisText(lang, first)}</dd>
      </dl>
      <h4 class="records-title">${t(lang, 'history.recordsSeen', { n: group.entries.length })}</h4>
      <ul class="access-records">
        ${group.entries.map((entry) => recordLine(lang, entry, basisKey(entry) !== basisKey(first)))}
      </ul>
      ${embargo ? html`<p class="hint">${t(lang, 'history.embargoed', { date: formatDateTime(lang, new Date(embargo)) })}</p>` : ''}
    </article>
    ${gapAfter}
  </li>`;
}

export function gapNotice(lang: Lang, kind: 'between' | 'before', count: number): SafeHtml {
  return html`<p class="notice gap" role="note">
    ${t(lang, kind === 'before' ? 'history.gapBefore' : 'history.gap', { n: count })}
  </p>`;
}

/** The cards, with a gap notice after the card whose last entry precedes a gap. */
export function accessList(
  lang: Lang,
  entries: readonly HistoryEntry[],
  gaps: readonly HistoryGap[],
): SafeHtml {
  const gapsAt = new Map(gaps.map((g) => [g.afterPosition, g]));
  return html`<ol class="access-list" aria-labelledby="list-title">
    ${groupByRequest(entries).map((group) => {
      const after = group.positions.flatMap((p) => {
        const gap = gapsAt.get(p);
        return gap ? [gapNotice(lang, gap.kind, gap.count)] : [];
      });
      return accessCard(lang, group, after);
    })}
  </ol>`;
}
