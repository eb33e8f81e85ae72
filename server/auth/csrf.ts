/**
 * CSRF protection for cookie-authenticated requests (synchronizer token): each session has a
 * random secret; pages put it in a hidden `_csrf` field (or scripts in an `X-CSRF-Token` header)
 * and unsafe requests must send it back. SameSite=Lax already keeps the cookie off cross-site
 * POSTs; this also covers same-site attackers (sibling subdomains) and older browsers.
 */
import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { ForbiddenError } from '../errors.js';

export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What authenticate leaves in res.locals.session for a cookie-authenticated request. */
export interface SessionLocals {
  idHash: string;
  csrfToken: string;
  expiresAt: Date;
}

export function sessionOf(res: Response): SessionLocals | undefined {
  return res.locals.session as SessionLocals | undefined;
}

/** The token a page embeds in its forms; undefined without a session. */
export function csrfToken(res: Response): string | undefined {
  return sessionOf(res)?.csrfToken;
}

function sameToken(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

/** True when an unsafe request carries its session's CSRF token (form field or header). */
export function hasValidCsrfToken(req: Request, res: Response): boolean {
  const session = sessionOf(res);
  if (!session) return false;
  const body = req.body as Record<string, unknown> | undefined;
  const given =
    (typeof body === 'object' && body !== null ? body[CSRF_FIELD] : undefined) ?? req.get(CSRF_HEADER);
  return sameToken(given, session.csrfToken);
}

export class CsrfError extends ForbiddenError {
  constructor() {
    super('forbidden', 'The form has expired or did not come from this site; reload the page and try again.');
  }
}

/** For form POSTs of signed-in pages: 403 unless the session's token comes back. */
export function requireCsrf(req: Request, res: Response, next: NextFunction): void {
  if (SAFE_METHODS.has(req.method)) return next();
  if (!hasValidCsrfToken(req, res)) return next(new CsrfError());
  next();
}

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method);
}
