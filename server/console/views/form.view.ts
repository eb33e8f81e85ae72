/**
 * The counter form (pure). Its defaults can be submitted as they are (issue 20, problem 6): a record that needs
 * its own number (parcel, plate, address) starts unticked, and a record the default access cannot read (a
 * yes/no-only record in "full" mode) starts unticked too; each such record says why, and console.js disables
 * the records the chosen access cannot read. The server checks the same again with messages tied to fields.
 */
import type { RecordType } from '../../catalog/catalog.types.js';
import { legalBasisText, schemeName } from '../../web/catalog-text.js';
import { html, raw, type SafeHtml } from '../../web/html.js';
import { clientTemplate, t, type Lang } from '../../web/i18n.js';
import type { CounterForm, CounterPurpose, FieldProblem } from '../console.service.js';
import { separateAgreementBox } from '../separate-agreement.js';
import type { CatalogLookup } from './result.view.js';
import { csrfInput, errorSummary, summaryList } from './shell.js';

export interface FormModel {
  described: CounterPurpose;
  /** The posted form (after errors), or undefined for the defaults. */
  form?: CounterForm | undefined;
  problems: FieldProblem[];
  general?: string | undefined;
  csrf: string;
}

type Mode = CounterForm['mode'];

/** The access the form starts with: full, unless no record of the purpose can be read in full. */
export function defaultMode(described: CounterPurpose): Mode {
  return described.records.some((r) => r.accessModes.includes('full')) ? 'full' : 'fact-check';
}

/** The records ticked by default: those the default access reads that need no number of their own. */
export function defaultRecords(described: CounterPurpose): string[] {
  const mode = defaultMode(described);
  return described.records
    .filter((r) => r.accessModes.includes(mode) && r.subjectKind !== 'object')
    .map((r) => r.id);
}

/** Message params with record type ids and scheme ids replaced by their names. */
export function problemText(lang: Lang, catalog: CatalogLookup, problem: FieldProblem): string {
  const params: Record<string, string | number> = { ...problem.params };
  if (typeof params.scheme === 'string') params.scheme = schemeName(lang, params.scheme);
  if (typeof params.recordType === 'string') {
    params.record = catalog.has(params.recordType)
      ? catalog.get(params.recordType).names[lang]
      : params.recordType;
  }
  return t(lang, problem.key, params);
}

/** The id of the input a field's error links to. */
function inputId(field: string, described: CounterPurpose): string {
  if (field === 'records') return 'record-0';
  if (field === 'mode') return 'mode-full';
  if (field === 'consentMode') return `consent-${described.consentModes[0] ?? 'citizen'}`;
  if (field.startsWith('identifier:')) {
    return `identifier-${described.records.findIndex((r) => `identifier:${r.id}` === field)}`;
  }
  return field;
}

const errorId = (field: string) => `error-${field.replace(/[^a-zA-Z0-9-]/g, '-')}`;

