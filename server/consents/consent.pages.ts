/**
 * The citizen's approval screen (server-rendered, English and Japanese): GET /consent/:id shows who asks,
 * why (purpose in plain words and its legal basis), each record and field, duration, usage and retention;
 * optional fields are checkboxes the citizen may untick. POST /consent/:id approves or refuses (CSRF
 * token bound to the session and the request). /consent/c/:code is the short link shown at the counter.
 * A visitor not signed in as a citizen is sent to the citizen login and back.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { CSRF_FIELD, csrfToken } from '../auth/csrf.js';
import { principalOf, type CitizenPrincipal } from '../auth/principal.js';
import type { Catalog } from '../catalog/catalog.types.js';
import { AppError } from '../errors.js';
import type { Organisation, Purpose } from '../organisations/organisations.types.js';
import { legalBasisText, recordDescription } from '../web/catalog-text.js';
import { fieldLabel } from '../web/field-labels.js';
import './consent-ko.messages.js';
import { html, type SafeHtml } from '../web/html.js';
import { chooseLang, langOf, defineMessages, formatDate, formatDateTime, t, type Lang } from '../web/i18n.js';
import { layout, messagePage } from '../web/layout.js';
import type { ConsentsService } from './consents.service.js';
import type { ConsentRecord } from './consents.types.js';
import { askedApart, separateSteps, separateTicks } from './separate-consent.page.js';
import { onBehalfNotice } from '../representatives/on-behalf.js';
import type { Representation } from '../representatives/representatives.types.js';

/** Anti-CSRF tokens for forms, bound to the signed-in session and one form scope. */
export interface CsrfGuard {
  token(res: Response, scope: string): string;
  verify(res: Response, scope: string, presented: unknown): boolean;
}

/**
 * The session's own CSRF token (server/auth/csrf.ts) when the request has a session; otherwise (principals
 * set without a session, as in domain tests) a stateless HMAC(secret, principal, scope) token.
 */
export function sessionCsrfGuard(secret: Uint8Array): CsrfGuard {
  const key = createHmac('sha256', secret).update('joint-use-center/csrf/v1').digest();
  const binding = (res: Response): string | undefined => {
    const p = principalOf(res);
    if (!p || p.kind === 'client') return undefined;
    return `${p.kind}\0${p.sessionId ?? p.sub}`;
  };
  const expectedFor = (res: Response, scope: string): string | undefined => {
    const session = csrfToken(res);
    if (session) return session;
    const bound = binding(res);
    return bound ? createHmac('sha256', key).update(`${bound}\0${scope}`).digest('base64url') : undefined;
  };
  return {
    token(res, scope) {
      const token = expectedFor(res, scope);
      if (!token) throw new Error('CSRF tokens need a signed-in person.');
      return token;
    },
    verify(res, scope, presented) {
      const expected = expectedFor(res, scope);
      if (!expected || typeof presented !== 'string') return false;
      const a = Buffer.from(expected);
      const b = Buffer.from(presented);
      return a.length === b.length && timingSafeEqual(a, b);
    },
  };
}

export interface ConsentPagesDeps {
  service: ConsentsService;
  catalog: Pick<Catalog, 'get' | 'has'>;
  csrf: CsrfGuard;
  /** The citizen login entry point (OIDC with the national IdP). */
  loginPath?: string;
}

