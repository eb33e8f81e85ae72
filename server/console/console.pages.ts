/**
 * The clerk console (HTTP and HTML only; the counter logic is console.service.ts):
 *   GET  /console                 sign-in link, or the purposes the agency may use and the clerk's recent queries
 *   GET  /console/query?purpose=  the counter form: records, the citizen's identifier, what to return, consent mode
 *   POST /console/query           step=start: check the form; citizen mode → consent request with QR code and short
 *                                 link; attested/statutory → run the query. step=check: the request's status again.
 *                                 step=run: run the query with the approved consent.
 * Pages after a POST carry the counter state in hidden fields of the clerk's own page, so the citizen's identifier
 * is never stored server-side. Forms carry the session's CSRF token. Scripts (console.js) only enhance: checking the
 * identifier as typed, polling the consent request, the print button.
 */
import { Router, type Request, type Response } from 'express';
import { CSRF_FIELD } from '../auth/csrf.js';
import { principalOf, type ClerkPrincipal } from '../auth/principal.js';
import type { Catalog, RecordType } from '../catalog/catalog.types.js';
import type { CsrfGuard } from '../consents/consent.pages.js';
import type { ConsentRequestView } from '../consents/consents.types.js';
import { AppError } from '../errors.js';
import type { OrganisationsService } from '../organisations/organisations.service.js';
import type { QueryResponse, RecordResult } from '../queries/queries.types.js';
import {
  codeFields,
  codeText,
  factCheckText,
  koreanFieldLabel,
  legalBasisText,
  schemeName,
  wonFields,
} from '../web/catalog-text.js';
import { fieldLabel, japaneseFieldLabels } from '../web/field-labels.js';
import { html, raw, type SafeHtml } from '../web/html.js';
import {
  chooseLang,
  clientTemplate,
  formatDateTime,
  formatWon,
  hasMessage,
  isLang,
  LANGS,
  rememberLang,
  t,
  type Lang,
} from '../web/i18n.js';
import { LANG_NAMES, layout, messagePage } from '../web/layout.js';
import './console.messages.js';
import {
  fieldOfPointer,
  type CheckedForm,
  type ConsoleService,
  type CounterForm,
  type CounterPurpose,
  type FieldProblem,
} from './console.service.js';
import { qrSvg } from './qr-code.js';
import { separateAgreementBox } from './separate-agreement.js';

export interface ConsolePagesDeps {
  service: ConsoleService;
  catalog: Pick<Catalog, 'get' | 'has'>;
  organisations: Pick<OrganisationsService, 'getOrganisation'>;
  csrf: CsrfGuard;
}

const CSRF_SCOPE = 'console';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SCRIPTS = ['console.js'];
const STYLES = ['console.css'];

const clerkOf = (res: Response): ClerkPrincipal | undefined => {
  const p = principalOf(res);
  return p?.kind === 'clerk' ? p : undefined;
};

const str = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');
const list = (value: unknown): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter(
    (v): v is string => typeof v === 'string',
  );

/** The counter form from a urlencoded body. */
export function readCounterForm(body: Record<string, unknown>): CounterForm {
  const identifiers: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key.startsWith('identifier:')) identifiers[key.slice('identifier:'.length)] = str(value);
  }
  const consentMode = str(body.consentMode);
  return {
    purpose: str(body.purpose),
    records: list(body.records),
    subjectScheme: str(body.subjectScheme),
    subjectId: str(body.subjectId),
    identifiers,
    mode: str(body.mode) === 'fact-check' ? 'fact-check' : 'full',
    consentMode:
      consentMode === 'citizen' || consentMode === 'attested' || consentMode === 'statutory'
        ? consentMode
        : '',
    documentReference: str(body.documentReference),
    separateAgreement: str(body.separateAgreement) === 'yes',
    consentId: UUID.test(str(body.consentId)) ? str(body.consentId) : '',
  };
}

/** A refusal code as a sentence; an unknown code gets the generic sentence (the code is shown beside it). */
function reasonText(lang: Lang, code: string): string {
  return hasMessage(lang, `console.reason.${code}`)
    ? t(lang, `console.reason.${code}`)
    : t(lang, 'console.reason.other');
}

function recordName(lang: Lang, catalog: ConsolePagesDeps['catalog'], id: string): string {
  return catalog.has(id) ? catalog.get(id).names[lang] : id;
}

