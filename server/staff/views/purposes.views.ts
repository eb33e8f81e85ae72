/** The administrator's purposes and policies views (pure: view model → escaped HTML). */
import type { PolicyFile } from '../../policy/policy.types.js';
import type { Purpose } from '../../organisations/organisations.types.js';
import { html } from '../../web/html.js';
import { formatNumber, t } from '../../web/i18n.js';
import type { Refusal, Typed } from './admin.views.js';
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

const BASES = ['consent', 'statutory', 'consent-or-statutory'] as const;

export interface PurposesView {
  viewer: Viewer;
  purposes: Purpose[];
  recordTypes: Option[];
  recordName(id: string): string;
  done: string | undefined;
  error: Refusal;
  typed: Typed;
  typedRecords: Set<string>;
}

export function purposesPage(m: PurposesView): string {
  const { lang } = m.viewer;
  const v = (k: string) => m.typed[k] ?? '';
  const n = (x: number) => formatNumber(lang, x);
  const body = html`<h1>${t(lang, 'admin.purposes.title')}</h1>
    ${notice(m.done ? t(lang, `admin.done.${m.done}`) : undefined)} ${errorSummary(lang, m.error)}
    <div class="table-scroll" role="region" aria-labelledby="purposes-caption" tabindex="0">
      <table>
        <caption id="purposes-caption">
          ${t(lang, 'admin.purposes.caption', { n: m.purposes.length })}
        </caption>
        <thead>
          <tr>
            <th scope="col">${t(lang, 'admin.col.name')}</th>
            <th scope="col">${t(lang, 'admin.col.legalBasis')}</th>
            <th scope="col">${t(lang, 'admin.col.consentBasis')}</th>
            <th scope="col">${t(lang, 'admin.col.records')}</th>
            <th scope="col">${t(lang, 'admin.col.bounds')}</th>
            <th scope="col">${t(lang, 'admin.col.status')}</th>
          </tr>
        </thead>
        <tbody>
          ${m.purposes.map(
            (p, i) =>
              html`<tr>
                <td>${p.names[lang]}<br /><code>${p.code}</code></td>
                <td>${p.legalBasis}</td>
                <td>${t(lang, `admin.basis.${p.consentBasis}`)}</td>
                <td>${p.recordTypes.map((r) => html`${m.recordName(r)}<br />`)}</td>
                <td>
                  ${t(lang, 'admin.bounds', { days: n(p.bounds.maxConsentDays), uses: n(p.bounds.maxUses), range: n(p.bounds.maxDataRangeDays) })}
                  ${p.bounds.embargoDays ? html`<br />${t(lang, 'admin.embargo', { days: n(p.bounds.embargoDays), basis: p.bounds.embargoLegalBasis ?? '' })}` : ''}
                </td>
                <td>
                  <span class="tag">${t(lang, `admin.status.${p.status}`)}</span>
                  ${
                    p.status === 'active'
                      ? html`<form
                          method="post"
                          action="/admin/purposes/${encodeURIComponent(p.code)}/retire"
                        >
                          ${csrfField(m.viewer)}
                          ${textField(`retire-reason-${i}`, t(lang, 'admin.field.reason'), '', { name: 'reason', required: true })}
                          <button type="submit">${t(lang, 'admin.purposes.retire')}</button>
                        </form>`
                      : ''
                  }
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
    <section aria-labelledby="new-purpose-title">
      <h2 id="new-purpose-title">${t(lang, 'admin.purposes.new')}</h2>
      <form method="post" action="/admin/purposes">
        ${csrfField(m.viewer)}
        ${textField('code', t(lang, 'admin.field.code'), v('code'), { hint: t(lang, 'admin.field.codeHint'), required: true })}
        ${textField('nameKo', t(lang, 'admin.field.nameKo'), v('nameKo'), { required: true })}
        ${textField('nameEn', t(lang, 'admin.field.nameEn'), v('nameEn'), { required: true })}
        ${textField('nameJa', t(lang, 'admin.field.nameJa'), v('nameJa'), { required: true })}
        ${textField('legalBasis', t(lang, 'admin.col.legalBasis'), v('legalBasis'), { hint: t(lang, 'admin.field.legalBasisHint'), required: true })}
        ${selectField(
          'consentBasis',
          t(lang, 'admin.col.consentBasis'),
          BASES.map((b) => ({ value: b, label: t(lang, `admin.basis.${b}`) })),
          v('consentBasis') || 'consent',
        )}
        <fieldset>
          <legend>${t(lang, 'admin.col.records')}</legend>
          <ul class="choices">
            ${m.recordTypes.map(
              (r, i) =>
                html`<li class="check-row">
                  <input
                    type="checkbox"
                    id="record-${i}"
                    name="recordTypes"
                    value="${r.value}"
                    ${m.typedRecords.has(r.value) ? html`checked` : ''}
                  />
                  <label for="record-${i}">${r.label}</label>
                </li>`,
            )}
          </ul>
        </fieldset>
        ${textField('maxConsentDays', t(lang, 'admin.field.maxConsentDays'), v('maxConsentDays') || '30', { type: 'number', hint: t(lang, 'admin.field.maxConsentDaysHint'), required: true })}
        ${textField('maxUses', t(lang, 'admin.field.maxUses'), v('maxUses') || '1', { type: 'number', required: true })}
        ${textField('maxDataRangeDays', t(lang, 'admin.field.maxDataRangeDays'), v('maxDataRangeDays') || '365', { type: 'number', required: true })}
        <div class="check-row">
          <input
            type="checkbox"
            id="procedure"
            name="procedure"
            value="yes"
            ${v('procedure') === 'yes' ? html`checked` : ''}
          />
          <label for="procedure">${t(lang, 'admin.field.procedure')}</label>
        </div>
        <button type="submit" class="primary">${t(lang, 'admin.purposes.create')}</button>
      </form>
    </section>`;
  return staffPage(m.viewer, t(lang, 'admin.purposes.title'), body, '/admin/purposes');
}

export interface PoliciesView {
  viewer: Viewer;
  files: readonly PolicyFile[];
  summary: { files: number; rules: number; purposes: number; recordTypes: number };
}

export function policiesPage(m: PoliciesView): string {
  const { lang } = m.viewer;
  const body = html`<h1>${t(lang, 'admin.policies.title')}</h1>
    <p>${t(lang, 'admin.policies.lead', m.summary)}</p>
    <div class="table-scroll" role="region" aria-labelledby="policies-caption" tabindex="0">
      <table>
        <caption id="policies-caption">
          ${t(lang, 'admin.policies.caption', { n: m.files.length })}
        </caption>
        <thead>
          <tr>
            <th scope="col">${t(lang, 'admin.col.file')}</th>
            <th scope="col">${t(lang, 'admin.col.id')}</th>
            <th scope="col">${t(lang, 'admin.col.version')}</th>
            <th scope="col">${t(lang, 'admin.col.rules')}</th>
            <th scope="col">${t(lang, 'admin.col.description')}</th>
          </tr>
        </thead>
        <tbody>
          ${m.files.map(
            (f) =>
              html`<tr>
                <td><code>${f.file.split('/').pop()}</code></td>
                <td><code>${f.id}</code></td>
                <td>${f.version}</td>
                <td>${formatNumber(lang, f.rules.length)}</td>
                <td>${f.description ? html`<span lang="en">${f.description}</span>` : ''}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  return staffPage(m.viewer, t(lang, 'admin.policies.title'), body, '/admin/policies');
}
