/**
 * The verification result and its printed slip (pure): who asked, for what, under which consent; per record the
 * released fields in words, yes/no answers, withheld fields, the holder agency by name and the audit reference;
 * and how the slip is verified (the entry numbers, the citizen's verify page and the agency's log receipt).
 */
import type { Catalog } from '../../catalog/catalog.types.js';
import type { QueryResponse, RecordResult } from '../../queries/queries.types.js';
import { factCheckText, schemeName } from '../../web/catalog-text.js';
import { fieldLabel } from '../../web/field-labels.js';
import { html, raw, type SafeHtml } from '../../web/html.js';
import { formatDateTime, t, type Lang } from '../../web/i18n.js';
import type { CheckedForm, CounterPurpose } from '../console.service.js';
import { qrSvg } from '../qr-code.js';
import { summaryList } from './shell.js';
import { formExplained, renderValue, valueContext } from './values.js';

export type CatalogLookup = Pick<Catalog, 'get' | 'has'>;

export interface ResultModel {
  described: CounterPurpose;
  checked: CheckedForm;
  response: QueryResponse;
  clerkName: string;
  at: Date;
  /** The service's public base URL (the slip's verify address). */
  publicUrl: string;
  /** "Query again with the same consent" (citizen mode), already built with the hidden state. */
  again?: SafeHtml;
}

