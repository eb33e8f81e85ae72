/** HTTP only: consent requests (requesters), consent tokens (clients) and the citizen's own consents. */
import { Router, type Request, type Response } from 'express';
import {
  principalAs,
  principalOf,
  requirePrincipal,
  type ClerkPrincipal,
  type ClientPrincipal,
} from '../auth/principal.js';
import { ForbiddenError } from '../errors.js';
import type { ConsentsService } from './consents.service.js';
import type { ConsentRequestInput } from './consents.types.js';

const param = (req: Request, name: string): string => String(req.params[name]);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Clerks act through their console, clients through their token (its scope is checked by the access layer). */
function requester(res: Response): ClientPrincipal | ClerkPrincipal {
  const p = principalOf(res);
  if (p?.kind === 'clerk' || p?.kind === 'client') return p;
  throw new ForbiddenError();
}

export function consentsRouter(service: ConsentsService): Router {
  const router = Router();
  const requesters = requirePrincipal('client', 'clerk');

  router.post('/v1/consent-requests', requesters, async (req, res) => {
    const view = await service.createRequest(requester(res), req.body as ConsentRequestInput);
    res.status(201).location(`/v1/consent-requests/${view.id}`).json(view);
  });

  router.get('/v1/consent-requests/:id', requesters, async (req, res) => {
    res.set('Cache-Control', 'no-store').json(await service.getRequest(requester(res), param(req, 'id')));
  });

  router.post('/v1/consents/:id/token', requirePrincipal('client'), async (req, res) => {
    const issued = await service.issueToken(principalAs(res, 'client'), param(req, 'id'));
    res.set('Cache-Control', 'no-store').json(issued);
  });

  const citizen = requirePrincipal('citizen');
  router.get('/v1/me/consents', citizen, async (req, res) => {
    const limit = str(req.query.limit);
    res.set('Cache-Control', 'no-store').json(
      await service.listMine(principalAs(res, 'citizen'), {
        limit: limit === undefined ? undefined : Number(limit),
        cursor: str(req.query.cursor),
      }),
    );
  });
  router.get('/v1/me/consents/:id', citizen, async (req, res) => {
    res
      .set('Cache-Control', 'no-store')
      .json(await service.getMine(principalAs(res, 'citizen'), param(req, 'id')));
  });
  // A JSON body is required on these (the contract says so), which a cross-site HTML form cannot send.
  for (const action of ['pause', 'resume', 'revoke'] as const) {
    router.post(`/v1/me/consents/:id/${action}`, citizen, async (req, res) => {
      const reason = str((req.body as { reason?: unknown } | undefined)?.reason);
      res.json(await service[action](principalAs(res, 'citizen'), param(req, 'id'), reason));
    });
  }
  return router;
}
