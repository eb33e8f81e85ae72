/**
 * The administrator console (HTTP only; views in ./views). Every change calls the same audited use case as the
 * JSON admin API (server/organisations/organisations.service.ts, an admin event per change), after checking the
 * form against that operation's request schema in openapi/gateway.yaml:
 *   GET  /admin                                organisations; register one
 *   GET  /admin/organisations/:id              its status, clerks, API clients and permitted purposes
 *   POST /admin/organisations                  register          POST /admin/organisations/:id/status   suspend/reinstate
 *   POST /admin/organisations/:id/clerks       register a clerk  POST /admin/organisations/:id/clients  register a client
 *   POST /admin/organisations/:id/purposes     set purposes      POST /admin/clients/:id/status         suspend/reinstate
 *   /admin/purposes and /admin/policies: admin-purposes.pages.ts
 * Forms carry the session's CSRF token; a change answers 303 to the page with a notice, a refusal re-renders it
 * (admin-forms.ts).
 */
import { Router, type Request, type Response } from 'express';
import type { Catalog } from '../catalog/catalog.types.js';
import type { CsrfGuard } from '../consents/consent.pages.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { OrganisationsService } from '../organisations/organisations.service.js';
import type { ActiveStatus, OrgClass } from '../organisations/organisations.types.js';
import type { PolicyService } from '../policy/policy.service.js';
import { adminRoutes, list, param, type Failure } from './admin-forms.js';
import { purposePages } from './admin-purposes.pages.js';
import { checkContract } from './contract.js';
import { loadDirectory } from './directory.js';
import type { RedirectsRepo } from './redirects.repo.js';
import { notFoundPage, send, str, type Staff } from './staff-http.js';
import { organisationPage, organisationsPage, type Typed } from './views/admin.views.js';

export interface AdminPagesDeps {
  organisations: OrganisationsService;
  catalog: Pick<Catalog, 'list' | 'has' | 'get'>;
  policy: Pick<PolicyService, 'policySet' | 'summary'>;
  redirects: RedirectsRepo;
  csrf: CsrfGuard;
}

export function adminPages(deps: AdminPagesDeps): Router {
  const router = Router();
  const { organisations: service } = deps;
  const routes = adminRoutes(router, deps.csrf);
  const { admin, change, actorOf } = routes;
  const done = routes.done;

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

  purposePages(router, routes, deps);

  return router;
}
