/** HTTP only: the auditor API (auditor and admin roles; declared in openapi/gateway.yaml). */
import { Router, type Request, type Response } from 'express';
import { principalOf } from '../auth/principal.js';
import type { AuditorService, Reader } from './auditor.service.js';

/** The staff member reading (x-access already limits these operations to auditors and admins). */
function readerOf(req: Request, res: Response): Reader {
  const p = principalOf(res);
  return { actor: p?.kind === 'staff' ? `${p.role}:${p.sub}` : 'unknown', requestId: String(req.id) };
}

const q = (req: Request, name: string): string | undefined => {
  const v = (req.query as Record<string, unknown>)[name];
  return v === undefined || v === '' ? undefined : String(v);
};
const date = (req: Request, name: string) => (q(req, name) ? new Date(q(req, name)!) : undefined);

export function auditorRouter(service: AuditorService): Router {
  const router = Router();
  router.get('/v1/audit/entries', async (req, res) => {
    res.set('Cache-Control', 'no-store').json(
      await service.entries(
        {
          organisation: q(req, 'organisation'),
          clerk: q(req, 'clerk'),
          client: q(req, 'client'),
          purpose: q(req, 'purpose'),
          recordType: q(req, 'record_type'),
          outcome: q(req, 'outcome'),
          from: date(req, 'from'),
          to: date(req, 'to'),
        },
        { limit: q(req, 'limit') ? Number(q(req, 'limit')) : undefined, cursor: q(req, 'cursor') },
        readerOf(req, res),
      ),
    );
  });
  router.get('/v1/audit/anomalies', async (req, res) => {
    res
      .set('Cache-Control', 'no-store')
      .json(await service.anomalies({ from: date(req, 'from'), to: date(req, 'to') }, readerOf(req, res)));
  });
  return router;
}
