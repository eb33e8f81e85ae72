/**
 * The authentication middleware (compose's `authenticate` slot). In order:
 *  - an Authorization header: a Bearer or DPoP access token from a configured issuer, for an
 *    active client of an active organisation, DPoP-bound when the client requires it → client
 *    principal. Anything wrong is a 401 problem; a bad token never falls back to anonymous.
 *  - a session cookie: the live server-side session (idle timeout slides) → its principal. An
 *    unsafe API request authenticated this way must carry the session's CSRF token.
 *  - neither: anonymous (routes decide, via their declared access rule).
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { NON_API_PATHS } from '../shared/paths.js';
import { UnauthenticatedError } from '../errors.js';
import type { OrganisationsService } from '../organisations/organisations.service.js';
import type { AccessTokenVerifier } from './access-token.js';
import { clearSessionCookie, readCookie, SESSION_COOKIE, type CookiePolicy } from './cookies.js';
import { deferringStore } from './deferred-proof.js';
import { authenticationRefused } from './refusal.js';
import { CsrfError, hasValidCsrfToken, isSafeMethod, type SessionLocals } from './csrf.js';
import { externalBase } from './login.routes.js';
import type { ClientPrincipal, Principal } from './principal.js';
import type { SessionsRepo } from './sessions.repo.js';

export interface AuthenticateDeps {
  /** Undefined when no access-token issuer is configured: every token is then refused. */
  verifier: AccessTokenVerifier | undefined;
  organisations: Pick<OrganisationsService, 'activeClient'>;
  sessions: SessionsRepo;
  cookies: CookiePolicy;
  publicUrl: string | undefined;
  /**
   * Requests whose DPoP proof id is claimed later, in their own first statement, instead of here
   * (server/auth/deferred-proof.ts); the proof is still verified here in full.
   */
  defersProofClaim?: (req: Request) => boolean;
}

const refuse = authenticationRefused;

async function clientPrincipal(
  req: Request,
  res: Response,
  deps: AuthenticateDeps,
): Promise<ClientPrincipal> {
  const authorization = req.get('authorization')!;
  const dpopScheme = /^dpop\s/i.test(authorization);
  if (!deps.verifier)
    throw refuse('This gateway accepts no access tokens: no issuer is configured.', dpopScheme);
  let found: Awaited<ReturnType<AuthenticateDeps['organisations']['activeClient']>>;
  let verified;
  const deferred = deps.defersProofClaim?.(req) ? deferringStore() : undefined;
  try {
    verified = await deps.verifier.verify({
      authorization,
      dpop: req.headers.dpop,
      method: req.method,
      url: `${externalBase(req, deps.publicUrl)}${req.originalUrl}`,
      replayStore: deferred?.store,
      // Before any DPoP proof is checked: an unknown or suspended client burns no proof id.
      checkClient: async ({ clientId, org }) => {
        found = await deps.organisations.activeClient(clientId);
        if (!found) {
          throw new UnauthenticatedError(
            'The client is not registered, or it or its organisation is suspended.',
          );
        }
        if (org !== undefined && org !== found.organisation.id) {
          throw new UnauthenticatedError(
            'The access token names another organisation than the client belongs to.',
          );
        }
        return { requireDPoP: found.client.dpopRequired };
      },
    });
  } catch (err) {
    if (err instanceof UnauthenticatedError) {
      const dpop = dpopScheme || req.headers.dpop !== undefined || found?.client.dpopRequired === true;
      throw refuse(err.detail ?? 'The access token is not valid.', dpop);
    }
    throw err;
  }
  if (!found) throw refuse('The client is not registered.', dpopScheme);
  const pending = deferred?.pending();
  if (pending) res.locals.pendingProof = pending;
  return {
    kind: 'client',
    clientId: found.client.id,
    orgId: found.organisation.id,
    scope: verified.scope,
    ...(verified.cnfJkt ? { cnfJkt: verified.cnfJkt } : {}),
  };
}

export function createAuthenticate(deps: AuthenticateDeps): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (req.headers.authorization !== undefined) {
      res.locals.principal = await clientPrincipal(req, res, deps);
      res.locals.authenticatedBy = 'token';
      return next();
    }

    const token = readCookie(req, SESSION_COOKIE);
    if (token) {
      const session = await deps.sessions.find(token);
      if (!session) {
        clearSessionCookie(res, deps.cookies); // ended or unknown: the browser may forget it
        return next();
      }
      res.locals.principal = { ...session.principal, sessionId: session.idHash } as Principal;
      res.locals.session = {
        idHash: session.idHash,
        csrfToken: session.csrfSecret,
        expiresAt: session.expiresAt,
      } satisfies SessionLocals;
      res.locals.authenticatedBy = 'session';
      if (!isSafeMethod(req.method) && !NON_API_PATHS.test(req.path) && !hasValidCsrfToken(req, res)) {
        throw new CsrfError();
      }
    }
    next();
  };
}
