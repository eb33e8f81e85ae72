/**
 * The approval screen's form (pure view, issue 20 problem 8): whom the request is about and who asks (the
 * office's counter clerk with a short reference, or the organisation's app), each record and field (a field the
 * policy never releases for this purpose is marked so, not "needed"), optional fields as checkboxes (explained
 * only when there are some), the terms with times in KST, and for a counter visit the choice to allow less:
 * a shorter time or fewer uses (never more; the decide use case checks it again).
 */
import type { Catalog } from '../catalog/catalog.types.js';
import { CSRF_FIELD } from '../auth/csrf.js';
import type { Organisation, Purpose } from '../organisations/organisations.types.js';
import type { Representation } from '../representatives/representatives.types.js';
import { onBehalfNotice } from '../representatives/on-behalf.js';
import { legalBasisText, recordDescription } from '../web/catalog-text.js';
import { clerkShortRef } from '../web/clerk-ref.js';
import { fieldLabel } from '../web/field-labels.js';
import { html, type SafeHtml } from '../web/html.js';
import { formatDate, formatDateTime, t, type Lang } from '../web/i18n.js';
import { layout } from '../web/layout.js';
import type { ConsentRecord } from './consents.types.js';
import { askedApart, separateSteps } from './separate-consent.page.js';
import './consent-steps.messages.js';

export const FIELD_SEPARATOR = '|';

export interface ConsentFormModel {
  lang: Lang;
  path: string;
  record: ConsentRecord;
  organisation: Organisation;
  purpose: Purpose;
  csrf: string;
  catalog: Pick<Catalog, 'get' | 'has'>;
  onBehalf?: Representation | undefined;
  /** Fields of a record type the policy never releases to this requester for this purpose. */
  neverReleased: (recordType: string) => ReadonlySet<string>;
}

export function usageText(lang: Lang, record: ConsentRecord): string {
  const u = record.usage;
  if (u.fetch === 'once') return t(lang, 'consent.usage.once');
  if (u.fetch === 'limited') return t(lang, 'consent.usage.limited', { n: u.maxUses });
  return t(lang, 'consent.usage.periodic', {
    value: u.frequency.value,
    unit: u.frequency.unit,
    n: u.maxUses,
  });
}

/** A counter visit the citizen may allow less of (a shorter time, fewer uses). */
export function canShorten(record: ConsentRecord): boolean {
  return (
    record.clerkId !== null &&
    record.usage.fetch !== 'periodic' &&
    (record.durationDays > 1 || record.maxUses > 1)
  );
}

function shortenChoices(lang: Lang, record: ConsentRecord): SafeHtml {
  const option = (value: number, text: string, asked: boolean) =>
    html`<option value="${value}" ${asked ? html`selected` : ''}>
      ${asked ? t(lang, 'consent.shorten.asAsked', { value: text }) : text}
    </option>`;
  const days = [1, 7, 30, 90, 365].filter((d) => d < record.durationDays);
  const uses = Array.from({ length: Math.min(record.maxUses - 1, 10) }, (_, i) => i + 1);
  const day = (d: number) => t(lang, 'consent.shorten.days', { days: d });
  const times = (n: number) => t(lang, 'consent.shorten.times', { n });
  return html`<fieldset class="shorten">
    <legend>${t(lang, 'consent.shorten.title')}</legend>
    <p class="hint" id="shorten-hint">${t(lang, 'consent.shorten.hint')}</p>
    ${
      record.durationDays > 1
        ? html`<div class="field">
            <label for="duration-days">${t(lang, 'consent.shorten.duration')}</label>
            <select id="duration-days" name="duration_days" aria-describedby="shorten-hint">
              ${days.map((d) => option(d, day(d), false))}
              ${option(record.durationDays, day(record.durationDays), true)}
            </select>
          </div>`
        : ''
    }
    ${
      record.maxUses > 1
        ? html`<div class="field">
            <label for="max-uses">${t(lang, 'consent.shorten.uses')}</label>
            <select id="max-uses" name="max_uses" aria-describedby="shorten-hint">
              ${uses.map((n) => option(n, times(n), false))}
              ${option(record.maxUses, times(record.maxUses), true)}
            </select>
          </div>`
        : ''
    }
  </fieldset>`;
}

function recordFieldset(m: ConsentFormModel, rtId: string, i: number): SafeHtml {
  const { lang, record } = m;
  const type = m.catalog.get(rtId);
  const asked = record.fieldsRequested[rtId]!;
  const never = m.neverReleased(rtId);
  const fieldItem = (field: string, optional: boolean, j: number) => {
    const label = fieldLabel(lang, type, field);
    const text =
      label.lang === lang
        ? html`${label.text}`
        : html`<span lang="${label.lang}">${label.text}</span>
            <span class="tag">${t(lang, 'consent.englishOnly')}</span>`;
    if (never.has(field)) {
      return html`<li class="never-released">
        ${text}<span class="tag">${t(lang, 'consent.neverReleased')}</span>
      </li>`;
    }
    if (!optional) return html`<li>${text}<span class="tag">${t(lang, 'consent.required')}</span></li>`;
    const inputId = `f-${i}-${j}`;
    return html`<li>
      <label for="${inputId}">
        <input
          type="checkbox"
          id="${inputId}"
          name="keep"
          value="${rtId}${FIELD_SEPARATOR}${field}"
          checked
        />
        <span>${text}<span class="tag">${t(lang, 'consent.optional')}</span></span>
      </label>
    </li>`;
  };
  const description = recordDescription(lang, type);
  return html`<fieldset class="record">
    <legend>${type.names[lang]}</legend>
    <p class="record-description" lang="${description.lang}">${description.text}</p>
    <ul class="fields">
      ${asked.required.map((f, j) => (askedApart(type, f) ? '' : fieldItem(f, false, j)))}
      ${asked.optional.map((f, j) => (askedApart(type, f) ? '' : fieldItem(f, true, asked.required.length + j)))}
    </ul>
  </fieldset>`;
}

