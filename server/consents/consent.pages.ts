/**
 * The citizen's approval screen (thin handlers; the form is consent-form.view.ts): GET /consent/:id shows whom
 * it is about, who asks, why, each record and field, duration, usage and retention; optional fields are
 * checkboxes the citizen may untick; a counter visit may be allowed for less time or fewer uses. POST /consent/:id approves or refuses (CSRF
 * token bound to the session and the request). /consent/c/:code is the short link shown at the counter.
 * A visitor not signed in as a citizen is sent to the citizen login and back.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { CSRF_FIELD, csrfToken } from '../auth/csrf.js';
import { principalOf, type CitizenPrincipal } from '../auth/principal.js';
import type { Catalog } from '../catalog/catalog.types.js';
import { AppError } from '../errors.js';
import type { PolicyService } from '../policy/policy.service.js';
import './consent-ko.messages.js';
import './consent.messages.js';
import { html } from '../web/html.js';
import { chooseLang, langOf, t, type Lang } from '../web/i18n.js';
import { layout } from '../web/layout.js';
import { consentEndView, consentFormView, FIELD_SEPARATOR } from './consent-form.view.js';
import type { ConsentsService } from './consents.service.js';
import type { ConsentRecord } from './consents.types.js';
import { separateTicks } from './separate-consent.page.js';

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
  /** The release policy: a field it never releases for the purpose is not listed as "needed". */
  policy?: Pick<PolicyService, 'plan'>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const csrfScope = (id: string) => `consent:${id}`;

function noStore(res: Response): void {
  res.set('Cache-Control', 'no-store');
}

function citizenOf(res: Response): CitizenPrincipal | undefined {
  const p = principalOf(res);
  return p?.kind === 'citizen' ? p : undefined;
}

/** A posted whole number (the shorter duration or uses), else undefined; the decide use case bounds it. */
function postedCount(value: unknown): number | undefined {
  return typeof value === 'string' && /^[0-9]{1,4}$/.test(value) ? Number(value) : undefined;
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
    sendPage(
      res,
      status,
      consentEndView(lang, path, t(lang, 'error.title'), message, message === t(lang, 'consent.notYours')),
    );

  /** Top-level fields the policy withholds from this requester for this purpose whatever was consented. */
  const neverReleased = (record: ConsentRecord) => (recordType: string) => {
    if (!deps.policy) return new Set<string>();
    try {
      const plan = deps.policy.plan({
        requester: { orgId: record.requesterOrg, class: record.requesterClass },
        purpose: record.purposeCode,
        recordType,
        consentedFields: 'all',
        requestedFields: 'all',
      });
      const released = new Set(plan.release.flatMap((f) => [f.name, ...f.sources]));
      return new Set(plan.withheld.map((w) => w.name).filter((name) => !released.has(name)));
    } catch {
      return new Set<string>();
    }
  };

  const toLogin = (res: Response, id: string) =>
    res.redirect(303, `${loginPath}?as=citizen&return_to=${encodeURIComponent(`/consent/${id}`)}`);

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
        consentEndView(lang, req.path, t(lang, 'consent.title'), t(lang, `consent.status.${record.status}`)),
      );
    }
    sendPage(
      res,
      200,
      consentFormView({
        lang,
        path: req.path,
        record,
        organisation,
        purpose,
        csrf: deps.csrf.token(res, csrfScope(id)),
        catalog: deps.catalog,
        onBehalf,
        neverReleased: neverReleased(record),
      }),
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
        shorten: { durationDays: postedCount(body.duration_days), maxUses: postedCount(body.max_uses) },
      });
    } catch (err) {
      if (err instanceof AppError) {
        if (err.code === 'subject_mismatch')
          return fail(res, lang, req.path, 403, t(lang, 'consent.notYours'));
        if (err.status === 404) return fail(res, lang, req.path, 404, t(lang, 'error.notFound'));
        if (err.status === 409) return fail(res, lang, req.path, 409, t(lang, 'consent.conflict'));
        if (err.status === 400) return fail(res, lang, req.path, 400, t(lang, 'error.generic'));
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
