/**
 * The composition root: builds every domain service and router from config and a database, and
 * hands them to createApp. boot.ts (the real process) and the tests both call this, so tests run
 * the same wiring as production and swap only what they pass in.
 */
import type { Express, RequestHandler, Router } from 'express';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import type { BackgroundTask } from './shared/types.js';
import type { Config } from './config.js';
import { poolStats } from './db/db.js';
import { pendingMigrations } from './db/migrations.js';
import { createHealthService } from './health/health.service.js';
import { createMetrics, type Metrics } from './http/metrics.js';
import { createAuditModule, type AuditModule } from './audit/audit.module.js';
import { createAuthModule, type AuthModule } from './auth/auth.module.js';
import type { IdentitySetup } from './auth/identity.js';
import { openKeyStore } from './keys/open-key-store.js';
import { keyStoreTask } from './keys/key-refresh.js';
import type { KeyStore } from './keys/key-store.js';
import { keysRouter } from './keys/keys.routes.js';
import { loadCatalog, type Catalog } from './catalog/catalog.js';
import { catalogRouter } from './catalog/catalog.routes.js';
import { createCatalogService } from './catalog/catalog.service.js';
import { providersFromConfig } from './providers/provider-config.js';
import { loadProviderSigningKey, type RequestSigningKey } from './providers/provider-key.js';
import type { ProviderRegistry } from './providers/provider-registry.js';
import { createOrganisationsRepo } from './organisations/organisations.repo.js';
import { subjectKey } from './audit/commitment.js';
import { createRefusalAudit } from './queries/audit-refusal.js';
import { isQueryRequest, queryRefusalSteps } from './queries/refusal-steps.js';
import { createQueriesModule } from './queries/queries.module.js';
import type { QueryService } from './queries/queries.service.js';
import { withAccessCache } from './queries/cached-access.js';
import { createStateCache } from './db/state-cache.js';
import { adminRouter, purposesRouter } from './organisations/organisations.routes.js';
import {
  createOrganisationsService,
  type OrganisationsService,
} from './organisations/organisations.service.js';
import { policyRouter } from './policy/policy.routes.js';
import { createConsentsModule, publicBaseUrl, type ConsentsModule } from './consents/consents.module.js';
import { createConsentsRepo } from './consents/consents.repo.js';
import { createRequestWithdrawal } from './console/request-withdrawal.js';
import { guardedPost, type Resolve } from './notices/outbound.js';
import { createPortalModule, type PortalModule } from './portal/portal.module.js';
import { webAssetsRouter } from './web/static.js';
import { landingRouter } from './web/landing.js';
import { sessionCsrfGuard } from './consents/consent.pages.js';
import { protectionPages } from './protections/protections.pages.js';
import { createProtectionsModule } from './protections/protections.module.js';
import { createConsoleRepo } from './console/console.repo.js';
import { consolePages } from './console/console.pages.js';
import { createConsoleService } from './console/console.service.js';
import { loadPolicyService, type PolicyService } from './policy/policy.service.js';
import { createStaffPages } from './staff/staff.module.js';

export type { BackgroundTask };

export interface ComposeOptions {
  config: Readonly<Config>;
  db: Knex;
  logger: Logger;
  /** Test-only: routers mounted before the API contract (pages) or after it. */
  extraPageRouters?: Router[];
  extraApiRouters?: Router[];
  readinessTimeoutMs?: number;
  /** Host name resolver of the webhook SSRF guard (tests point names at 127.0.0.1 with it). */
  resolve?: Resolve;
  /**
   * Test-only: replaces the authentication middleware (which sets res.locals.principal) so a
   * domain can be tested before or without the identity providers.
   */
  authenticate?: RequestHandler;
  /** Sign-in provider and access-token issuers (server/auth/identity.ts); none → tokens refused, no sign-in. */
  identity?: IdentitySetup;
  /** The record catalog, when the caller has already loaded it (tests share one). */
  catalog?: Catalog;
  /** One registry serving every holder without a URL of its own (tests); default REGISTRY_URL. */
  registryUrl?: string;
  /** Per-holder registry URLs that win over configuration (boot: the in-process reference registries). */
  holderUrls?: Readonly<Record<string, string>>;
  /** Per-holder request-signing keys that win over configuration (boot: the in-process registries' keys). */
  holderKeys?: Readonly<Record<string, RequestSigningKey>>;
  /** Our key for registry request tokens, when the caller has loaded it; default from KEY_STORE_DIR. */
  providerSigningKey?: RequestSigningKey;
  /** Test-only: a policies folder other than policies/. */
  policyDir?: string;
  /** Test-only: the clock services use (embargoes, checkpoint cadence). */
  now?: () => Date;
}