/** Message params with record type ids and scheme ids replaced by their names. */
function problemText(lang: Lang, catalog: ConsolePagesDeps['catalog'], problem: FieldProblem): string {
  const params: Record<string, string | number> = { ...problem.params };
  if (typeof params.scheme === 'string') params.scheme = schemeName(lang, params.scheme);
  if (typeof params.recordType === 'string') params.record = recordName(lang, catalog, params.recordType);
  return t(lang, problem.key, params);
}

/** The id of the input a field's error links to. */
function inputId(field: string, described: CounterPurpose): string {
  if (field === 'records') return 'record-0';
  if (field === 'mode') return 'mode-full';
  if (field === 'consentMode') return `consent-${described.consentModes[0] ?? 'citizen'}`;
  if (field.startsWith('identifier:')) {
    const i = described.records.findIndex((r) => `identifier:${r.id}` === field);
    return `identifier-${i}`;
  }
  return field;
}

function errorId(field: string): string {
  return `error-${field.replace(/[^a-zA-Z0-9-]/g, '-')}`;
}

/** Which fields of a record type hold won amounts and which hold codes (for renderValue). */
interface ValueKinds {
  won: ReadonlySet<string>;
  codes: ReadonlyMap<string, 'country' | 'code'>;
}
const NO_KINDS: ValueKinds = { won: new Set(), codes: new Map() };

/** Renders a released value in plain text: scalars, yes/no, won amounts, codes in words, lists and nested records. */
function renderValue(lang: Lang, value: unknown, depth = 0, kinds = NO_KINDS, key = ''): SafeHtml {
  if (value === null || value === undefined || value === '') return html`${t(lang, 'console.result.empty')}`;
  if (typeof value === 'boolean') return html`${t(lang, value ? 'console.result.yes' : 'console.result.no')}`;
  if (typeof value === 'number' && kinds.won.has(key)) return html`${formatWon(lang, value)}`;
  const kind = typeof value === 'string' ? kinds.codes.get(key) : undefined;
  if (kind) {
    const words = codeText(lang, kind, key, value as string);
    if (words) return html`${words}`;
  }
  if (typeof value !== 'object') return html`${String(value)}`;
  if (depth > 3) return html`<code>${JSON.stringify(value)}</code>`;
  if (Array.isArray(value)) {
    if (value.length === 0) return html`${t(lang, 'console.result.empty')}`;
    return html`<ul class="value-list">
      ${value.map((v) => html`<li>${renderValue(lang, v, depth + 1, kinds, key)}</li>`)}
    </ul>`;
  }
  return html`<dl class="value-record">
    ${Object.entries(value as Record<string, unknown>).map(
      ([k, v]) =>
        html`<dt>${nestedLabel(lang, k)}</dt>
          <dd>${renderValue(lang, v, depth + 1, kinds, k)}</dd>`,
    )}
  </dl>`;
}

/** A nested member's name in plain words: the Korean or Japanese label where known, else its words spaced out. */
function nestedLabel(lang: Lang, key: string): SafeHtml {
  const korean = lang === 'ko' ? koreanFieldLabel(key) : undefined;
  if (korean) return html`${korean}`;
  if (lang === 'ja' && japaneseFieldLabels[key]) return html`${japaneseFieldLabels[key]}`;
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  const text = words.charAt(0).toUpperCase() + words.slice(1);
  return lang === 'en' ? html`${text}` : html`<span lang="en">${text}</span>`;
}

function formExplained(lang: Lang, form: string): string {
  const kind = form.split(':')[0] ?? form;
  const key = `console.fieldForm.${kind}`;
  const text = t(lang, key);
  return text === key ? form : text;
}

