/**
 * HTTP helpers shared by the staff consoles: who is signed in (a staff principal of the right role, else the
 * sign-in page or the shared 403 page), the viewer model of the page shell, CSRF checks on forms, and refused
 * changes as a sentence in the page's language.
 */
import type { Request, Response } from 'express';
import { principalOf, type StaffPrincipal } from '../auth/principal.js';
import type { CsrfGuard } from '../consents/consent.pages.js';
import { AppError } from '../errors.js';
import { chooseLang, langOf, t, type Lang } from '../web/i18n.js';
import { messagePage } from '../web/layout.js';
import type { Reader } from '../audit/auditor.service.js';
import { signInPage, type StaffRole, type Viewer } from './views/shell.js';

export const CSRF_SCOPE = 'staff';

export function send(res: Response, status: number, body: string): void {
  res.set('Cache-Control', 'no-store').status(status).type('html').send(body);
}

/** The page path with its query but without lang (the language switch adds its own). */
export function pathOf(req: Request): string {
  const url = new URL(req.originalUrl, 'http://x.invalid');
  url.searchParams.delete('lang');
  const q = url.searchParams.toString();
  return q ? `${url.pathname}?${q}` : url.pathname;
}

export interface Staff {
  principal: StaffPrincipal;
  viewer: Viewer;
  reader: Reader;
  lang: Lang;
}

/**
 * The signed-in staff member when their role is one of `roles`; otherwise the answer is sent (sign-in page
 * for nobody, the shared 403 page for anyone else) and undefined returned.
 */
export function staffOf(
  req: Request,
  res: Response,
  csrf: CsrfGuard,
  roles: StaffRole[],
  posted?: unknown,
): Staff | undefined {
  const lang = posted === undefined ? chooseLang(req, res) : langOf(posted, req, res);
  const p = principalOf(res);
  if (!p) {
    send(
      res,
      401,
      signInPage(
        lang,
        pathOf(req),
        req.method === 'GET' ? pathOf(req) : `/${roles[0] === 'admin' ? 'admin' : 'audit'}`,
      ),
    );
    return undefined;
  }
  if (p.kind !== 'staff' || !roles.includes(p.role)) {
    send(res, 403, messagePage(lang, pathOf(req), t(lang, 'error.title'), t(lang, 'error.forbidden')));
    return undefined;
  }
  const actor = `${p.role}:${p.sub}`;
  return {
    principal: p,
    lang,
    reader: { actor, requestId: String(req.id) },
    viewer: { lang, path: pathOf(req), name: p.sub, role: p.role, csrf: csrf.token(res, CSRF_SCOPE) },
  };
}

/** A POST without this session's CSRF token: the shared error page, nothing changed. */
export function csrfRefused(req: Request, res: Response, csrf: CsrfGuard, lang: Lang): boolean {
  const body = req.body as Record<string, unknown>;
  if (csrf.verify(res, CSRF_SCOPE, body._csrf)) return false;
  send(res, 403, messagePage(lang, pathOf(req), t(lang, 'error.title'), t(lang, 'staff.csrf')));
  return true;
}

export function notFoundPage(req: Request, res: Response, lang: Lang): void {
  send(res, 404, messagePage(lang, pathOf(req), t(lang, 'error.title'), t(lang, 'error.notFound')));
}

/** A refusal the person can act on (4xx), as the page's sentence plus the service's detail; else rethrown. */
export function refusal(lang: Lang, err: unknown): { lead: string; details: string[]; status: number } {
  if (!(err instanceof AppError) || err.status >= 500) throw err;
  const key =
    err.status === 409
      ? 'staff.error.conflict'
      : err.status === 404
        ? 'staff.error.notFound'
        : 'staff.error.invalid';
  const details = err.issues?.length
    ? err.issues.map((i) => `${i.pointer}: ${i.message}`)
    : err.detail
      ? [err.detail]
      : [];
  return { lead: t(lang, key), details, status: err.status };
}

export const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
