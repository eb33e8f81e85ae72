/** HTTP only: the purpose registry (public) and the admin API for organisations, clients and clerks. */
import { Router, type Request, type Response } from 'express';
import { principalOf, requireStaffRole } from '../auth/principal.js';
import type { Actor, OrganisationsService } from './organisations.service.js';
import type { ActiveStatus, OrgClass, Purpose } from './organisations.types.js';

function actorOf(req: Request, res: Response): Actor {
  const principal = principalOf(res);
  const id = principal?.kind === 'staff' ? `admin:${principal.sub}` : 'unknown';
  return { id, requestId: String(req.id) };
}

/** Express 5 types allow string[] for wildcard params; ours are all single segments. */
const param = (req: Request, name: string): string => String(req.params[name]);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
// The contract validator has already coerced and range-checked query values.
const num = (v: unknown): number | undefined => (v === undefined || v === '' ? undefined : Number(v));

export function purposesRouter(service: OrganisationsService): Router {
  const router = Router();
  router.get('/v1/purposes', async (req, res) => {
    res.json(
      await service.listPurposes({
        limit: num(req.query.limit) ?? 50,
        ...(str(req.query.after) ? { after: str(req.query.after)! } : {}),
        ...(str(req.query.recordType) ? { recordType: str(req.query.recordType)! } : {}),
        status: 'active',
      }),
    );
  });
  router.get('/v1/purposes/:code', async (req, res) => {
    res.json(await service.getPurpose(param(req, 'code')));
  });
  return router;
}

export function adminRouter(service: OrganisationsService): Router {
  const router = Router();
  const read = requireStaffRole('admin', 'auditor');
  const write = requireStaffRole('admin');

  router.get('/v1/admin/organisations', read, async (req, res) => {
    res.json(
      await service.listOrganisations({
        limit: num(req.query.limit) ?? 50,
        ...(str(req.query.after) ? { after: str(req.query.after)! } : {}),
        ...(str(req.query.class) ? { class: str(req.query.class) as OrgClass } : {}),
        ...(str(req.query.status) ? { status: str(req.query.status) as ActiveStatus } : {}),
      }),
    );
  });
  router.post('/v1/admin/organisations', write, async (req, res) => {
    const created = await service.createOrganisation(req.body, actorOf(req, res));
    res.status(201).location(`/v1/admin/organisations/${created.id}`).json(created);
  });
  router.get('/v1/admin/organisations/:orgId', read, async (req, res) => {
    const organisation = await service.getOrganisation(param(req, 'orgId'));
    res.json({ ...organisation, purposes: await service.entitlements(organisation.id) });
  });
  router.post('/v1/admin/organisations/:orgId/suspend', write, async (req, res) => {
    res.json(
      await service.setOrganisationStatus(
        param(req, 'orgId'),
        'suspended',
        req.body.reason,
        actorOf(req, res),
      ),
    );
  });
  router.post('/v1/admin/organisations/:orgId/reinstate', write, async (req, res) => {
    res.json(
      await service.setOrganisationStatus(param(req, 'orgId'), 'active', req.body.reason, actorOf(req, res)),
    );
  });
  router.put('/v1/admin/organisations/:orgId/purposes', write, async (req, res) => {
    res.json({
      purposes: await service.setEntitlements(param(req, 'orgId'), req.body.purposes, actorOf(req, res)),
    });
  });

  router.get('/v1/admin/organisations/:orgId/clients', read, async (req, res) => {
    res.json({ items: await service.listClients(param(req, 'orgId')) });
  });
  router.post('/v1/admin/organisations/:orgId/clients', write, async (req, res) => {
    const created = await service.createClient(param(req, 'orgId'), req.body, actorOf(req, res));
    res.status(201).json(created);
  });
  router.post('/v1/admin/clients/:clientId/suspend', write, async (req, res) => {
    res.json(
      await service.setClientStatus(param(req, 'clientId'), 'suspended', req.body.reason, actorOf(req, res)),
    );
  });
  router.post('/v1/admin/clients/:clientId/reinstate', write, async (req, res) => {
    res.json(
      await service.setClientStatus(param(req, 'clientId'), 'active', req.body.reason, actorOf(req, res)),
    );
  });

  router.get('/v1/admin/organisations/:orgId/clerks', read, async (req, res) => {
    res.json({ items: await service.listClerks(param(req, 'orgId')) });
  });
  router.post('/v1/admin/organisations/:orgId/clerks', write, async (req, res) => {
    res.status(201).json(await service.createClerk(param(req, 'orgId'), req.body, actorOf(req, res)));
  });

  router.post('/v1/admin/purposes', write, async (req, res) => {
    const created = await service.createPurpose(req.body as Omit<Purpose, 'status'>, actorOf(req, res));
    res.status(201).location(`/v1/purposes/${created.code}`).json(created);
  });
  router.post('/v1/admin/purposes/:code/retire', write, async (req, res) => {
    res.json(await service.retirePurpose(param(req, 'code'), req.body.reason, actorOf(req, res)));
  });
  return router;
}
