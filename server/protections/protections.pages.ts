/**
 * The portal's protections page (/portal/protections): thin handlers over the same use cases as the
 * API (/v1/me/protection-orders, /v1/me/representatives); the HTML is protections.views.ts. Every
 * POST carries the session's CSRF token; a change answers 303 back to the page, a refused one the page
 * again with what went wrong. Only a signed-in citizen sees anything.
 */
import { Router, type Request, type Response } from 'express';
import { CSRF_FIELD } from '../auth/csrf.js';
import { principalOf, type CitizenPrincipal } from '../auth/principal.js';
import type { Catalog } from '../catalog/catalog.types.js';
import type { CsrfGuard } from '../consents/consent.pages.js';
import { AppError } from '../errors.js';
import type { OrganisationsService } from '../organisations/organisations.service.js';
import type { RepresentativesService } from '../representatives/representatives.service.js';
import { chooseLang, langOf, type Lang } from '../web/i18n.js';
import type { ProtectionsService } from './protections.service.js';
import type { PartyInput, PartyKind } from './protections.types.js';
import {
  PROTECTIONS_PATH as PATH,
  protectionsGatePage,
  protectionsPage,
  type Named,
  type ProtectionsPageData,
} from './protections.views.js';

export interface ProtectionPagesDeps {
  protections: ProtectionsService;
  representatives: RepresentativesService;
  catalog: Pick<Catalog, 'list'>;
  organisations: Pick<OrganisationsService, 'listOrganisations'>;
  csrf: CsrfGuard;
  now?: () => Date;
  loginPath?: string;
}

/** The session's own token (sessionCsrfGuard); the scope names this page for principals without one. */
const SCOPE = 'portal-protections';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NO_SUCH_ID = '00000000-0000-0000-0000-000000000000';
const DAY_MS = 86_400_000;

const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
const list = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)];
const idParam = (req: Request): string =>
  UUID.test(String(req.params.id)) ? String(req.params.id) : NO_SUCH_ID;

/** The party a posted order names: the field that goes with the chosen kind. */
export function partyFromForm(body: Record<string, unknown>): PartyInput {
  const kind = str(body.kind) as PartyKind;
  const label = str(body.label);
  const named =
    kind === 'person'
      ? { nationalId: str(body.nationalId) }
      : kind === 'organisation'
        ? { orgId: str(body.orgId) }
        : { clerkId: str(body.clerkId) };
  return { kind, ...named, ...(label ? { label } : {}) };
}

export function protectionPages(deps: ProtectionPagesDeps): Router {
  const router = Router();
  const clock = deps.now ?? (() => new Date());
  const loginPath = deps.loginPath ?? '/auth/login';

  const send = (res: Response, status: number, body: string) => {
    res.set('Cache-Control', 'no-store');
    res.status(status).type('html').send(body);
  };

  async function named(lang: Lang): Promise<{ organisations: Named[]; recordTypes: Named[] }> {
    const orgs = await deps.organisations.listOrganisations({ status: 'active', limit: 100 });
    return {
      organisations: orgs.items
        .map((o) => ({ id: o.id, name: o.names[lang] }))
        .sort((a, b) => a.name.localeCompare(b.name, lang)),
      recordTypes: deps.catalog
        .list()
        .filter((rt) => rt.subjectKind === 'person')
        .map((rt) => ({ id: rt.id, name: rt.names[lang] })),
    };
  }

  async function render(
    res: Response,
    lang: Lang,
    citizen: CitizenPrincipal,
    notice?: ProtectionsPageData['notice'],
    status = 200,
  ) {
    const [orders, grants, names] = await Promise.all([
      deps.protections.listMine(citizen),
      deps.representatives.listMine(citizen),
      named(lang),
    ]);
    const csrfToken = deps.csrf.token(res, SCOPE);
    send(
      res,
      status,
      protectionsPage({ lang, csrfToken, orders, grants, ...names, ...(notice ? { notice } : {}) }),
    );
  }

  /** The citizen, or the answer for anyone else: a sign-in link (200) or a 403. */
  function gate(res: Response, lang: Lang): CitizenPrincipal | undefined {
    const principal = principalOf(res);
    if (principal?.kind === 'citizen') return principal;
    const signIn = `${loginPath}?as=citizen&return_to=${encodeURIComponent(PATH)}`;
    send(res, principal ? 403 : 200, protectionsGatePage(lang, Boolean(principal), signIn));
    return undefined;
  }

  router.get(PATH, async (req, res) => {
    const lang = chooseLang(req, res);
    const citizen = gate(res, lang);
    if (citizen) await render(res, lang, citizen, req.query.done === '1' ? 'done' : undefined);
  });

  /** A form's change: the citizen, CSRF, the use case, then back to the page or the page with the failure. */
  const post = (
    path: string,
    change: (citizen: CitizenPrincipal, body: Record<string, unknown>, req: Request) => Promise<unknown>,
  ) =>
    router.post(path, async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const lang = langOf(body.lang, req, res);
      const citizen = gate(res, lang);
      if (!citizen) return;
      if (!deps.csrf.verify(res, SCOPE, body[CSRF_FIELD])) return render(res, lang, citizen, 'failed', 403);
      try {
        await change(citizen, body, req);
      } catch (err) {
        if (err instanceof AppError && err.status < 500)
          return render(res, lang, citizen, 'failed', err.status);
        throw err;
      }
      res.redirect(303, `${PATH}?done=1`);
    });

  post(`${PATH}/orders`, (citizen, body) => deps.protections.registerMine(citizen, partyFromForm(body)));
  post(`${PATH}/orders/:id/withdraw`, (citizen, _body, req) =>
    deps.protections.withdrawMine(citizen, idParam(req)),
  );
  post(`${PATH}/grants`, (citizen, body) => {
    const days = Math.min(365, Math.max(1, Math.floor(Number(str(body.days)) || 0)));
    return deps.representatives.delegate(citizen, {
      representative: { scheme: 'rrn', id: str(body.representativeId), name: str(body.representativeName) },
      principalName: str(body.principalName),
      recordTypes: list(body.recordType),
      validUntil: new Date(clock().getTime() + days * DAY_MS).toISOString(),
    });
  });
  post(`${PATH}/grants/:id/revoke`, (citizen, _body, req) =>
    deps.representatives.revokeMine(citizen, idParam(req)),
  );
  return router;
}
