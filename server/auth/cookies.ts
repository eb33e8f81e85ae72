/** Cookie reading (the `cookie` package) and writing: our two cookies, their attributes in one place. */
import { parse as parseCookieHeader } from 'cookie';
import type { Request, Response } from 'express';

export const SESSION_COOKIE = 'juc_session';
/** Binds a sign-in in progress to the browser that started it; path-limited to /auth. */
export const LOGIN_COOKIE = 'juc_login';

/** The first cookie of that name, raw (not URI-decoded): our tokens are base64url, anything else is refused. */
export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  const value = parseCookieHeader(header, { decode: (raw) => raw })[name];
  return value !== undefined && /^[A-Za-z0-9_-]{1,200}$/.test(value) ? value : undefined;
}

export interface CookiePolicy {
  /**
   * Browsers drop `Secure` cookies set over plain http, so Secure is set when the public URL is
   * https or NODE_ENV=production (which must be behind https), and left off for http loopback dev.
   */
  secure: boolean;
}

export function cookiePolicy(publicUrl: string | undefined, nodeEnv: string): CookiePolicy {
  return { secure: nodeEnv === 'production' || (publicUrl ?? '').startsWith('https://') };
}

function write(
  res: Response,
  policy: CookiePolicy,
  name: string,
  value: string,
  options: { path: string; maxAgeSec?: number },
): void {
  res.cookie(name, value, {
    httpOnly: true,
    secure: policy.secure,
    sameSite: 'lax',
    path: options.path,
    ...(options.maxAgeSec !== undefined ? { maxAge: options.maxAgeSec * 1000 } : {}),
  });
}

export function setSessionCookie(
  res: Response,
  policy: CookiePolicy,
  token: string,
  maxAgeSec: number,
): void {
  write(res, policy, SESSION_COOKIE, token, { path: '/', maxAgeSec });
}

export function clearSessionCookie(res: Response, policy: CookiePolicy): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, secure: policy.secure, sameSite: 'lax', path: '/' });
}

export function setLoginCookie(
  res: Response,
  policy: CookiePolicy,
  binding: string,
  maxAgeSec: number,
): void {
  write(res, policy, LOGIN_COOKIE, binding, { path: '/auth', maxAgeSec });
}

export function clearLoginCookie(res: Response, policy: CookiePolicy): void {
  res.clearCookie(LOGIN_COOKIE, { httpOnly: true, secure: policy.secure, sameSite: 'lax', path: '/auth' });
}