function renderRecord(lang: Lang, catalog: CatalogLookup, record: RecordResult, index: number): SafeHtml {
  const type = catalog.has(record.recordType) ? catalog.get(record.recordType) : undefined;
  const label = (field: string) => {
    if (!type) return html`${field}`;
    const l = fieldLabel(lang, type, field);
    return l.lang === lang ? html`${l.text}` : html`<span lang="${l.lang}">${l.text}</span>`;
  };
  const holderName = type
    ? type.holder.names[lang]
    : (record.error?.holder ?? record.provenance?.holder ?? '');
  let content: SafeHtml;
  if (record.outcome === 'provider_error') {
    content = html`<p class="notice error">
      ${t(lang, 'console.result.providerError', { holder: holderName })}
    </p>`;
  } else if (record.outcome === 'denied') {
    content = html`<p class="notice error">${t(lang, 'console.result.refusedRecord')}</p>`;
  } else {
    const released = record.released ?? {};
    const ctx = valueContext(type, record.fields ?? []);
    // Nested paths are not rows of their own: their form is shown inside the parent's value.
    const fields = (record.fields ?? []).filter((f) => f.form !== 'fact-check' && !f.name.startsWith('/'));
    const releasedTable = fields.length
      ? html`<div class="table-scroll" role="region" aria-labelledby="released-${index}" tabindex="0">
          <table class="released">
            <thead>
              <tr>
                <th scope="col">${t(lang, 'console.result.field')}</th>
                <th scope="col">${t(lang, 'console.result.value')}</th>
                <th scope="col">${t(lang, 'console.result.form')}</th>
              </tr>
            </thead>
            <tbody>
              ${fields.map(
                (f) =>
                  html`<tr data-field="${f.name}">
                    <th scope="row">${label(f.name)}</th>
                    <td>
                      ${renderValue(
                        lang,
                        released[f.name],
                        { ...ctx, schema: type?.schema.properties[f.name], topForm: f.form },
                        f.name,
                        [f.name],
                      )}
                    </td>
                    <td>${formExplained(lang, f.form)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>`
      : record.factChecks
        ? ''
        : html`<p>${t(lang, 'console.result.nothingReleased')}</p>`;
    const checks = record.factChecks
      ? html`<h4>${t(lang, 'console.result.factChecks')}</h4>
          <table class="released">
            <thead>
              <tr>
                <th scope="col">${t(lang, 'console.result.question')}</th>
                <th scope="col">${t(lang, 'console.result.answer')}</th>
              </tr>
            </thead>
            <tbody>
              ${Object.entries(record.factChecks).map(([id, answer]) => {
                const check = type?.factChecks.find((c) => c.id === id);
                return html`<tr>
                  <th scope="row">${check ? factCheckText(lang, check).text : id}</th>
                  <td>${t(lang, answer ? 'console.result.yes' : 'console.result.no')}</td>
                </tr>`;
              })}
            </tbody>
          </table>`
      : '';
    const withheld = record.withheld?.length
      ? html`<details class="withheld">
          <summary>${t(lang, 'console.result.withheld')} (${record.withheld.length})</summary>
          <p class="hint">${t(lang, 'console.result.withheldHint')}</p>
          <ul>
            ${record.withheld.map(
              (w) =>
                html`<li><strong>${label(w.name)}</strong>: ${t(lang, `console.withheld.${w.reason}`)}</li>`,
            )}
          </ul>
        </details>`
      : '';
    content = html`${releasedTable} ${checks} ${withheld}`;
  }
  return html`<section class="record-result" aria-labelledby="released-${index}">
    <h3 id="released-${index}">${type ? type.names[lang] : record.recordType}</h3>
    ${content}
    <dl class="summary provenance">
      ${
        record.provenance
          ? html`<dt>${t(lang, 'console.result.holder')}</dt>
              <dd data-testid="holder">${holderName}</dd>
              <dt>${t(lang, 'console.result.retrievedAt')}</dt>
              <dd>${formatDateTime(lang, new Date(record.provenance.retrievedAt))}</dd>`
          : ''
      }
      ${
        record.policy
          ? html`<dt>${t(lang, 'console.result.policy')}</dt>
              <dd><code>${record.policy.id} ${record.policy.version}</code></dd>`
          : ''
      }
      <dt>${t(lang, 'console.result.audit')}</dt>
      <dd class="audit-ref">
        ${t(lang, 'console.result.entry')} <code data-testid="audit-entry">#${record.audit.entryId}</code>,
        ${t(lang, 'console.result.digest')} <code class="digest">${record.audit.digest}</code>
      </dd>
    </dl>
  </section>`;
}

/** How anyone holding the slip checks it: the entries, the citizen's verify page (with its QR) and the receipt. */
function verifyBlock(lang: Lang, m: ResultModel): SafeHtml {
  const entries = m.response.records.map((r) => r.audit.entryId);
  const verifyUrl = `${m.publicUrl}/portal/history`;
  return html`<section class="slip-verify" aria-labelledby="verify-title" data-testid="slip-verify">
    <h2 id="verify-title">${t(lang, 'console.result.verifyTitle')}</h2>
    <div class="handoff">
      <div class="qr">
        ${raw(qrSvg(verifyUrl, { label: t(lang, 'console.wait.qrLabel', { url: verifyUrl }), className: 'qr-code' }))}
      </div>
      <div>
        <p>${t(lang, 'console.result.verifyText', { entries: entries.map((e) => `#${e}`).join(', ') })}</p>
        ${summaryList([
          [
            t(lang, 'console.result.verifyAt'),
            html`<a href="${verifyUrl}" data-testid="verify-url">${verifyUrl}</a>`,
          ],
          [
            t(lang, 'console.result.receipt'),
            html`${entries.map(
              (e, i) => html`${i ? ', ' : ''}<code>${m.publicUrl}/v1/log/receipts/${e}</code>`,
            )}`,
          ],
        ])}
      </div>
    </div>
  </section>`;
}

export function resultBody(lang: Lang, catalog: CatalogLookup, m: ResultModel): SafeHtml {
  const { described, checked, response } = m;
  return html`<h1>
      <span class="screen-only">${t(lang, 'console.result.title')}</span>
      <span class="print-only">${t(lang, 'console.result.slipTitle')}</span>
    </h1>
    ${summaryList([
      [t(lang, 'console.result.agency'), described.organisation.names[lang]],
      [t(lang, 'console.result.clerk'), m.clerkName],
      [t(lang, 'console.result.purpose'), described.purpose.names[lang]],
      [
        t(lang, 'console.result.subject'),
        checked.subject
          ? html`${schemeName(lang, checked.subject.scheme)} <code>${checked.subject.masked}</code>`
          : undefined,
      ],
      [
        t(lang, 'console.result.consent'),
        html`${t(lang, `console.modeShort.${response.consent.mode}`)}
        ${response.consent.id ? html`<code class="consent-id">${response.consent.id}</code>` : ''}`,
      ],
      [t(lang, 'console.result.queryId'), html`<code>${response.queryId}</code>`],
      [t(lang, 'console.result.time'), formatDateTime(lang, m.at)],
    ])}
    <div class="actions no-print">
      <button type="button" class="primary" data-print hidden>${t(lang, 'console.result.print')}</button>
      ${m.again ?? ''}
      <a class="button secondary" href="/console">${t(lang, 'console.result.new')}</a>
    </div>
    <p class="hint no-print print-hint">${t(lang, 'console.result.printHint')}</p>
    <h2>${t(lang, 'console.result.released')}</h2>
    ${response.records.map((r, i) => renderRecord(lang, catalog, r, i))} ${verifyBlock(lang, m)}
    <p class="slip-note" data-clear-draft-page>${t(lang, 'console.result.slipNote')}</p>`;
}
