/**
 * Sign-in and API authentication, wired once for compose: the authentication middleware (or a
 * test's stand-in) followed by the declared access rules, the /auth pages, GET /v1/me, and the
 * purge of ended sessions, abandoned sign-ins and spent DPoP ids.
 */
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { periodicTask } from '../shared/periodic-task.js';
import type { BackgroundTask } from '../shared/types.js';
import type { Config } from '../config.js';
import type { OrganisationsService } from '../organisations/organisations.service.js';
import { createAccessControl, loadOperationAccess } from './access.js';
import { createAccessTokenVerifier } from './access-token.js';
import { createAuthenticate } from './authenticate.js';
import { claimAfterResponse, claimBeforeRefusal, pendingProofOf } from './deferred-proof.js';
import type { ReplayStore } from './replay-store.js';
import { cookiePolicy } from './cookies.js';
import type { IdentitySetup } from './identity.js';
import { loginRouter } from './login.routes.js';
import { createLoginService, type LoginService } from './login.service.js';
import { meRouter } from './me.routes.js';
import { createPgReplayStore, createSessionsRepo, type SessionsRepo } from './sessions.repo.js';

export interface AuthModule {
  sessions: SessionsRepo;
  login: LoginService;
  /** Authentication (`override` replaces it in tests) then the access rules of openapi/gateway.yaml. */
  middleware(override?: RequestHandler): RequestHandler;
  pageRouter: Router;
  apiRouter: Router;
  cleanup: BackgroundTask;
  /** Where DPoP proof ids are claimed (PostgreSQL, shared by every gateway). */
  replayStore: ReplayStore;
  /** The error step that claims a deferred proof id before any refusal (deferred-proof.ts). */
  claimBeforeRefusal: ErrorRequestHandler;
}

/** Runs two middlewares as one, passing errors (thrown, rejected or next(err)) on. */
function chain(first: RequestHandler, second: RequestHandler): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const then = (err?: unknown) => {
      if (err) return next(err);
      try {
        void Promise.resolve(second(req, res, next)).catch(next);
      } catch (error) {
        next(error);
      }
    };
    try {
      void Promise.resolve(first(req, res, then)).catch(next);
    } catch (error) {
      next(error);
    }
  };
}

const CLEANUP_INTERVAL_MS = 60_000;

export function createAuthModule(deps: {
  config: Readonly<Config>;
  db: Knex;
  logger: Logger;
  organisations: OrganisationsService;
  identity: IdentitySetup | undefined;
  now?: () => Date;
  /** Requests that claim their DPoP proof id in their own first statement (deferred-proof.ts). */
  defersProofClaim?: (req: Request) => boolean;
}): AuthModule {
  const { config, db, logger, organisations } = deps;
  const identity = deps.identity ?? { rp: undefined, apiIssuers: [] };
  const sessions = createSessionsRepo(
    db,
    { idleSec: config.auth.sessionIdleTimeoutSec, absoluteSec: config.auth.sessionAbsoluteTimeoutSec },
    deps.now,
  );
  const cookies = cookiePolicy(config.publicUrl, config.nodeEnv);
  const replayStore = createPgReplayStore(db, deps.now);
  const verifier = identity.apiIssuers.length
    ? createAccessTokenVerifier({
        issuers: identity.apiIssuers,
        dpop: { replayStore },
        ...(deps.now ? { now: () => deps.now!().getTime() } : {}),
      })
    : undefined;
  const authenticate = createAuthenticate({
    verifier,
    organisations,
    sessions,
    cookies,
    publicUrl: config.publicUrl,
    ...(deps.defersProofClaim ? { defersProofClaim: deps.defersProofClaim } : {}),
  });
  const guardDeferred: RequestHandler = (_req, res, next) => {
    if (pendingProofOf(res)) claimAfterResponse(replayStore, res, logger);
    next();
  };
  const accessControl = createAccessControl(loadOperationAccess(), logger);
  const login = createLoginService({
    rp: identity.rp,
    sessions,
    organisations,
    subjectPepper: config.subjectPepper,
    logger,
  });

  return {
    sessions,
    login,
    middleware: (override) => chain(chain(override ?? authenticate, guardDeferred), accessControl),
    pageRouter: loginRouter({ login, sessions, cookies, publicUrl: config.publicUrl }),
    apiRouter: meRouter(),
    replayStore,
    claimBeforeRefusal: claimBeforeRefusal(replayStore),
    cleanup: periodicTask({
      name: 'auth-cleanup',
      intervalMs: CLEANUP_INTERVAL_MS,
      run: () => sessions.purgeExpired(),
      onError: (err) => logger.warn({ err }, 'auth cleanup failed'),
    }),
  };
}
