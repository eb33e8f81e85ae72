/**
 * The administrator console (HTTP only; views in ./views). Every change calls the same audited use case as the
 * JSON admin API (server/organisations/organisations.service.ts, an admin event per change), after checking the
 * form against that operation's request schema in openapi/gateway.yaml:
 *   GET  /admin                                organisations; register one
 *   GET  /admin/organisations/:id              its status, clerks, API clients and permitted purposes
 *   POST /admin/organisations                  register          POST /admin/organisations/:id/status   suspend/reinstate
 *   POST /admin/organisations/:id/clerks       register a clerk  POST /admin/organisations/:id/clients  register a client
 *   POST /admin/organisations/:id/purposes     set purposes      POST /admin/clients/:id/status         suspend/reinstate
 *   GET  /admin/purposes  POST /admin/purposes  POST /admin/purposes/:code/retire
 *   GET  /admin/policies                       the loaded policy files and versions (read-only)
 * Forms carry the session's CSRF token; a change answers 303 to the page with a notice, a refusal re-renders it.
 */
import { Router, type Request, type Response } from 'express';
import type { Catalog } from '../catalog/catalog.types.js';
import type { CsrfGuard } from '../consents/consent.pages.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { Actor, OrganisationsService } from '../organisations/organisations.service.js';
import type { ActiveStatus, OrgClass, Purpose } from '../organisations/organisations.types.js';
import type { PolicyService } from '../policy/policy.service.js';
import { checkContract } from './contract.js';
import { loadDirectory } from './directory.js';
import type { RedirectsRepo } from './redirects.repo.js';
import { csrfRefused, notFoundPage, refusal, send, staffOf, str, type Staff } from './staff-http.js';
import { organisationPage, organisationsPage, type Typed } from './views/admin.views.js';
import { policiesPage, purposesPage } from './views/purposes.views.js';

export interface AdminPagesDeps {
  organisations: OrganisationsService;
  catalog: Pick<Catalog, 'list' | 'has' | 'get'>;
  policy: Pick<PolicyService, 'policySet' | 'summary'>;
  redirects: RedirectsRepo;
  csrf: CsrfGuard;
}

type Failure = ReturnType<typeof refusal>;
const DONE = /^(organisation|status|clerk|client|clientStatus|entitlements|purpose|retired)$/;
const list = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String);
const typedOf = (body: Record<string, unknown>): Typed =>
  Object.fromEntries(
    Object.entries(body)
      .filter(([k, v]) => typeof v === 'string' && k !== '_csrf')
      .map(([k, v]) => [k, v as string]),
  );

/** Whole days and counts from a form; anything else is left for the contract's schema to refuse. */
const int = (v: unknown): unknown => (/^\d{1,9}$/.test(str(v)) ? Number(str(v)) : str(v));