function terms(lang: Lang, record: ConsentRecord): SafeHtml {
  return html`<dl class="summary">
    <dt>${t(lang, 'consent.duration')}</dt>
    <dd>${t(lang, 'consent.durationValue', { days: record.durationDays })}</dd>
    <dt>${t(lang, 'consent.usage')}</dt>
    <dd>${usageText(lang, record)}</dd>
    ${
      record.dataRange
        ? html`<dt>${t(lang, 'consent.dataRange')}</dt>
            <dd>
              ${t(lang, 'consent.dataRangeValue', {
                from: formatDate(lang, record.dataRange.from),
                to: formatDate(lang, record.dataRange.to),
              })}
            </dd>`
        : ''
    }
    ${
      record.dataLife
        ? html`<dt>${t(lang, 'consent.retention')}</dt>
            <dd>
              ${t(lang, 'consent.retentionValue', { value: record.dataLife.value, unit: record.dataLife.unit })}
            </dd>`
        : ''
    }
    <dt>${t(lang, 'consent.requestExpires')}</dt>
    <dd>${formatDateTime(lang, record.requestExpiresAt)}</dd>
  </dl>`;
}

export function consentFormView(m: ConsentFormModel): string {
  const { lang, record, organisation } = m;
  const org = organisation.names[lang];
  const basis = legalBasisText(lang, record.legalBasis);
  const hasOptional = record.recordTypes.some((rt) =>
    record.fieldsRequested[rt]!.optional.some(
      (f) => !askedApart(m.catalog.get(rt), f) && !m.neverReleased(rt).has(f),
    ),
  );
  const askedBy = record.clerkId
    ? t(lang, 'consent.counterClerk', { org, ref: clerkShortRef(record.clerkId) })
    : t(lang, 'consent.viaApp', { org });
  return layout({
    lang,
    path: m.path,
    title: t(lang, 'consent.title'),
    body: html`<h1>${t(lang, 'consent.title')}</h1>
      ${m.onBehalf ? onBehalfNotice(lang, m.onBehalf) : ''}
      <p>${t(lang, 'consent.intro', { org })}</p>
      <dl class="summary">
        <dt>${t(lang, 'consent.about')}</dt>
        <dd class="about">
          ${m.onBehalf ? m.onBehalf.principal.name : t(lang, record.subjectNamed ? 'consent.aboutYou' : 'consent.aboutUnnamed')}
        </dd>
        <dt>${t(lang, 'consent.requester')}</dt>
        <dd>${org} <span class="tag">${t(lang, `class.${organisation.class}`)}</span></dd>
        <dt>${t(lang, 'consent.askedBy')}</dt>
        <dd class="asked-by">${askedBy}</dd>
        <dt>${t(lang, 'consent.purpose')}</dt>
        <dd>${m.purpose.names[lang]}</dd>
        <dt>${t(lang, 'consent.legalBasis')}</dt>
        <dd lang="${basis.lang}">${basis.text}</dd>
      </dl>
      <form method="post" action="/consent/${record.id}">
        <input type="hidden" name="${CSRF_FIELD}" value="${m.csrf}" />
        <input type="hidden" name="lang" value="${lang}" />
        <h2>${t(lang, 'consent.records')}</h2>
        <p class="hint">${t(lang, hasOptional ? 'consent.recordsHint' : 'consent.recordsHintPlain')}</p>
        ${record.recordTypes.map((rtId, i) => recordFieldset(m, rtId, i))}
        ${separateSteps(lang, m.catalog, record, org)}
        <h2>${t(lang, 'consent.terms')}</h2>
        ${terms(lang, record)} ${canShorten(record) ? shortenChoices(lang, record) : ''}
        <p class="notice">${t(lang, 'consent.decisionHint')}</p>
        <div class="actions">
          <button type="submit" class="primary" name="decision" value="approve">
            ${t(lang, 'consent.approve')}
          </button>
          <button type="submit" class="secondary" name="decision" value="refuse">
            ${t(lang, 'consent.refuse')}
          </button>
        </div>
      </form>`,
  });
}

/** An end page of the approval flow (refused, expired, about someone else, not found) with where to go next. */
export function consentEndView(
  lang: Lang,
  path: string,
  title: string,
  message: string,
  notYours = false,
): string {
  return layout({
    lang,
    path,
    title,
    body: html`<h1>${title}</h1>
      <p>${message}</p>
      ${notYours ? html`<p>${t(lang, 'consent.next.signOut')}</p>` : ''}
      <ul class="next-steps" aria-label="${t(lang, 'consent.next')}">
        <li><a class="button primary" href="/portal/consents">${t(lang, 'consent.next.consents')}</a></li>
        <li><a href="/portal/history">${t(lang, 'consent.next.history')}</a></li>
        <li><a href="/">${t(lang, 'consent.next.home')}</a></li>
      </ul>`,
  });
}
