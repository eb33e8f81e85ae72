/** HTTP only: grants a citizen sees, makes and revokes; an administrator's registration on evidence. */
import { Router, type Request } from 'express';
import { principalAs, requirePrincipal, requireStaffRole } from '../auth/principal.js';
import type { RepresentativesService } from './representatives.service.js';
import type { AdminGrantInput, DelegationInput } from './representatives.types.js';

const param = (req: Request, name: string): string => String(req.params[name]);

export function representativesRouter(service: RepresentativesService): Router {
  const router = Router();
  const citizen = requirePrincipal('citizen');

  router.get('/v1/me/representatives', citizen, async (_req, res) => {
    res.set('Cache-Control', 'no-store').json(await service.listMine(principalAs(res, 'citizen')));
  });
  router.post('/v1/me/representatives', citizen, async (req, res) => {
    const grant = await service.delegate(principalAs(res, 'citizen'), req.body as DelegationInput);
    res.status(201).json(grant);
  });
  router.post('/v1/me/representatives/:id/revoke', citizen, async (req, res) => {
    res.json(await service.revokeMine(principalAs(res, 'citizen'), param(req, 'id')));
  });
  router.post('/v1/admin/representatives', requireStaffRole('admin'), async (req, res) => {
    const grant = await service.registerByAdmin(principalAs(res, 'staff'), req.body as AdminGrantInput);
    res.status(201).json(grant);
  });
  return router;
}
