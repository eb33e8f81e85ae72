/** HTTP only: the citizen's protection orders and an administrator's court-order registration. */
import { Router, type Request } from 'express';
import { principalAs, requirePrincipal, requireStaffRole } from '../auth/principal.js';
import type { ProtectionsService } from './protections.service.js';
import type { PartyInput } from './protections.types.js';
import './protection.messages.js';

const param = (req: Request, name: string): string => String(req.params[name]);

export function protectionsRouter(service: ProtectionsService): Router {
  const router = Router();
  const citizen = requirePrincipal('citizen');

  router.post('/v1/me/protection-orders', citizen, async (req, res) => {
    const order = await service.registerMine(principalAs(res, 'citizen'), req.body as PartyInput);
    res.status(201).location(`/v1/me/protection-orders/${order.id}`).json(order);
  });
  router.get('/v1/me/protection-orders', citizen, async (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ items: await service.listMine(principalAs(res, 'citizen')) });
  });
  router.post('/v1/me/protection-orders/:id/withdraw', citizen, async (req, res) => {
    res.json(await service.withdrawMine(principalAs(res, 'citizen'), param(req, 'id')));
  });

  router.post('/v1/admin/protection-orders', requireStaffRole('admin'), async (req, res) => {
    const order = await service.registerByCourtOrder(
      principalAs(res, 'staff'),
      req.body as Parameters<ProtectionsService['registerByCourtOrder']>[1],
    );
    res.status(201).json(order);
  });
  return router;
}