/** The domain services, for the process (seeding, CLI) and for tests. */
export interface Services {
  catalog: Catalog;
  organisations: OrganisationsService;
  providers: ProviderRegistry;
  policy: PolicyService;
  consents: ConsentsModule['service'];
  /** The verification use case, for in-process callers (the clerk console). */
  queries: QueryService;
}

export interface Composition {
  app: Express;
  metrics: Metrics;
  background: BackgroundTask[];
  services: Services;
  setDraining(value: boolean): void;
  keys: KeyStore;
  audit: AuditModule;
  auth: AuthModule;
  portal: PortalModule;
}

export async function compose(options: ComposeOptions): Promise<Composition> {
  const { config, db, logger } = options;
  let draining = false;
  const metrics = createMetrics(() => poolStats(db));
  const health = createHealthService({
    pingDatabase: async () => void (await db.raw('select 1')),
    pendingMigrations: () => pendingMigrations(db),
    isDraining: () => draining,
    ...(options.readinessTimeoutMs ? { timeoutMs: options.readinessTimeoutMs } : {}),
  });

  const pageRouters: Router[] = [...(options.extraPageRouters ?? [])];
  const apiRouters: Router[] = [...(options.extraApiRouters ?? [])];
  const background: BackgroundTask[] = [];

  const pepper = new TextEncoder().encode(config.subjectPepper);
  // KEY_STORE: files under KEY_STORE_DIR (zero setup) or a PKCS#11 token.
  const keys = await openKeyStore(config, options.now ? { now: options.now } : {});
  const audit = createAuditModule({
    config,
    db,
    logger,
    keys,
    onAppend: health.auditAppended,
    ...(options.now ? { now: options.now } : {}),
  });
  apiRouters.push(keysRouter(keys), audit.router);
  background.push(audit.sequencer, audit.checkpointer, audit.retention);

  const catalog = options.catalog ?? loadCatalog();
  // Clients, organisations and entitlements read once per process until they change (issue 18).
  const accessCache = createStateCache(db, { channel: 'juc_access_state', logger });
  background.push(accessCache.task);
  const organisations = withAccessCache(
    createOrganisationsService({
      repo: createOrganisationsRepo(db),
      recordTypeExists: (id) => catalog.has(id),
    }),
    accessCache,
  );
  apiRouters.push(purposesRouter(organisations), adminRouter(organisations));
  apiRouters.push(catalogRouter(createCatalogService(catalog)));
  const providers = await providersFromConfig({
    config,
    catalog,
    signingKey:
      options.providerSigningKey ??
      (await loadProviderSigningKey({
        keyStoreDir: config.keyStoreDir,
        allowGenerate: config.nodeEnv !== 'production',
      })),
    ...(options.registryUrl ? { registryUrl: options.registryUrl } : {}),
    ...(options.holderUrls ? { holderUrls: options.holderUrls } : {}),
    ...(options.holderKeys ? { holderKeys: options.holderKeys } : {}),
  });
  const unreachable = catalog.holders().filter((h) => !providers.providerIds().includes(h.id));
  // Tests without registries start with none; a deployment with some but not all is a mistake to report.
  if (unreachable.length && (config.nodeEnv === 'production' || providers.providerIds().length > 0)) {
    logger.warn(
      { holders: unreachable.map((h) => h.id) },
      'no registry configured for these holders (HOLDERS, HOLDERS_FILE, REGISTRY_URL): their records fail with provider_unavailable',
    );
  }
  background.push({ name: 'providers', start() {}, stop: () => providers.close() });
  // Refuses to start (PolicyFileError naming file and JSON path) on a bad or mismatched policy.
  const policy = loadPolicyService({
    catalog,
    pairwiseKey: config.policyPairwiseKey,
    ...(options.policyDir ? { dir: options.policyDir } : {}),
  });
  apiRouters.push(
    policyRouter(policy, {
      purpose: (code) => organisations.getPurpose(code),
      organisationClass: async (id) => (await organisations.getOrganisation(id)).class,
    }),
  );
  // One SSRF guard for every URL a requester or citizen chose (server/notices/outbound.ts).
  const outbound = guardedPost({
    allowPrivate: config.notices.webhookAllowPrivate,
    ...(options.resolve ? { resolve: options.resolve } : {}),
  });
  // Protection orders and representatives (issue 22): consulted by consents and queries.
  const {
    protections,
    representatives,
    routers: protectionRoutes,
  } = createProtectionsModule({
    db,
    subjectPepper: config.subjectPepper,
    pepper,
    getOrganisation: (id) => organisations.getOrganisation(id),
    recordTypeExists: (id) => catalog.has(id),
    audit: audit.service,
    ...(options.now ? { now: options.now } : {}),
  });
  apiRouters.push(...protectionRoutes);
  const consents = createConsentsModule({
    config,
    db,
    logger,
    keys,
    outbound,
    catalog,
    organisations,
    protections,
    representation: representatives,
    policy,
    ...(options.now ? { now: options.now } : {}),
  });
  const portal = createPortalModule({
    config,
    db,
    logger,
    keys,
    catalog,
    organisations,
    consents: consents.service,
    audit: audit.service,
    outbound,
    registry: metrics.registry,
    ...(options.now ? { now: options.now } : {}),
  });
  pageRouters.push(portal.assetsRouter, webAssetsRouter(), consents.pageRouter, portal.pageRouter);
  // The citizen's protection orders and representatives (issue 22): /portal/protections.
  pageRouters.push(
    protectionPages({
      protections,
      representatives,
      catalog,
      organisations,
      csrf: sessionCsrfGuard(pepper),
      ...(options.now ? { now: options.now } : {}),
    }),
  );
  apiRouters.push(consents.apiRouter);
  background.push(...consents.background, ...portal.background);
  // Authentication (or a test's stand-in), then every operation's declared x-access rule. A query
  // claims its DPoP proof id in its admission statement (server/auth/deferred-proof.ts).
  const auth = createAuthModule({
    config,
    db,
    logger,
    organisations,
    identity: options.identity,
    defersProofClaim: isQueryRequest,
    ...(options.now ? { now: options.now } : {}),
  });
  const queriesModule = createQueriesModule({
    config,
    db,
    logger,
    keys,
    proofIds: auth.replayStore,
    ports: {
      catalog,
      policy,
      entitlements: organisations,
      consents: consents.service,
      records: {
        fetchRecord: ({ fields, ...rest }) =>
          providers.fetchRecord({ ...rest, ...(fields === 'all' ? {} : { fields }) }),
      },
      audit: audit.service,
      subjectKeyOf: (canonicalId) => subjectKey(pepper, canonicalId),
    },
    ...(options.now ? { now: options.now } : {}),
  });
  const queries = queriesModule.service;
  background.push(...queriesModule.background);
  const services: Services = {
    catalog,
    organisations,
    providers,
    policy,
    consents: consents.service,
    queries,
  };
  pageRouters.push(
    landingRouter(),
    consolePages({
      service: createConsoleService({
        organisations,
        catalog,
        policy,
        consents: consents.service,
        queries,
        repo: createConsoleRepo(db),
        ...(options.now ? { now: options.now } : {}),
      }),
      catalog,
      organisations,
      csrf: sessionCsrfGuard(pepper),
      withdraw: createRequestWithdrawal({
        consents: consents.service,
        repo: createConsentsRepo(db),
        ...(options.now ? { now: options.now } : {}),
      }),
      publicUrl: publicBaseUrl(config),
      sessionIdleSec: config.auth.sessionIdleTimeoutSec,
      ...(options.now ? { now: options.now } : {}),
    }),
    // The auditor's and administrator's consoles (issue 20): /audit, /admin.
    ...createStaffPages({
      db,
      auditor: audit.auditor,
      organisations,
      catalog,
      policy,
      csrf: sessionCsrfGuard(pepper),
      ...(options.now ? { now: options.now } : {}),
    }),
  );

  pageRouters.push(auth.pageRouter);
  apiRouters.push(auth.apiRouter);
  background.push(auth.cleanup);
  const authenticate: RequestHandler = auth.middleware(options.authenticate);

  // Refused queries the use case never saw (the edge refused them) are audited like its own.
  const refusalSteps = queryRefusalSteps({
    refusals: createRefusalAudit({
      audit: audit.service,
      catalog,
      subjectKeyOf: (id) => subjectKey(pepper, id),
    }),
    authenticate,
  });
  const app = createApp({
    config,
    logger,
    metrics,
    health,
    authenticate,
    hotRoutes: [queriesModule.hotRoute],
    pageRouters,
    apiRouters,
    errorSteps: { early: [refusalSteps.identify], late: [auth.claimBeforeRefusal, refusalSteps.record] },
  });
  // Last, so it closes the store after every task that signs has stopped.
  background.push(keyStoreTask(keys, (err) => logger.error({ err }, 'key store reload failed')));
  return {
    app,
    metrics,
    background,
    services,
    setDraining: (value) => (draining = value),
    keys,
    audit,
    auth,
    portal,
  };
}
