/**
 * createApp(deps): the whole HTTP surface, built from dependencies passed in (no module globals),
 * so tests assemble it against a real database and swap only what they must.
 */
import express, { type ErrorRequestHandler, type Express, type RequestHandler, type Router } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import helmet from 'helmet';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { sameOriginOnly } from './auth/same-origin.js';
import { docsRouter, OPENAPI_DIR } from './docs/docs.routes.js';
import { healthRouter } from './health/health.routes.js';
import type { HealthService } from './health/health.service.js';
import { cookiePolicy } from './auth/cookies.js';
import { noteDuplicateKeys } from './http/duplicate-keys.js';
import type { HotRoute } from './http/hot-route.js';
import { inputRule } from './http/input-rule.js';
import { httpLogger } from './http/logger.js';
import { metricsMiddleware, type Metrics } from './http/metrics.js';
import { validatedAsGet } from './http/head-requests.js';
import { problemHandler } from './http/problem.js';
import { responseValidation } from './http/response-validation.js';
import { requestId } from './http/request-id.js';
import { NotFoundError } from './errors.js';
import { createLoadShedder, loadShedding } from './limits/load-shedder.js';
import { NON_API_PATHS } from './shared/paths.js';
import { join } from 'node:path';

export interface AppDeps {
  config: Pick<
    Config,
    | 'bodyLimitBytes'
    | 'validateResponses'
    | 'responseViolations'
    | 'trustProxy'
    | 'publicUrl'
    | 'nodeEnv'
    | 'shedding'
  >;
  logger: Logger;
  metrics: Metrics;
  health: HealthService;
  /** Sets res.locals.principal from a session cookie or a bearer token (a bad token is a 401), then applies the declared access rules. */
  authenticate: RequestHandler;
  /**
   * The routes most requests take (POST /v1/queries): each matched before any other, behind the same
   * edge steps, authentication and contract validation as the routers below.
   */
  hotRoutes?: HotRoute[];
  /** Extra routers mounted after the contract validator (API) or before it (pages). */
  apiRouters?: Router[];
  pageRouters?: Router[];
  /**
   * Error steps that see a failure before the problem handler answers it: `early` right after the
   * body parser and input rule (which fail before authentication), `late` after every router (the
   * audit of refused queries: server/queries/refusal-steps.ts).
   */
  errorSteps?: { early?: ErrorRequestHandler[]; late?: ErrorRequestHandler[] };
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.trustProxy);
  app.set('query parser', 'simple');

  const edge = edgeSteps(deps);
  // Every request passes these first, in this order. Overload: the shedder refuses the excess with a
  // 503 before any parsing, authentication or database work (reliability L2).
  const front = [
    edge.requestId,
    edge.draining,
    edge.httpLogger,
    edge.metrics,
    edge.helmet,
    edge.shedding,
    edge.json,
    edge.urlencoded,
    edge.inputRule,
  ];
  // Hot routes first: the same steps (the same instances, so one load shedder and one contract
  // validator) in the same order, without walking the page, docs and health routers every request
  // would otherwise pass. Their failures go down the one error chain below, as any route's.
  for (const route of deps.hotRoutes ?? []) {
    app[route.method](
      route.path,
      ...front,
      edge.sameOrigin,
      deps.authenticate,
      ...edge.validator,
      ...route.handlers,
    );
  }

  app.use(front);
  for (const step of deps.errorSteps?.early ?? []) app.use(step);

  app.use(docsRouter());
  // Before authentication: a cross-site form is refused before its session cookie is even read.
  app.use(edge.sameOrigin);
  app.use(deps.authenticate);
  for (const router of deps.pageRouters ?? []) app.use(router);

  app.use(edge.validator);
  app.use(healthRouter(deps.health, deps.metrics));
  for (const router of deps.apiRouters ?? []) app.use(router);

  app.use((_req, _res, next) => next(new NotFoundError()));
  for (const step of deps.errorSteps?.late ?? []) app.use(step);
  app.use(problemHandler(deps.logger, deps.metrics));
  return app;
}

/** The steps every request passes before its route, built once. */
function edgeSteps(deps: AppDeps) {
  return {
    requestId: requestId(),
    // Draining: each answer closes its connection, so a keep-alive client opens a new one (to a
    // process that is not stopping) instead of sending its next request on a socket we will close.
    draining: ((_req, res, next) => {
      if (deps.health.isDraining()) res.setHeader('Connection', 'close');
      next();
    }) as RequestHandler,
    httpLogger: httpLogger(deps.logger),
    metrics: metricsMiddleware(deps.metrics),
    helmet: helmet({
      contentSecurityPolicy: {
        directives: {
          'script-src': ["'self'"],
          'style-src': ["'self'"],
          'img-src': ["'self'", 'data:'],
          'connect-src': ["'self'"],
          'upgrade-insecure-requests': null,
        },
      },
      // Our own forms carry their real Origin (under helmet's default no-referrer it is `null`), which
      // server/auth/same-origin.ts checks in browsers without Sec-Fetch-Site; other sites get no referrer.
      referrerPolicy: { policy: 'same-origin' },
      // HSTS wherever cookies are Secure (an https public URL, or production, which must be behind
      // https); plain-HTTP local development must not be pinned to HTTPS by a browser.
      strictTransportSecurity: cookiePolicy(deps.config.publicUrl, deps.config.nodeEnv).secure
        ? { maxAge: 31_536_000, includeSubDomains: true }
        : false,
    }),
    shedding: loadShedding(createLoadShedder(deps.config.shedding), () => deps.metrics.requestsShed.inc()),
    json: express.json({
      limit: deps.config.bodyLimitBytes,
      type: ['application/json', 'application/*+json'],
      strict: true,
      verify: noteDuplicateKeys,
    }),
    urlencoded: express.urlencoded({ limit: deps.config.bodyLimitBytes, extended: false }),
    inputRule: inputRule(),
    sameOrigin: sameOriginOnly(deps.config.publicUrl, NON_API_PATHS),
    validator: validatedAsGet(
      OpenApiValidator.middleware({
        apiSpec: join(OPENAPI_DIR, 'gateway.yaml'),
        validateRequests: { allowUnknownQueryParameters: false, removeAdditional: false, allErrors: true },
        validateResponses: responseValidation(deps.config, deps.metrics, deps.logger),
        validateSecurity: false,
        ignorePaths: NON_API_PATHS,
      }),
    ),
  };
}
