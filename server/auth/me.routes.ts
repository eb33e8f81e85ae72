/** GET /v1/me: who the caller is, as the gateway authenticated them (any signed-in kind). */
import { Router } from 'express';
import { UnauthenticatedError } from '../errors.js';
import { principalOf, type Principal } from './principal.js';

/** What a caller may see about themselves; never a session id, subject key or token. */
export function describePrincipal(principal: Principal): Record<string, unknown> {
  switch (principal.kind) {
    case 'citizen':
      return {
        kind: 'citizen',
        sub: principal.sub,
        ...(principal.acr ? { acr: principal.acr } : {}),
        ...(principal.amr ? { amr: principal.amr } : {}),
        ...(principal.authTime ? { authTime: new Date(principal.authTime * 1000).toISOString() } : {}),
      };
    case 'clerk':
      return {
        kind: 'clerk',
        sub: principal.sub,
        clerkId: principal.clerkId,
        orgId: principal.orgId,
        ...(principal.name ? { name: principal.name } : {}),
      };
    case 'client':
      return {
        kind: 'client',
        clientId: principal.clientId,
        orgId: principal.orgId,
        scope: principal.scope,
        dpopBound: principal.cnfJkt !== undefined,
      };
    case 'staff':
      return { kind: 'staff', sub: principal.sub, role: principal.role };
  }
}

export function meRouter(): Router {
  const router = Router();
  router.get('/v1/me', (_req, res) => {
    const principal = principalOf(res);
    if (!principal) throw new UnauthenticatedError();
    res.set('Cache-Control', 'no-store').json(describePrincipal(principal));
  });
  return router;
}