export function consolePages(deps: ConsolePagesDeps): Router {
  const router = Router();
  const { service, catalog } = deps;

  const send = (res: Response, status: number, body: string) => {
    res.set('Cache-Control', 'no-store');
    res.status(status).type('html').send(body);
  };

  async function header(lang: Lang, res: Response, clerk: ClerkPrincipal): Promise<SafeHtml> {
    const org = await deps.organisations.getOrganisation(clerk.orgId).then(
      (o) => o.names[lang],
      () => clerk.orgId,
    );
    return html`<nav class="console-nav" aria-label="${t(lang, 'console.nav')}">
      <ul>
        <li><a href="/console">${t(lang, 'console.home')}</a></li>
        <li class="who">${t(lang, 'console.signedInAs', { name: clerk.name ?? clerk.sub, org })}</li>
        <li>
          <form method="post" action="/auth/logout" class="inline">
            <input type="hidden" name="${CSRF_FIELD}" value="${deps.csrf.token(res, CSRF_SCOPE)}" />
            <button type="submit" class="link">${t(lang, 'console.signOut')}</button>
          </form>
        </li>
      </ul>
    </nav>`;
  }

  const page = async (
    lang: Lang,
    res: Response,
    clerk: ClerkPrincipal,
    options: { path: string; title: string; body: SafeHtml; languageSwitch?: SafeHtml },
  ) =>
    layout({
      lang,
      path: options.path,
      title: options.title,
      body: options.body,
      nav: await header(lang, res, clerk),
      scripts: SCRIPTS,
      styles: STYLES,
      ...(options.languageSwitch ? { languageSwitch: options.languageSwitch } : {}),
    });

  /** Not a clerk: the sign-in page (nobody signed in) or a refusal (someone else signed in). */
  function notClerk(req: Request, res: Response, lang: Lang): void {
    if (principalOf(res)) {
      send(res, 403, messagePage(lang, req.path, t(lang, 'console.title'), t(lang, 'console.forbidden')));
      return;
    }
    send(
      res,
      401,
      layout({
        lang,
        path: req.path,
        title: t(lang, 'console.signIn.title'),
        styles: STYLES,
        body: html`<h1>${t(lang, 'console.signIn.title')}</h1>
          <p>${t(lang, 'console.signIn.text')}</p>
          <p>
            <a
              class="button primary"
              href="/auth/login?as=clerk&amp;return_to=${encodeURIComponent('/console')}"
              >${t(lang, 'console.signIn.button')}</a
            >
          </p>`,
      }),
    );
  }

  // ---- GET /console -------------------------------------------------------------------------------------------

  router.get('/console', async (req, res) => {
    const lang = chooseLang(req, res);
    const clerk = clerkOf(res);
    if (!clerk) return notClerk(req, res, lang);
    const [purposes, recent] = await Promise.all([service.purposes(clerk), service.recent(clerk)]);
    const option = (p: (typeof purposes)[number]) =>
      html`<option value="${p.code}">${p.names[lang]}</option>`;
    const procedures = purposes.filter((p) => p.procedure);
    const single = purposes.filter((p) => !p.procedure);
    const start = purposes.length
      ? html`<form method="get" action="/console/query" class="start">
          <div class="field">
            <label for="purpose">${t(lang, 'console.start.purpose')}</label>
            <p class="hint" id="purpose-hint">${t(lang, 'console.start.purposeHint')}</p>
            <select id="purpose" name="purpose" aria-describedby="purpose-hint" required>
              ${
                procedures.length
                  ? html`<optgroup label="${t(lang, 'console.start.procedures')}">
                      ${procedures.map(option)}
                    </optgroup>`
                  : ''
              }
              ${
                single.length
                  ? html`<optgroup label="${t(lang, 'console.start.purposes')}">
                      ${single.map(option)}
                    </optgroup>`
                  : ''
              }
            </select>
          </div>
          <button type="submit" class="primary">${t(lang, 'console.start.continue')}</button>
        </form>`
      : html`<p class="notice">${t(lang, 'console.start.none')}</p>`;
    const purposeName = new Map(purposes.map((p) => [p.code, p.names[lang]]));
    const recentTable = recent.length
      ? html`<div class="table-scroll" role="region" aria-labelledby="recent-title" tabindex="0">
          <table class="recent">
            <caption>
              ${t(lang, 'console.recent.caption', { n: recent.length })}
            </caption>
            <thead>
              <tr>
                <th scope="col">${t(lang, 'console.recent.when')}</th>
                <th scope="col">${t(lang, 'console.recent.purpose')}</th>
                <th scope="col">${t(lang, 'console.recent.record')}</th>
                <th scope="col">${t(lang, 'console.recent.outcome')}</th>
                <th scope="col">${t(lang, 'console.recent.consent')}</th>
                <th scope="col">${t(lang, 'console.recent.entry')}</th>
              </tr>
            </thead>
            <tbody>
              ${recent.map(
                (e) =>
                  html`<tr>
                    <td>${formatDateTime(lang, e.at)}</td>
                    <td>${purposeName.get(e.purposeCode) ?? e.purposeCode}</td>
                    <td>${recordName(lang, catalog, e.recordType)}</td>
                    <td>
                      <span class="outcome outcome-${e.outcome}"
                        >${t(lang, `console.outcome.${e.outcome}`)}</span
                      >
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
        </div>`
      : html`<p>${t(lang, 'console.recent.none')}</p>`;
    send(
      res,
      200,
      await page(lang, res, clerk, {
        path: '/console',
        title: t(lang, 'console.title'),
        body: html`<h1>${t(lang, 'console.title')}</h1>
          <section aria-labelledby="start-title">
            <h2 id="start-title">${t(lang, 'console.start.title')}</h2>
            ${start}
          </section>
          <section aria-labelledby="recent-title">
            <h2 id="recent-title">${t(lang, 'console.recent.title')}</h2>
            ${recentTable}
          </section>`,
      }),
    );
  });

  // ---- the counter form ---------------------------------------------------------------------------------------

  async function describeOr404(req: Request, res: Response, lang: Lang, clerk: ClerkPrincipal, code: string) {
    try {
      return await service.describe(clerk, code);
    } catch (err) {
      if (err instanceof AppError && err.status < 500) {
        send(
          res,
          404,
          await page(lang, res, clerk, {
            path: '/console',
            title: t(lang, 'error.title'),
            body: html`<h1>${t(lang, 'error.title')}</h1>
              <p>${t(lang, 'console.form.notFound')}</p>
              <p><a href="/console">${t(lang, 'console.form.back')}</a></p>`,
          }),
        );
        return undefined;
      }
      throw err;
    }
  }

  function renderForm(
    lang: Lang,
    res: Response,
    described: CounterPurpose,
    form: CounterForm | undefined,
    problems: FieldProblem[],
    general?: string,
  ): SafeHtml {
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
    const selected = new Set(form ? form.records : described.records.map((r) => r.id));
    const summary =
      problems.length || general
        ? html`<div class="error-summary" role="alert" tabindex="-1" aria-labelledby="error-summary-title">
            <h2 id="error-summary-title">${t(lang, 'console.errors.title')}</h2>
            ${general ? html`<p>${general}</p>` : ''}
            <ul>
              ${problems.map(
                (p) =>
                  html`<li>
                    <a href="#${inputId(p.field, described)}">${problemText(lang, catalog, p)}</a>
                  </li>`,
              )}
            </ul>
          </div>`
        : '';

    const recordItem = (type: RecordType, i: number) => {
      const objectField = `identifier:${type.id}`;
      const objectInput =
        type.subjectKind === 'object'
          ? html`<div class="field nested">
              <label for="identifier-${i}"
                >${t(lang, 'console.form.objectId', {
                  scheme: schemeName(lang, type.identifierScheme),
                  record: type.names[lang],
                })}</label
              >
              ${errorText(objectField)}
              <input
                type="text"
                id="identifier-${i}"
                name="${objectField}"
                value="${form?.identifiers[type.id] ?? ''}"
                autocomplete="off"
                spellcheck="false"
                data-scheme="${type.identifierScheme}"
                data-scheme-name="${schemeName(lang, type.identifierScheme)}"
                aria-describedby="${describedBy(objectField, `identifier-${i}-check`)}"
                ${raw(errorOf(objectField) ? 'aria-invalid="true"' : '')}
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
            ${raw(selected.has(type.id) ? 'checked' : '')}
          />
          <label for="record-${i}">
            ${type.names[lang]}
            <span class="tag">${type.holder.names[lang]}</span>
            ${type.subjectKind === 'object' ? html`<span class="tag">${t(lang, 'console.form.objectRecord')}</span>` : ''}
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
              ${raw(errorOf('subjectId') ? 'aria-invalid="true"' : '')}
            />
            <p class="check" id="subjectId-check" aria-live="polite"></p>
          </div>
        </fieldset>`
      : '';

    const modeFieldset = described.factCheckAvailable
      ? html`<fieldset class="group" aria-describedby="${describedBy('mode')}">
          <legend>${t(lang, 'console.form.accessMode')}</legend>
          ${errorText('mode')}
          ${(['full', 'fact-check'] as const).map(
            (m) =>
              html`<div class="check-row">
                <input
                  type="radio"
                  id="mode-${m}"
                  name="mode"
                  value="${m}"
                  ${raw((form?.mode ?? 'full') === m ? 'checked' : '')}
                />
                <label for="mode-${m}">${t(lang, `console.form.mode.${m}`)}</label>
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
            (m) =>
              html`<div class="check-row">
                <input
                  type="radio"
                  id="consent-${m}"
                  name="consentMode"
                  value="${m}"
                  ${raw(chosenMode === m ? 'checked' : '')}
                />
                <label for="consent-${m}">${t(lang, `console.mode.${m}`)}</label>
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
                      ${raw(errorOf('documentReference') ? 'aria-invalid="true"' : '')}
                    />
                  </div>
                  ${separateAgreementBox(lang, form?.separateAgreement === true)}`
              : ''
          }
        </fieldset>`
      : html`<p class="notice">${t(lang, 'console.form.noConsent')}</p>`;

    return html`<h1>${t(lang, 'console.form.title')}</h1>
      ${summary}
      <dl class="summary">
        <dt>${t(lang, 'console.form.purpose')}</dt>
        <dd>${purpose.names[lang]}</dd>
        <dt>${t(lang, 'console.form.legalBasis')}</dt>
        <dd lang="${legalBasisText(lang, purpose.legalBasis).lang}">
          ${legalBasisText(lang, purpose.legalBasis).text}
        </dd>
      </dl>
      <form
        method="post"
        action="/console/query"
        class="counter"
        novalidate
        data-msg-valid="${clientTemplate(lang, 'console.check.valid')}"
        data-msg-invalid="${clientTemplate(lang, 'console.check.invalid')}"
        data-msg-checking="${t(lang, 'console.check.checking')}"
      >
        <input type="hidden" name="${CSRF_FIELD}" value="${deps.csrf.token(res, CSRF_SCOPE)}" />
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

  router.get('/console/query', async (req, res) => {
    const lang = chooseLang(req, res);
    const clerk = clerkOf(res);
    if (!clerk) return notClerk(req, res, lang);
    const code = str(req.query.purpose);
    const described = await describeOr404(req, res, lang, clerk, code);
    if (!described) return;
    send(
      res,
      200,
      await page(lang, res, clerk, {
        path: `/console/query?purpose=${encodeURIComponent(code)}`,
        title: `${t(lang, 'console.form.title')}: ${described.purpose.names[lang]}`,
        body: renderForm(lang, res, described, undefined, []),
      }),
    );
  });

  // ---- after the form: waiting for consent, result, refusal ----------------------------------------------------

  /** The counter state as hidden fields, so the next step needs nothing stored server-side. */
  function hiddenState(res: Response, checked: CheckedForm, consentId?: string): SafeHtml {
    const { form } = checked;
    return html`<input type="hidden" name="${CSRF_FIELD}" value="${deps.csrf.token(res, CSRF_SCOPE)}" />
      <input type="hidden" name="purpose" value="${form.purpose}" />
      ${checked.selected.map((r) => html`<input type="hidden" name="records" value="${r.id}" />`)}
      <input type="hidden" name="subjectScheme" value="${form.subjectScheme}" />
      <input type="hidden" name="subjectId" value="${form.subjectId}" />
      ${Object.entries(form.identifiers)
        .filter(([rt]) => checked.selected.some((r) => r.id === rt))
        .map(([rt, v]) => html`<input type="hidden" name="identifier:${rt}" value="${v}" />`)}
      <input type="hidden" name="mode" value="${form.mode}" />
      <input type="hidden" name="consentMode" value="${form.consentMode}" />
      <input type="hidden" name="documentReference" value="${form.documentReference}" />
      ${form.separateAgreement ? html`<input type="hidden" name="separateAgreement" value="yes" />` : ''}
      ${consentId ? html`<input type="hidden" name="consentId" value="${consentId}" />` : ''}`;
  }

  /** Language buttons that re-post the page's state with step=check (never re-running a query). */
  function postedLanguageSwitch(
    lang: Lang,
    res: Response,
    checked: CheckedForm,
    consentId: string,
  ): SafeHtml {
    return html`<form
      method="post"
      action="/console/query"
      class="lang-switch"
      aria-label="${t(lang, 'site.language')}"
    >
      ${hiddenState(res, checked, consentId)}
      <input type="hidden" name="step" value="check" />
      <ul>
        ${LANGS.map((l) =>
          l === lang
            ? html`<li><span aria-current="true" lang="${l}">${LANG_NAMES[l]}</span></li>`
            : html`<li>
                <button type="submit" class="link" name="lang" value="${l}" lang="${l}">
                  ${LANG_NAMES[l]}
                </button>
              </li>`,
        )}
      </ul>
    </form>`;
  }

  function renderWaiting(
    lang: Lang,
    res: Response,
    checked: CheckedForm,
    request: ConsentRequestView,
  ): SafeHtml {
    const link = request.shortUrl ?? request.citizenUrl;
    const approved = request.status === 'ACTIVE';
    const final = !['REQUESTED', 'ACTIVE'].includes(request.status);
    return html`<h1>${t(lang, 'console.wait.title')}</h1>
      <div class="handoff">
        <div class="qr">
          ${raw(qrSvg(link, { label: t(lang, 'console.wait.qrLabel', { url: link }), className: 'qr-code' }))}
        </div>
        <div>
          <p>${t(lang, 'console.wait.scan')}</p>
          <dl class="summary">
            <dt>${t(lang, 'console.wait.shortLink')}</dt>
            <dd><a class="short-link" href="${link}" data-testid="short-link">${link}</a></dd>
            ${
              request.shortCode
                ? html`<dt>${t(lang, 'console.wait.code')}</dt>
                    <dd><strong class="short-code">${request.shortCode}</strong></dd>`
                : ''
            }
            <dt>${t(lang, 'console.wait.records')}</dt>
            <dd>${request.recordTypes.map((rt) => recordName(lang, catalog, rt)).join(', ')}</dd>
          </dl>
        </div>
      </div>
      <h2>${t(lang, 'console.wait.status')}</h2>
      <p
        id="consent-status"
        class="notice ${approved ? 'ok' : final ? 'error' : ''}"
        role="status"
        data-status="${request.status}"
        data-poll="/v1/consent-requests/${request.id}"
        ${Object.entries({
          REQUESTED: 0,
          ACTIVE: 0,
          REJECTED: 0,
          EXPIRED: 0,
          REVOKED: 0,
          PAUSED: 0,
          EXHAUSTED: 0,
        }).map(([s]) => html` data-text-${s.toLowerCase()}="${t(lang, `console.status.${s}`)}"`)}
      >
        ${t(lang, `console.status.${request.status}`)}
      </p>
      <form method="post" action="/console/query" class="waiting">
        ${hiddenState(res, checked, request.id)}
        <p class="hint">${t(lang, 'console.wait.auto')}</p>
        <div class="actions">
          <button
            type="submit"
            class="primary"
            name="step"
            value="run"
            id="run-query"
            ${raw(approved ? '' : 'hidden')}
          >
            ${t(lang, 'console.wait.run')}
          </button>
          <button type="submit" class="secondary" name="step" value="check" id="check-again">
            ${t(lang, 'console.wait.checkAgain')}
          </button>
          <a class="button secondary" href="/console">${t(lang, 'console.result.new')}</a>
        </div>
      </form>`;
  }

  function renderRecord(lang: Lang, record: RecordResult, index: number): SafeHtml {
    const type = catalog.has(record.recordType) ? catalog.get(record.recordType) : undefined;
    const label = (field: string) => {
      if (!type) return html`${field}`;
      const l = fieldLabel(lang, type, field);
      return l.lang === lang ? html`${l.text}` : html`<span lang="${l.lang}">${l.text}</span>`;
    };
    const name = type ? type.names[lang] : record.recordType;
    let content: SafeHtml;
    if (record.outcome === 'provider_error') {
      const holder = type ? type.holder.names[lang] : (record.error?.holder ?? '');
      content = html`<p class="notice error">${t(lang, 'console.result.providerError', { holder })}</p>`;
    } else if (record.outcome === 'denied') {
      content = html`<p class="notice error">${t(lang, 'console.result.refusedRecord')}</p>`;
    } else {
      const released = record.released ?? {};
      const kinds: ValueKinds = type ? { won: wonFields(type), codes: codeFields(type) } : NO_KINDS;
      const fields = (record.fields ?? []).filter((f) => f.form !== 'fact-check');
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
                      <td>${renderValue(lang, released[f.name], 0, kinds, f.name)}</td>
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
                  html`<li>
                    <strong>${label(w.name)}</strong>: ${t(lang, `console.withheld.${w.reason}`)}
                  </li>`,
              )}
            </ul>
          </details>`
        : '';
      content = html`${releasedTable} ${checks} ${withheld}`;
    }
    return html`<section class="record-result" aria-labelledby="released-${index}">
      <h3 id="released-${index}">${name}</h3>
      ${content}
      <dl class="summary provenance">
        ${
          record.provenance
            ? html`<dt>${t(lang, 'console.result.holder')}</dt>
                <dd>${type ? type.holder.names[lang] : record.provenance.holder}</dd>
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

  async function renderResult(
    lang: Lang,
    res: Response,
    clerk: ClerkPrincipal,
    described: CounterPurpose,
    checked: CheckedForm,
    response: QueryResponse,
  ): Promise<string> {
    const mode = response.consent.mode;
    const again =
      checked.form.consentMode === 'citizen' && checked.form.consentId
        ? html`<form method="post" action="/console/query" class="inline no-print">
            ${hiddenState(res, checked, checked.form.consentId)}
            <input type="hidden" name="step" value="run" />
            <button type="submit" class="secondary" id="query-again">
              ${t(lang, 'console.result.again')}
            </button>
          </form>`
        : '';
    const languageSwitch =
      checked.form.consentMode === 'citizen' && checked.form.consentId
        ? postedLanguageSwitch(lang, res, checked, checked.form.consentId)
        : undefined;
    return page(lang, res, clerk, {
      path: `/console/query?purpose=${encodeURIComponent(described.purpose.code)}`,
      title: t(lang, 'console.result.title'),
      ...(languageSwitch ? { languageSwitch } : {}),
      body: html`<h1>
          <span class="screen-only">${t(lang, 'console.result.title')}</span>
          <span class="print-only">${t(lang, 'console.result.slipTitle')}</span>
        </h1>
        <dl class="summary">
          <dt>${t(lang, 'console.result.agency')}</dt>
          <dd>${described.organisation.names[lang]}</dd>
          <dt>${t(lang, 'console.result.clerk')}</dt>
          <dd>${clerk.name ?? clerk.sub}</dd>
          <dt>${t(lang, 'console.result.purpose')}</dt>
          <dd>${described.purpose.names[lang]}</dd>
          ${
            checked.subject
              ? html`<dt>${t(lang, 'console.result.subject')}</dt>
                  <dd>${schemeName(lang, checked.subject.scheme)} <code>${checked.subject.masked}</code></dd>`
              : ''
          }
          <dt>${t(lang, 'console.result.consent')}</dt>
          <dd>
            ${t(lang, `console.modeShort.${mode}`)}
            ${response.consent.id ? html`<code class="consent-id">${response.consent.id}</code>` : ''}
          </dd>
          <dt>${t(lang, 'console.result.queryId')}</dt>
          <dd><code>${response.queryId}</code></dd>
          <dt>${t(lang, 'console.result.time')}</dt>
          <dd>${formatDateTime(lang, new Date())}</dd>
        </dl>
        <div class="actions no-print">
          <button type="button" class="primary" data-print hidden>${t(lang, 'console.result.print')}</button>
          ${again}
          <a class="button secondary" href="/console">${t(lang, 'console.result.new')}</a>
        </div>
        <p class="hint no-print print-hint">${t(lang, 'console.result.printHint')}</p>
        <h2>${t(lang, 'console.result.released')}</h2>
        ${response.records.map((r, i) => renderRecord(lang, r, i))}
        <p class="slip-note">${t(lang, 'console.result.slipNote')}</p>`,
    });
  }

  async function renderRefusal(
    lang: Lang,
    res: Response,
    clerk: ClerkPrincipal,
    described: CounterPurpose,
    error: AppError,
  ): Promise<string> {
    const reason = reasonText(lang, error.code);
    return page(lang, res, clerk, {
      path: `/console/query?purpose=${encodeURIComponent(described.purpose.code)}`,
      title: t(lang, 'console.refused.title'),
      body: html`<h1>${t(lang, 'console.refused.title')}</h1>
        <div class="notice error" role="alert" id="refusal">
          <p><strong>${reason}</strong></p>
          <p>${t(lang, 'console.refused.nothing')}</p>
          <p>${t(lang, 'console.refused.code')}: <code data-testid="reason-code">${error.code}</code></p>
        </div>
        <p class="actions">
          <a class="button primary" href="/console/query?purpose=${described.purpose.code}"
            >${t(lang, 'console.form.title')}</a
          >
          <a class="button secondary" href="/console">${t(lang, 'console.home')}</a>
        </p>`,
    });
  }

  router.post('/console/query', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const lang: Lang = isLang(body.lang) ? body.lang : chooseLang(req, res);
    if (isLang(body.lang)) rememberLang(res, body.lang);
    const clerk = clerkOf(res);
    if (!clerk) return notClerk(req, res, lang);
    if (!deps.csrf.verify(res, CSRF_SCOPE, body[CSRF_FIELD])) {
      return send(
        res,
        403,
        messagePage(lang, '/console', t(lang, 'error.title'), t(lang, 'console.expired')),
      );
    }
    const form = readCounterForm(body);
    const described = await describeOr404(req, res, lang, clerk, form.purpose);
    if (!described) return;
    const title = `${t(lang, 'console.form.title')}: ${described.purpose.names[lang]}`;
    const path = `/console/query?purpose=${encodeURIComponent(described.purpose.code)}`;
    const { problems, checked } = service.check(described, form);
    const step = str(body.step);

    const showForm = async (status: number, found: FieldProblem[], general?: string) =>
      send(
        res,
        status,
        await page(lang, res, clerk, {
          path,
          title,
          body: renderForm(lang, res, described, form, found, general),
        }),
      );

    if (problems.length) return showForm(400, problems);

    const runQuery = async () => {
      try {
        const response = await service.run(clerk, described, checked, String(req.id ?? ''));
        send(res, 200, await renderResult(lang, res, clerk, described, checked, response));
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        if (err.code === 'validation_failed' || err.code === 'identifier_invalid') {
          const found = (err.issues ?? [])
            .map((issue) => ({ issue, field: fieldOfPointer(issue.pointer, checked) }))
            .filter((x): x is { issue: typeof x.issue; field: string } => x.field !== undefined)
            .map(({ field }) => ({ field, key: 'console.reason.' + err.code }));
          return showForm(400, found, found.length ? undefined : t(lang, `console.reason.${err.code}`));
        }
        send(res, err.status, await renderRefusal(lang, res, clerk, described, err));
      }
    };

    if (form.consentMode === 'citizen' && checked.needsConsent) {
      if (step === 'start' || !form.consentId) {
        let request: ConsentRequestView;
        try {
          request = await service.startCitizenConsent(clerk, described, checked, lang);
        } catch (err) {
          if (!(err instanceof AppError) || err.status >= 500) throw err;
          if (err.status === 400) return showForm(400, [], t(lang, 'console.reason.validation_failed'));
          return send(res, err.status, await renderRefusal(lang, res, clerk, described, err));
        }
        checked.form.consentId = request.id;
        return send(
          res,
          200,
          await page(lang, res, clerk, {
            path,
            title: t(lang, 'console.wait.title'),
            languageSwitch: postedLanguageSwitch(lang, res, checked, request.id),
            body: renderWaiting(lang, res, checked, request),
          }),
        );
      }
      if (step === 'check') {
        let request: ConsentRequestView;
        try {
          request = await service.consentStatus(clerk, form.consentId);
        } catch (err) {
          if (!(err instanceof AppError) || err.status >= 500) throw err;
          return send(res, err.status, await renderRefusal(lang, res, clerk, described, err));
        }
        return send(
          res,
          200,
          await page(lang, res, clerk, {
            path,
            title: t(lang, 'console.wait.title'),
            languageSwitch: postedLanguageSwitch(lang, res, checked, request.id),
            body: renderWaiting(lang, res, checked, request),
          }),
        );
      }
    }
    return runQuery();
  });

  return router;
}