export function formBody(lang: Lang, catalog: CatalogLookup, m: FormModel): SafeHtml {
  const { described, form, problems } = m;
  const { purpose } = described;
  const errorOf = (field: string) => problems.find((p) => p.field === field);
  const errorText = (field: string) => {
    const problem = errorOf(field);
    return problem
      ? html`<p class="field-error" id="${errorId(field)}">
          <span class="visually-hidden">${t(lang, 'error.title')}:</span>
          ${problemText(lang, catalog, problem)}
        </p>`
      : '';
  };
  const describedBy = (field: string, ...hints: string[]) =>
    [...hints, ...(errorOf(field) ? [errorId(field)] : [])].join(' ') || undefined;
  const invalid = (field: string) => raw(errorOf(field) ? 'aria-invalid="true"' : '');
  const mode = form?.mode ?? defaultMode(described);
  const selected = new Set(form ? form.records : defaultRecords(described));

  const recordItem = (type: RecordType, i: number) => {
    const field = `identifier:${type.id}`;
    const onlyFactCheck = !type.accessModes.includes('full');
    const noFactCheck = !type.accessModes.includes('fact-check');
    const objectInput =
      type.subjectKind === 'object'
        ? html`<div class="field nested" data-object-for="record-${i}">
            <label for="identifier-${i}"
              >${t(lang, 'console.form.objectId', {
                scheme: schemeName(lang, type.identifierScheme),
                record: type.names[lang],
              })}</label
            >
            <p class="hint" id="identifier-${i}-hint">
              ${t(lang, 'console.form.objectHint', { scheme: schemeName(lang, type.identifierScheme) })}
            </p>
            ${errorText(field)}
            <input
              type="text"
              id="identifier-${i}"
              name="${field}"
              value="${form?.identifiers[type.id] ?? ''}"
              autocomplete="off"
              spellcheck="false"
              data-scheme="${type.identifierScheme}"
              data-scheme-name="${schemeName(lang, type.identifierScheme)}"
              aria-describedby="${describedBy(field, `identifier-${i}-hint`, `identifier-${i}-check`)}"
              ${invalid(field)}
            />
            <p class="check" id="identifier-${i}-check" aria-live="polite"></p>
          </div>`
        : '';
    return html`<li>
      <div class="check-row">
        <input
          type="checkbox"
          id="record-${i}"
          name="records"
          value="${type.id}"
          data-modes="${type.accessModes.join(' ')}"
          ${raw(selected.has(type.id) ? 'checked' : '')}
        />
        <label for="record-${i}">
          ${type.names[lang]}
          <span class="tag">${type.holder.names[lang]}</span>
          ${type.subjectKind === 'object' ? html`<span class="tag">${t(lang, 'console.form.objectRecord')}</span>` : ''}
          ${onlyFactCheck ? html`<span class="tag">${t(lang, 'console.form.factCheckOnly')}</span>` : ''}
          ${noFactCheck && described.factCheckAvailable ? html`<span class="tag">${t(lang, 'console.form.fullOnly')}</span>` : ''}
        </label>
      </div>
      ${objectInput}
    </li>`;
  };

  const hasSubject = described.subjectSchemes.length > 0;
  const scheme = form?.subjectScheme || described.subjectSchemes[0] || 'rrn';
  const subjectFieldset = hasSubject
    ? html`<fieldset class="group">
        <legend>${t(lang, 'console.form.subject')}</legend>
        ${
          described.subjectSchemes.length > 1
            ? html`<div class="field">
                <label for="subjectScheme">${t(lang, 'console.form.subjectScheme')}</label>
                <select id="subjectScheme" name="subjectScheme">
                  ${described.subjectSchemes.map(
                    (s) =>
                      html`<option value="${s}" ${raw(s === scheme ? 'selected' : '')}>
                        ${schemeName(lang, s)}
                      </option>`,
                  )}
                </select>
              </div>`
            : html`<input type="hidden" id="subjectScheme" name="subjectScheme" value="${scheme}" />`
        }
        <div class="field">
          <label for="subjectId" id="subjectId-label">${schemeName(lang, scheme)}</label>
          <p class="hint" id="subjectId-hint">${t(lang, 'console.form.subjectHint')}</p>
          ${errorText('subjectId')}
          <input
            type="text"
            id="subjectId"
            name="subjectId"
            value="${form?.subjectId ?? ''}"
            autocomplete="off"
            spellcheck="false"
            inputmode="text"
            data-scheme-from="subjectScheme"
            data-scheme-name="${schemeName(lang, scheme)}"
            aria-describedby="${describedBy('subjectId', 'subjectId-hint', 'subjectId-check')}"
            ${invalid('subjectId')}
          />
          <p class="check" id="subjectId-check" aria-live="polite"></p>
        </div>
      </fieldset>`
    : '';

  const modeFieldset = described.factCheckAvailable
    ? html`<fieldset class="group" aria-describedby="${describedBy('mode', 'mode-hint')}">
        <legend>${t(lang, 'console.form.accessMode')}</legend>
        <p class="hint" id="mode-hint">${t(lang, 'console.form.modeHint')}</p>
        ${errorText('mode')}
        ${(['full', 'fact-check'] as const).map(
          (value) =>
            html`<div class="check-row">
              <input
                type="radio"
                id="mode-${value}"
                name="mode"
                value="${value}"
                ${raw(mode === value ? 'checked' : '')}
              />
              <label for="mode-${value}">${t(lang, `console.form.mode.${value}`)}</label>
            </div>`,
        )}
      </fieldset>`
    : html`<input type="hidden" name="mode" value="full" />`;

  const needsConsent = described.records.some((r) => r.consentClass !== 'no-subject-fee');
  const chosenMode =
    form?.consentMode || (described.consentModes.length === 1 ? described.consentModes[0] : '');
  const consentFieldset = needsConsent
    ? html`<fieldset class="group" aria-describedby="${describedBy('consentMode', 'consent-hint')}">
        <legend>${t(lang, 'console.form.consent')}</legend>
        <p class="hint" id="consent-hint">${t(lang, 'console.form.consentHint')}</p>
        ${errorText('consentMode')}
        ${described.consentModes.map(
          (c) =>
            html`<div class="check-row">
              <input
                type="radio"
                id="consent-${c}"
                name="consentMode"
                value="${c}"
                ${raw(chosenMode === c ? 'checked' : '')}
              />
              <label for="consent-${c}">${t(lang, `console.mode.${c}`)}</label>
            </div>`,
        )}
        ${
          described.consentModes.includes('attested')
            ? html`<div class="field nested">
                  <label for="documentReference">${t(lang, 'console.form.documentReference')}</label>
                  <p class="hint" id="documentReference-hint">
                    ${t(lang, 'console.form.documentReferenceHint')}
                  </p>
                  ${errorText('documentReference')}
                  <input
                    type="text"
                    id="documentReference"
                    name="documentReference"
                    value="${form?.documentReference ?? ''}"
                    autocomplete="off"
                    aria-describedby="${describedBy('documentReference', 'documentReference-hint')}"
                    ${invalid('documentReference')}
                  />
                </div>
                ${separateAgreementBox(lang, form?.separateAgreement === true)}`
            : ''
        }
      </fieldset>`
    : html`<p class="notice">${t(lang, 'console.form.noConsent')}</p>`;

  const legal = legalBasisText(lang, purpose.legalBasis);
  return html`<h1>${t(lang, 'console.form.title')}</h1>
    ${errorSummary(
      lang,
      problems.map((p) => ({ href: `#${inputId(p.field, described)}`, text: problemText(lang, catalog, p) })),
      m.general,
    )}
    ${summaryList([
      [t(lang, 'console.form.purpose'), purpose.names[lang]],
      [t(lang, 'console.form.legalBasis'), html`<span lang="${legal.lang}">${legal.text}</span>`],
    ])}
    <p class="notice" id="draft-restored" hidden>${t(lang, 'console.draft.restored')}</p>
    <form
      method="post"
      action="/console/query"
      class="counter"
      novalidate
      data-draft="${purpose.code}"
      data-msg-valid="${clientTemplate(lang, 'console.check.valid')}"
      data-msg-invalid="${clientTemplate(lang, 'console.check.invalid')}"
      data-msg-checking="${t(lang, 'console.check.checking')}"
    >
      ${csrfInput(m.csrf)}
      <input type="hidden" name="step" value="start" />
      <input type="hidden" name="purpose" value="${purpose.code}" />
      <fieldset class="group" aria-describedby="${describedBy('records', 'records-hint')}">
        <legend>${t(lang, 'console.form.records')}</legend>
        <p class="hint" id="records-hint">
          ${t(lang, purpose.procedure ? 'console.form.procedureHint' : 'console.form.recordsHint')}
        </p>
        ${errorText('records')}
        <ul class="choices">
          ${described.records.map(recordItem)}
        </ul>
      </fieldset>
      ${subjectFieldset} ${modeFieldset} ${consentFieldset}
      <div class="actions">
        <button type="submit" class="primary">${t(lang, 'console.form.submit')}</button>
        <a class="button secondary" href="/console">${t(lang, 'console.form.back')}</a>
      </div>
    </form>`;
}
