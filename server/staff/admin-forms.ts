/**
 * What the administrator console's handlers share (admin.pages.ts, admin-purposes.pages.ts): the admin check,
 * the done notice, the actor of a change, and `change`, a POST that checks the CSRF token, runs the audited use
 * case and answers 303 to the page with a notice, or renders the page again with the refusal and what was typed.
 */
import type { Request, Response, Router } from 'express';
import type { CsrfGuard } from '../consents/consent.pages.js';
import type { Actor } from '../organisations/organisations.service.js';
import { csrfRefused, refusal, staffOf, str, type Staff } from './staff-http.js';
import type { Typed } from './views/admin.views.js';

export type Failure = ReturnType<typeof refusal>;
export type Again = (
  req: Request,
  res: Response,
  staff: Staff,
  error: Failure,
  typed: Typed,
) => Promise<void>;
export type Work = (
  req: Request,
  staff: Staff,
  body: Record<string, unknown>,
) => Promise<{ back: string; done: string }>;

const DONE = /^(organisation|status|clerk|client|clientStatus|entitlements|purpose|retired)$/;

export const list = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String);

const typedOf = (body: Record<string, unknown>): Typed =>
  Object.fromEntries(
    Object.entries(body)
      .filter(([k, v]) => typeof v === 'string' && k !== '_csrf')
      .map(([k, v]) => [k, v as string]),
  );

/** Whole days and counts from a form; anything else is left for the contract's schema to refuse. */
export const int = (v: unknown): unknown => (/^\d{1,9}$/.test(str(v)) ? Number(str(v)) : str(v));

export const param = (req: Request, name: string) => String(req.params[name]);

export interface AdminRoutes {
  admin(req: Request, res: Response, posted?: unknown): Staff | undefined;
  done(req: Request): string | undefined;
  actorOf(req: Request, staff: Staff): Actor;
  change(path: string, work: Work, again: Again): void;
}

export function adminRoutes(router: Router, csrf: CsrfGuard): AdminRoutes {
  const admin = (req: Request, res: Response, posted?: unknown) => staffOf(req, res, csrf, ['admin'], posted);
  return {
    admin,
    done: (req) => (DONE.test(str(req.query.done)) ? str(req.query.done) : undefined),
    actorOf: (req, staff) => ({ id: `admin:${staff.principal.sub}`, requestId: String(req.id) }),
    change(path, work, again) {
      router.post(path, async (req, res) => {
        const body = req.body as Record<string, unknown>;
        const staff = admin(req, res, body.lang);
        if (!staff || csrfRefused(req, res, csrf, staff.lang)) return;
        let outcome;
        try {
          outcome = await work(req, staff, body);
        } catch (err) {
          return again(req, res, staff, refusal(staff.lang, err), typedOf(body));
        }
        res.redirect(303, `${outcome.back}?done=${outcome.done}&lang=${staff.lang}`);
      });
    },
  };
}