defineMessages({
  en: {
    'consent.title': 'Consent request',
    'consent.intro': '{org} asks to see some of your public records through the Joint-Use Center.',
    'consent.requester': 'Who asks',
    'consent.purpose': 'Why',
    'consent.legalBasis': 'Legal basis',
    'consent.records': 'What they would see',
    'consent.recordsHint':
      'Only the fields listed below. Fields marked “optional” are ticked; untick any you do not want to share.',
    'consent.required': 'needed',
    'consent.optional': 'optional',
    'consent.englishOnly': 'in English',
    'consent.terms': 'For how long and how often',
    'consent.duration': 'Valid for',
    'consent.durationValue': '{days, plural, one {# day} other {# days}} from your approval',
    'consent.usage': 'Uses',
    'consent.usage.once': 'Once',
    'consent.usage.limited': '{n, plural, one {Once at most} other {Up to # times}}',
    'consent.usage.periodic':
      '{value, plural, one {Once} other {Up to # times}} a {unit, select, day {day} week {week} month {month} other {year}}, {n, plural, one {# time} other {# times}} in all',
    'consent.dataRange': 'Records from the period',
    'consent.dataRangeValue': '{from} to {to}',
    'consent.retention': 'They may keep the data for',
    'consent.retentionValue':
      '{unit, select, day {{value, plural, one {# day} other {# days}}} week {{value, plural, one {# week} other {# weeks}}} month {{value, plural, one {# month} other {# months}}} other {{value, plural, one {# year} other {# years}}}}',
    'consent.requestExpires': 'Please decide by',
    'consent.approve': 'Approve',
    'consent.refuse': 'Refuse',
    'consent.decisionHint':
      'You can pause or revoke an approval at any time in your portal. Refusing has no other consequence: you can hand in paper certificates instead.',
    'consent.status.ACTIVE': 'You approved this request.',
    'consent.status.PAUSED': 'You approved this request and later paused it.',
    'consent.status.REJECTED': 'This request was refused.',
    'consent.status.REVOKED': 'This consent was revoked.',
    'consent.status.EXPIRED': 'This request or consent has expired.',
    'consent.status.EXHAUSTED': 'This consent has been used as often as it allowed.',
    'consent.status.REQUESTED': 'This request is waiting for your decision.',
    'consent.decidedTitle': 'Thank you',
    'consent.approvedMessage': 'You approved the request. {org} has been told.',
    'consent.refusedMessage': 'You refused the request. {org} has been told.',
    'consent.returnTo': 'Return to {org}',
    'consent.notYours': 'This request is about someone else. Only the person it names can answer it.',
    'consent.csrf': 'The form expired. Please open the request again.',
    'consent.conflict': 'This request can no longer be answered.',
  },
  ja: {
    'consent.title': '同意の依頼',
    'consent.intro': '{org}が、共同利用センターを通じてあなたの公的記録の一部を確認することを求めています。',
    'consent.requester': '依頼者',
    'consent.purpose': '目的',
    'consent.legalBasis': '法的根拠',
    'consent.records': '確認される内容',
    'consent.recordsHint':
      '以下の項目のみです。「任意」の項目はチェックされています。提供したくない項目はチェックを外してください。',
    'consent.required': '必須',
    'consent.optional': '任意',
    'consent.englishOnly': '英語のみ',
    'consent.terms': '期間と回数',
    'consent.duration': '有効期間',
    'consent.durationValue': '同意から{days}日間',
    'consent.usage': '利用回数',
    'consent.usage.once': '1回のみ',
    'consent.usage.limited': '最大{n}回',
    'consent.usage.periodic':
      '{unit, select, day {1日} week {1週間} month {1か月} other {1年}}ごとに最大{value}回、合計{n}回まで',
    'consent.dataRange': '対象となる記録の期間',
    'consent.dataRangeValue': '{from}から{to}まで',
    'consent.retention': '依頼者がデータを保存できる期間',
    'consent.retentionValue': '{value}{unit, select, day {日} week {週間} month {か月} other {年}}',
    'consent.requestExpires': '回答期限',
    'consent.approve': '同意する',
    'consent.refuse': '同意しない',
    'consent.decisionHint':
      '同意はポータルでいつでも一時停止または撤回できます。同意しない場合も不利益はありません。紙の証明書を提出することもできます。',
    'consent.status.ACTIVE': 'この依頼に同意済みです。',
    'consent.status.PAUSED': 'この依頼に同意し、その後一時停止しました。',
    'consent.status.REJECTED': 'この依頼は拒否されました。',
    'consent.status.REVOKED': 'この同意は撤回されました。',
    'consent.status.EXPIRED': 'この依頼または同意は期限切れです。',
    'consent.status.EXHAUSTED': 'この同意は許可された回数まで利用されました。',
    'consent.status.REQUESTED': 'この依頼はあなたの回答を待っています。',
    'consent.decidedTitle': 'ありがとうございました',
    'consent.approvedMessage': '依頼に同意しました。{org}に通知しました。',
    'consent.refusedMessage': '依頼を拒否しました。{org}に通知しました。',
    'consent.returnTo': '{org}に戻る',
    'consent.notYours': 'この依頼は別の方に関するものです。依頼で指定された本人のみが回答できます。',
    'consent.csrf': 'フォームの有効期限が切れました。もう一度依頼を開いてください。',
    'consent.conflict': 'この依頼にはもう回答できません。',
  },
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const FIELD_SEPARATOR = '|';

const csrfScope = (id: string) => `consent:${id}`;

function noStore(res: Response): void {
  res.set('Cache-Control', 'no-store');
}

function citizenOf(res: Response): CitizenPrincipal | undefined {
  const p = principalOf(res);
  return p?.kind === 'citizen' ? p : undefined;
}

function usageText(lang: Lang, record: ConsentRecord): string {
  const u = record.usage;
  if (u.fetch === 'once') return t(lang, 'consent.usage.once');
  if (u.fetch === 'limited') return t(lang, 'consent.usage.limited', { n: u.maxUses });
  return t(lang, 'consent.usage.periodic', {
    value: u.frequency.value,
    unit: u.frequency.unit,
    n: u.maxUses,
  });
}

/** Where the citizen goes back to the requester after deciding (never shown to anyone else). */
export function returnUrl(record: ConsentRecord): string | undefined {
  if (!record.redirectUri) return undefined;
  const url = new URL(record.redirectUri);
  url.searchParams.set('consent_id', record.id);
  url.searchParams.set('status', record.status === 'ACTIVE' ? 'approved' : 'refused');
  if (record.clientState) url.searchParams.set('state', record.clientState);
  return url.toString();
}

export function consentPages(deps: ConsentPagesDeps): Router {
  const router = Router();
  const loginPath = deps.loginPath ?? '/auth/login';

  const sendPage = (res: Response, status: number, body: string) => {
    noStore(res);
    res.status(status).type('html').send(body);
  };
  const fail = (res: Response, lang: Lang, path: string, status: number, message: string) =>
    sendPage(res, status, messagePage(lang, path, t(lang, 'error.title'), message));

  const toLogin = (res: Response, id: string) =>
    res.redirect(303, `${loginPath}?as=citizen&return_to=${encodeURIComponent(`/consent/${id}`)}`);

  function renderForm(
    lang: Lang,
    path: string,
    record: ConsentRecord,
    organisation: Organisation,
    purpose: Purpose,
    csrf: string,
    onBehalf?: Representation,
  ): string {
    const org = organisation.names[lang];
    const records: SafeHtml[] = record.recordTypes.map((rtId, i) => {
      const type = deps.catalog.get(rtId);
      const asked = record.fieldsRequested[rtId]!;
      const fieldItem = (field: string, optional: boolean, j: number) => {
        const label = fieldLabel(lang, type, field);
        const text =
          label.lang === lang
            ? html`${label.text}`
            : html`<span lang="${label.lang}">${label.text}</span>
                <span class="tag">${t(lang, 'consent.englishOnly')}</span>`;
        if (!optional) {
          return html`<li>${text}<span class="tag">${t(lang, 'consent.required')}</span></li>`;
        }
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
      return html`<fieldset class="record">
        <legend>${type.names[lang]}</legend>
        <p class="record-description" lang="${recordDescription(lang, type).lang}">
          ${recordDescription(lang, type).text}
        </p>
        <ul class="fields">
          ${asked.required.map((f, j) => (askedApart(type, f) ? '' : fieldItem(f, false, j)))}
          ${asked.optional.map((f, j) =>
            askedApart(type, f) ? '' : fieldItem(f, true, asked.required.length + j),
          )}
        </ul>
      </fieldset>`;
    });

    const terms = html`<dl class="summary">
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
                ${t(lang, 'consent.retentionValue', {
                  value: record.dataLife.value,
                  unit: record.dataLife.unit,
                })}
              </dd>`
          : ''
      }
      <dt>${t(lang, 'consent.requestExpires')}</dt>
      <dd>${formatDateTime(lang, record.requestExpiresAt)}</dd>
    </dl>`;

    return layout({
      lang,
      path,
      title: t(lang, 'consent.title'),
      body: html`<h1>${t(lang, 'consent.title')}</h1>
        ${onBehalf ? onBehalfNotice(lang, onBehalf) : ''}
        <p>${t(lang, 'consent.intro', { org })}</p>
        <dl class="summary">
          <dt>${t(lang, 'consent.requester')}</dt>
          <dd>${org} <span class="tag">${t(lang, `class.${organisation.class}`)}</span></dd>
          <dt>${t(lang, 'consent.purpose')}</dt>
          <dd>${purpose.names[lang]}</dd>
          <dt>${t(lang, 'consent.legalBasis')}</dt>
          <dd lang="${legalBasisText(lang, record.legalBasis).lang}">
            ${legalBasisText(lang, record.legalBasis).text}
          </dd>
        </dl>
        <form method="post" action="/consent/${record.id}">
          <input type="hidden" name="${CSRF_FIELD}" value="${csrf}" />
          <input type="hidden" name="lang" value="${lang}" />
          <h2>${t(lang, 'consent.records')}</h2>
          <p class="hint">${t(lang, 'consent.recordsHint')}</p>
          ${records} ${separateSteps(lang, deps.catalog, record, org)}
          <h2>${t(lang, 'consent.terms')}</h2>
          ${terms}
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

  router.get('/consent/c/:code', async (req: Request, res: Response) => {
    const lang = chooseLang(req, res);
    const code = String(req.params.code);
    const record = /^[0-9A-Za-z]{8}$/.test(code) ? await deps.service.findByShortCode(code) : undefined;
    if (!record) return fail(res, lang, req.path, 404, t(lang, 'error.notFound'));
    res.redirect(303, `/consent/${record.id}`);
  });

  router.get('/consent/:id', async (req: Request, res: Response) => {
    const lang = chooseLang(req, res);
    const id = String(req.params.id);
    if (!UUID.test(id)) return fail(res, lang, req.path, 404, t(lang, 'error.notFound'));
    const citizen = citizenOf(res);
    if (!citizen) return toLogin(res, id);
    let loaded;
    try {
      loaded = await deps.service.forApproval(id);
    } catch (err) {
      if (err instanceof AppError && err.status === 404)
        return fail(res, lang, req.path, 404, t(lang, 'error.notFound'));
      throw err;
    }
    const { record, organisation, purpose } = loaded;
    const isSubject = record.subjectKey === citizen.subjectKey;
    const onBehalf = isSubject ? undefined : await deps.service.representationFor(citizen, record);
    if (record.subjectNamed && !isSubject && !onBehalf)
      return fail(res, lang, req.path, 403, t(lang, 'consent.notYours'));
    if (record.status !== 'REQUESTED') {
      if (!isSubject && !onBehalf) return fail(res, lang, req.path, 403, t(lang, 'consent.notYours'));
      return sendPage(
        res,
        200,
        messagePage(lang, req.path, t(lang, 'consent.title'), t(lang, `consent.status.${record.status}`)),
      );
    }
    sendPage(
      res,
      200,
      renderForm(
        lang,
        req.path,
        record,
        organisation,
        purpose,
        deps.csrf.token(res, csrfScope(id)),
        onBehalf,
      ),
    );
  });

  router.post('/consent/:id', async (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const lang: Lang = langOf(body.lang, req, res);
    const id = String(req.params.id);
    if (!UUID.test(id)) return fail(res, lang, req.path, 404, t(lang, 'error.notFound'));
    const citizen = citizenOf(res);
    if (!citizen) return toLogin(res, id);
    if (!deps.csrf.verify(res, csrfScope(id), body[CSRF_FIELD]))
      return fail(res, lang, req.path, 403, t(lang, 'consent.csrf'));
    const decision = body.decision;
    if (decision !== 'approve' && decision !== 'refuse') {
      return fail(res, lang, req.path, 400, t(lang, 'error.generic'));
    }
    const kept = (Array.isArray(body.keep) ? body.keep : body.keep === undefined ? [] : [body.keep]).map(
      String,
    );
    const keepOptional: Record<string, string[]> = {};
    for (const value of kept) {
      const at = value.lastIndexOf(FIELD_SEPARATOR);
      if (at < 1) continue;
      (keepOptional[value.slice(0, at)] ??= []).push(value.slice(at + 1));
    }
    try {
      await deps.service.decide(citizen, id, {
        approve: decision === 'approve',
        keepOptional,
        language: lang,
        separate: separateTicks(body),
      });
    } catch (err) {
      if (err instanceof AppError) {
        if (err.code === 'subject_mismatch')
          return fail(res, lang, req.path, 403, t(lang, 'consent.notYours'));
        if (err.status === 404) return fail(res, lang, req.path, 404, t(lang, 'error.notFound'));
        if (err.status === 409) return fail(res, lang, req.path, 409, t(lang, 'consent.conflict'));
      }
      throw err;
    }
    res.redirect(303, `/consent/${id}/done`);
  });

  router.get('/consent/:id/done', async (req: Request, res: Response) => {
    const lang = chooseLang(req, res);
    const id = String(req.params.id);
    if (!UUID.test(id)) return fail(res, lang, req.path, 404, t(lang, 'error.notFound'));
    const citizen = citizenOf(res);
    if (!citizen) return toLogin(res, id);
    const record = await deps.service.get(id);
    const decidedFor =
      record && record.subjectKey !== citizen.subjectKey
        ? await deps.service.representationFor(citizen, record)
        : undefined;
    if (
      !record ||
      (record.subjectKey !== citizen.subjectKey && !decidedFor) ||
      record.status === 'REQUESTED'
    ) {
      return fail(res, lang, req.path, 404, t(lang, 'error.notFound'));
    }
    const { organisation } = await deps.service.forApproval(id);
    const org = organisation.names[lang];
    const approved = record.status !== 'REJECTED';
    const back = returnUrl(record);
    sendPage(
      res,
      200,
      layout({
        lang,
        path: req.path,
        title: t(lang, 'consent.decidedTitle'),
        body: html`<h1>${t(lang, 'consent.decidedTitle')}</h1>
          <p class="notice ${approved ? 'ok' : ''}" role="status">
            ${t(lang, approved ? 'consent.approvedMessage' : 'consent.refusedMessage', { org })}
          </p>
          ${back ? html`<p><a class="button primary" href="${back}">${t(lang, 'consent.returnTo', { org })}</a></p>` : ''}`,
      }),
    );
  });

  return router;
}
