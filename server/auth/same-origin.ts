/**
 * Cross-site request refusal for every request a browser cookie could authenticate: the approval form,
 * the portal's pause/resume/revoke and notification forms, the console's query form, logout, and the
 * portal's scripted API calls. The CSRF token (csrf.ts) stays the main guard; this is the second one,
 * from what the browser itself says about where the request comes from:
 *
 * - `Sec-Fetch-Site` (sent by every current browser, set by the browser alone): only `same-origin`, or
 *   `none` for a request the person started themselves, pass. `same-site` is refused too: a sibling
 *   subdomain is exactly the attacker SameSite=Lax cookies do not stop. When it is present it decides.
 * - `Origin`, for browsers without Sec-Fetch-Site (Safari before 16.4): must be our origin, PUBLIC_URL's
 *   when set, else the origin the request was addressed to; `null` (sandboxed frames) is refused. The
 *   Referrer-Policy is `same-origin` (server/app.ts) because under `no-referrer` browsers send
 *   `Origin: null` even for our own forms.
 *
 * Requests with an `Authorization` header are API calls whose credential the browser never adds by
 * itself, so they are left to the access layer. Safe methods change nothing and pass.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError } from '../errors.js';
import { chooseLang, defineMessages, t } from '../web/i18n.js';
import { html } from '../web/html.js';
import { messagePage } from '../web/layout.js';
import { isSafeMethod } from './csrf.js';

export const CROSS_SITE_CODE = 'cross_site_request';

defineMessages({
  ko: {
    'crossSite.title': '요청을 처리하지 않았습니다',
    'crossSite.message':
      '다른 사이트에서 보낸 양식이어서 처리하지 않았습니다. 이 사이트에서 페이지를 열어 다시 시도해 주십시오.',
  },
  en: {
    'crossSite.title': 'Request refused',
    'crossSite.message':
      'This form was sent from another site, so it was not accepted. Open the page on this site and try again.',
  },
  ja: {
    'crossSite.title': 'リクエストを受け付けませんでした',
    'crossSite.message':
      'このフォームは別のサイトから送信されたため、受け付けませんでした。このサイトでページを開いて、もう一度お試しください。',
  },
});

export class CrossSiteRequestError extends AppError {
  constructor(detail: string) {
    super(403, CROSS_SITE_CODE, 'Cross-site request refused', { detail });
  }
}

/** Why the request comes from another site, or undefined when nothing says so. */
export function crossSiteReason(req: Request, ownOrigin: string): string | undefined {
  const site = req.get('sec-fetch-site');
  if (site !== undefined) {
    if (site === 'same-origin' || site === 'none') return undefined;
    return `Sec-Fetch-Site is ${site}; state-changing requests must come from this site's own pages.`;
  }
  const origin = req.get('origin');
  if (origin !== undefined && origin !== ownOrigin) {
    return `Origin ${origin} is not ${ownOrigin}.`;
  }
  return undefined;
}

/**
 * Our origin is PUBLIC_URL's when set, otherwise each request's own (scheme and Host as Express sees
 * them). Pages get an HTML answer a person can read; everything else problem+json.
 */
export function sameOriginOnly(publicUrl: string | undefined, pagePaths: RegExp): RequestHandler {
  const fixed = publicUrl ? new URL(publicUrl).origin : undefined;
  return (req: Request, res: Response, next: NextFunction) => {
    if (isSafeMethod(req.method) || req.headers.authorization !== undefined) return next();
    const reason = crossSiteReason(req, fixed ?? `${req.protocol}://${req.get('host') ?? ''}`);
    if (!reason) return next();
    if (pagePaths.test(req.path) && req.accepts(['html', 'json']) === 'html') {
      const lang = chooseLang(req, res);
      res
        .status(403)
        .type('html')
        .setHeader('Cache-Control', 'no-store')
        .send(
          messagePage(
            lang,
            req.path,
            t(lang, 'crossSite.title'),
            html`${t(lang, 'crossSite.message')} <small>(<code>${CROSS_SITE_CODE}</code>)</small>`,
          ),
        );
      return;
    }
    next(new CrossSiteRequestError(reason));
  };
}
