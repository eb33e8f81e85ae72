/**
 * Browser sign-in (not part of the JSON API contract; /auth is outside the OpenAPI validator):
 *   GET  /auth/login?as=citizen|clerk|staff&return_to=/path  → the identity provider
 *   GET  /auth/callback                                        → session cookie, back to return_to
 *   POST /auth/logout   (CSRF token in `_csrf` or X-CSRF-Token) → /auth/signed-out
 *   GET  /auth/signed-out                                      → link to the provider's logout
 *   GET  /auth/session                                         → who is signed in + CSRF token (JSON)
 * Sign-in starts with a GET link: helmet's `form-action 'self'` would stop Chrome from following
 * a form POST's redirect to another origin.
 */
import { Router, type Request, type Response } from 'express';
import { ValidationError, UnauthenticatedError } from '../errors.js';
import { html } from '../web/html.js';
import { chooseLang, t } from '../web/i18n.js';
import { layout } from '../web/layout.js';
import './auth.messages.js';
import {
  clearLoginCookie,
  clearSessionCookie,
  LOGIN_COOKIE,
  readCookie,
  SESSION_COOKIE,
  setLoginCookie,
  setSessionCookie,
  type CookiePolicy,
} from './cookies.js';
import { CsrfError, hasValidCsrfToken, sessionOf } from './csrf.js';
import { LOGIN_KINDS, safeReturnTo, type LoginService } from './login.service.js';
import { principalOf, type Principal } from './principal.js';
import { LOGIN_TTL_SEC, type LoginKind, type SessionsRepo } from './sessions.repo.js';

export interface LoginRoutesDeps {
  login: LoginService;
  sessions: SessionsRepo;
  cookies: CookiePolicy;
  publicUrl: string | undefined;
}

/** Our external origin: PUBLIC_URL when set, else what the request was addressed to. */
export function externalBase(req: Request, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl.replace(/\/$/, '');
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

/** Staff who signed in from the home page land on their console; any other return path is kept. */
export function landingPath(principal: Principal, returnTo: string): string {
  if (returnTo !== '/' || principal.kind !== 'staff') return returnTo;
  return principal.role === 'admin' ? '/admin' : '/audit';
}

function noStore(res: Response): Response {
  return res.set('Cache-Control', 'no-store');
}

export function loginRouter(deps: LoginRoutesDeps): Router {
  const { login, sessions, cookies } = deps;
  const router = Router();

  router.get('/auth/login', async (req, res) => {
    const as = req.query.as ?? 'citizen';
    if (typeof as !== 'string' || !LOGIN_KINDS.includes(as as LoginKind)) {
      throw new ValidationError('`as` must be citizen, clerk or staff.', [
        { pointer: '/as', message: 'citizen, clerk or staff' },
      ]);
    }
    const returnTo = safeReturnTo(req.query.return_to);
    const redirectUri = `${externalBase(req, deps.publicUrl)}/auth/callback`;
    const { url, binding } = await login.begin(as as LoginKind, returnTo, redirectUri);
    setLoginCookie(res, cookies, binding, LOGIN_TTL_SEC);
    noStore(res).redirect(303, url.href);
  });

  router.get('/auth/callback', async (req, res) => {
    const binding = readCookie(req, LOGIN_COOKIE);
    clearLoginCookie(res, cookies);
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(req.query))
      if (typeof value === 'string') query.set(key, value);
    const result = await login.complete(binding, query);
    // A new session id at every sign-in (no fixation); the previous one, if any, ends.
    const previous = readCookie(req, SESSION_COOKIE);
    if (previous) await sessions.destroy(previous);
    setSessionCookie(res, cookies, result.token, sessions.timeouts.absoluteSec);
    noStore(res).redirect(303, landingPath(result.principal, result.returnTo));
  });

  router.post('/auth/logout', async (req, res) => {
    const token = readCookie(req, SESSION_COOKIE);
    if (sessionOf(res)) {
      if (!hasValidCsrfToken(req, res)) throw new CsrfError();
      await sessions.destroy(token!);
    }
    clearSessionCookie(res, cookies);
    noStore(res).redirect(303, '/auth/signed-out');
  });

  router.get('/auth/signed-out', async (req, res) => {
    const endSession = await login.endSessionUrl(`${externalBase(req, deps.publicUrl)}/`);
    const lang = chooseLang(req, res);
    const title = t(lang, 'signedOut.title');
    const body = html`<h1>${title}</h1>
      ${endSession ? html`<p><a href="${endSession.href}">${t(lang, 'signedOut.idp')}</a></p>` : ''}
      <p><a href="/">${t(lang, 'signedOut.home')}</a></p>`;
    noStore(res)
      .type('html')
      .send(layout({ lang, path: '/auth/signed-out', title, body }));
  });

  router.get('/auth/session', (_req, res) => {
    const principal = principalOf(res);
    const session = sessionOf(res);
    if (!principal || !session) throw new UnauthenticatedError('Nobody is signed in.');
    noStore(res).json({
      principal,
      csrfToken: session.csrfToken,
      expiresAt: session.expiresAt.toISOString(),
    });
  });

  return router;
}