export function adminPages(deps: AdminPagesDeps): Router {
  const router = Router();
  const { organisations: service } = deps;
  const actorOf = (req: Request, staff: Staff): Actor => ({
    id: `admin:${staff.principal.sub}`,
    requestId: String(req.id),
  });
  const admin = (req: Request, res: Response, posted?: unknown) =>
    staffOf(req, res, deps.csrf, ['admin'], posted);
  const done = (req: Request) => (DONE.test(str(req.query.done)) ? str(req.query.done) : undefined);

  async function showOrganisations(
    res: Response,
    staff: Staff,
    extra: { done?: string; error?: Failure; typed?: Typed } = {},
  ) {
    const { organisations } = await loadDirectory(deps);
    send(
      res,
      extra.error?.status ?? 200,
      organisationsPage({
        viewer: staff.viewer,
        organisations,
        done: extra.done,
        error: extra.error,
        typed: extra.typed ?? {},
      }),
    );
  }

  async function showOrganisation(
    req: Request,
    res: Response,
    staff: Staff,
    id: string,
    extra: { done?: string; error?: Failure; typed?: Typed } = {},
  ) {
    let organisation;
    try {
      organisation = await service.getOrganisation(id);
    } catch (err) {
      if (err instanceof NotFoundError) return notFoundPage(req, res, staff.lang);
      throw err;
    }
    const [clerks, clients, entitled, directory] = await Promise.all([
      service.listClerks(id),
      service.listClients(id),
      service.entitlements(id),
      loadDirectory(deps),
    ]);
    const redirects = await deps.redirects.byClient(clients.map((c) => c.id));
    send(
      res,
      extra.error?.status ?? 200,
      organisationPage({
        viewer: staff.viewer,
        organisation,
        clerks,
        clients: clients.map((c) => ({ ...c, redirectUris: redirects.get(c.id) ?? [] })),
        purposes: directory.purposes.filter((p) => p.status === 'active' || entitled.includes(p.code)),
        entitled: new Set(entitled),
        done: extra.done,
        error: extra.error,
        typed: extra.typed ?? {},
      }),
    );
  }

  /** A POST: the admin, the CSRF check, the change; then 303 to `back` with a notice, or the page again with the refusal. */
  function change(
    path: string,
    work: (
      req: Request,
      staff: Staff,
      body: Record<string, unknown>,
    ) => Promise<{ back: string; done: string }>,
    again: (req: Request, res: Response, staff: Staff, error: Failure, typed: Typed) => Promise<void>,
  ) {
    router.post(path, async (req, res) => {
      const body = req.body as Record<string, unknown>;
      const staff = admin(req, res, body.lang);
      if (!staff || csrfRefused(req, res, deps.csrf, staff.lang)) return;
      let outcome;
      try {
        outcome = await work(req, staff, body);
      } catch (err) {
        return again(req, res, staff, refusal(staff.lang, err), typedOf(body));
      }
      res.redirect(303, `${outcome.back}?done=${outcome.done}&lang=${staff.lang}`);
    });
  }
  const param = (req: Request, name: string) => String(req.params[name]);
  const orgPage = (req: Request, res: Response, staff: Staff, error: Failure, typed: Typed) =>
    showOrganisation(req, res, staff, param(req, 'orgId'), { error, typed });
  const orgHref = (id: string) => `/admin/organisations/${encodeURIComponent(id)}`;

  router.get('/admin', async (req, res) => {
    const staff = admin(req, res);
    if (staff) await showOrganisations(res, staff, { done: done(req) });
  });
  router.get('/admin/organisations/:orgId', async (req, res) => {
    const staff = admin(req, res);
    if (staff) await showOrganisation(req, res, staff, param(req, 'orgId'), { done: done(req) });
  });

  change(
    '/admin/organisations',
    async (req, staff, b) => {
      const input = {
        id: str(b.id),
        class: str(b.class) as OrgClass,
        names: { ko: str(b.nameKo), en: str(b.nameEn), ja: str(b.nameJa) },
      };
      checkContract('/v1/admin/organisations', 'post', input);
      const created = await service.createOrganisation(input, actorOf(req, staff));
      return { back: orgHref(created.id), done: 'organisation' };
    },
    (_req, res, staff, error, typed) => showOrganisations(res, staff, { error, typed }),
  );

  change(
    '/admin/organisations/:orgId/status',
    async (req, staff, b) => {
      const to: ActiveStatus = str(b.to) === 'active' ? 'active' : 'suspended';
      const input = { reason: str(b.reason) };
      checkContract(
        `/v1/admin/organisations/{orgId}/${to === 'active' ? 'reinstate' : 'suspend'}`,
        'post',
        input,
      );
      await service.setOrganisationStatus(param(req, 'orgId'), to, input.reason, actorOf(req, staff));
      return { back: orgHref(param(req, 'orgId')), done: 'status' };
    },
    orgPage,
  );

  change(
    '/admin/organisations/:orgId/clerks',
    async (req, staff, b) => {
      const input = { idpIssuer: str(b.idpIssuer), idpSub: str(b.idpSub), name: str(b.clerkName) };
      checkContract('/v1/admin/organisations/{orgId}/clerks', 'post', input);
      await service.createClerk(param(req, 'orgId'), input, actorOf(req, staff));
      return { back: orgHref(param(req, 'orgId')), done: 'clerk' };
    },
    orgPage,
  );

  change(
    '/admin/organisations/:orgId/clients',
    async (req, staff, b) => {
      let jwks: unknown;
      try {
        jwks = JSON.parse(str(b.jwks));
      } catch {
        throw new ValidationError('The JWKS is not JSON.', [{ pointer: '/jwks', message: 'not JSON' }]);
      }
      const input = {
        ...(str(b.clientId) ? { id: str(b.clientId) } : {}),
        name: str(b.clientName),
        jwks,
        dpopRequired: b.dpopRequired === 'yes',
      };
      checkContract('/v1/admin/organisations/{orgId}/clients', 'post', input);
      await service.createClient(
        param(req, 'orgId'),
        input as Parameters<OrganisationsService['createClient']>[1],
        actorOf(req, staff),
      );
      return { back: orgHref(param(req, 'orgId')), done: 'client' };
    },
    async (req, res, staff, error, typed) =>
      orgPage(req, res, staff, error, { ...typed, dpopRequired: typed.dpopRequired ?? 'no' }),
  );

  change(
    '/admin/organisations/:orgId/purposes',
    async (req, staff, b) => {
      const input = { purposes: list(b.purposes) };
      checkContract('/v1/admin/organisations/{orgId}/purposes', 'put', input);
      await service.setEntitlements(param(req, 'orgId'), input.purposes, actorOf(req, staff));
      return { back: orgHref(param(req, 'orgId')), done: 'entitlements' };
    },
    orgPage,
  );

  change(
    '/admin/clients/:clientId/status',
    async (req, staff, b) => {
      const to: ActiveStatus = str(b.to) === 'active' ? 'active' : 'suspended';
      const input = { reason: str(b.reason) };
      checkContract(
        `/v1/admin/clients/{clientId}/${to === 'active' ? 'reinstate' : 'suspend'}`,
        'post',
        input,
      );
      const client = await service.getClient(param(req, 'clientId'));
      await service.setClientStatus(client.id, to, input.reason, actorOf(req, staff));
      return { back: orgHref(client.orgId), done: 'clientStatus' };
    },
    (req, res, staff, error, typed) =>
      showOrganisation(req, res, staff, str(req.body.orgId), { error, typed }),
  );

  async function showPurposes(
    res: Response,
    staff: Staff,
    extra: { done?: string; error?: Failure; typed?: Typed; records?: string[] } = {},
  ) {
    const directory = await loadDirectory(deps);
    const { recordTypes } = directory.options(staff.lang);
    send(
      res,
      extra.error?.status ?? 200,
      purposesPage({
        viewer: staff.viewer,
        purposes: directory.purposes,
        recordTypes,
        recordName: directory.names(staff.lang).record,
        done: extra.done,
        error: extra.error,
        typed: extra.typed ?? {},
        typedRecords: new Set(extra.records ?? []),
      }),
    );
  }

  router.get('/admin/purposes', async (req, res) => {
    const staff = admin(req, res);
    if (staff) await showPurposes(res, staff, { done: done(req) });
  });

  change(
    '/admin/purposes',
    async (req, staff, b) => {
      const input = {
        code: str(b.code),
        names: { ko: str(b.nameKo), en: str(b.nameEn), ja: str(b.nameJa) },
        legalBasis: str(b.legalBasis),
        consentBasis: str(b.consentBasis),
        recordTypes: list(b.recordTypes),
        bounds: {
          maxConsentDays: int(b.maxConsentDays),
          maxUses: int(b.maxUses),
          maxDataRangeDays: int(b.maxDataRangeDays),
        },
        procedure: b.procedure === 'yes',
      };
      checkContract('/v1/admin/purposes', 'post', input);
      await service.createPurpose(input as Omit<Purpose, 'status'>, actorOf(req, staff));
      return { back: '/admin/purposes', done: 'purpose' };
    },
    (req, res, staff, error, typed) =>
      showPurposes(res, staff, { error, typed, records: list(req.body.recordTypes) }),
  );

  change(
    '/admin/purposes/:code/retire',
    async (req, staff, b) => {
      const input = { reason: str(b.reason) };
      checkContract('/v1/admin/purposes/{code}/retire', 'post', input);
      await service.retirePurpose(param(req, 'code'), input.reason, actorOf(req, staff));
      return { back: '/admin/purposes', done: 'retired' };
    },
    (_req, res, staff, error, typed) => showPurposes(res, staff, { error, typed }),
  );

  router.get('/admin/policies', (req, res) => {
    const staff = admin(req, res);
    if (!staff) return;
    send(
      res,
      200,
      policiesPage({
        viewer: staff.viewer,
        files: deps.policy.policySet.files,
        summary: deps.policy.summary(),
      }),
    );
  });

  return router;
}
