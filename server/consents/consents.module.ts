/** Wires the consent domain: repository, service, API and page routers, webhook outbox and expiry sweep. */
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Catalog } from '../catalog/catalog.types.js';
import type { PolicyService } from '../policy/policy.service.js';
import type { Config } from '../config.js';
import type { KeyStore } from '../keys/key-store.js';
import { createRateLimiter } from '../limits/rate-limiter.js';
import { createRateWindowsRepo } from '../limits/rate-windows.repo.js';
import type { OrganisationsService } from '../organisations/organisations.service.js';
import { consentPages, sessionCsrfGuard, type CsrfGuard } from './consent.pages.js';
import { createConsentsRepo } from './consents.repo.js';
import { consentsRouter } from './consents.routes.js';
import { createConsentsService, type ConsentsDeps } from './consents.service.js';
import type { OutboundPost } from '../notices/outbound.js';
import { createWebhookOutbox, type OutboxOptions } from './webhooks.js';

export interface ConsentsModuleOptions {
  /** The release policy, so the approval screen does not list a field it never releases as needed. */
  policy?: Pick<PolicyService, 'plan'>;
  config: Pick<Config, 'nodeEnv' | 'publicUrl' | 'host' | 'port' | 'subjectPepper' | 'consents'>;
  db: Knex;
  logger: Logger;
  keys: KeyStore;
  catalog: Catalog;
  organisations: OrganisationsService;
  now?: () => Date;
  /** Protection orders and representatives, consulted on requests and decisions. */
  protections?: ConsentsDeps['protections'];
  representation?: ConsentsDeps['representation'];
  /** Replaces the built-in CSRF guard (e.g. with the session layer's). */
  csrf?: CsrfGuard;
  /** The SSRF-guarded sender webhooks go through (WEBHOOK_ALLOW_PRIVATE decides what it allows). */
  outbound?: OutboundPost;
  /** Test-only outbox tuning (fetch, backoff). */
  outbox?: Partial<
    Pick<OutboxOptions, 'fetch' | 'baseBackoffMs' | 'maxBackoffMs' | 'maxAttempts' | 'intervalMs'>
  >;
}

/** PUBLIC_URL, else http://HOST:PORT as boot.ts derives it. */
export function publicBaseUrl(config: Pick<Config, 'publicUrl' | 'host' | 'port'>): string {
  if (config.publicUrl) return config.publicUrl.replace(/\/$/, '');
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return `http://${host}:${config.port}`;
}

export function createConsentsModule(options: ConsentsModuleOptions) {
  const { config, db, logger, keys } = options;
  const pepper = new TextEncoder().encode(config.subjectPepper);
  const publicUrl = publicBaseUrl(config);
  const repo = createConsentsRepo(db);
  const service = createConsentsService({
    repo,
    organisations: options.organisations,
    catalog: options.catalog,
    keys,
    pepper,
    publicUrl,
    allowLoopbackHttp: config.nodeEnv !== 'production',
    requestTtlSeconds: config.consents.requestTtlSeconds,
    tokenTtlSeconds: config.consents.tokenTtlSeconds,
    rateLimiter: createRateLimiter(createRateWindowsRepo(db)),
    requestLimits: {
      perMinute: config.consents.requestsPerMinute,
      perSubjectPerHour: config.consents.requestsPerSubjectPerHour,
    },
    ...(options.protections ? { protections: options.protections } : {}),
    ...(options.representation ? { representation: options.representation } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const outbox = createWebhookOutbox({
    repo,
    keys,
    issuer: publicUrl,
    logger,
    ...(options.now ? { now: options.now } : {}),
    ...(options.outbound ? { post: options.outbound } : {}),
    ...options.outbox,
  });

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;
  const sweepIntervalMs = 30_000;
  const sweep = {
    name: 'consent-expiry',
    start() {
      if (!stopped) return;
      stopped = false;
      const tick = () => {
        if (stopped) return;
        running = service
          .expireDue()
          .catch((err: unknown) => logger.error({ err }, 'consent expiry sweep failed'))
          .finally(() => {
            if (!stopped) timer = setTimeout(tick, sweepIntervalMs);
          });
      };
      timer = setTimeout(tick, 0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };

  return {
    service,
    repo,
    apiRouter: consentsRouter(service),
    pageRouter: consentPages({
      service,
      catalog: options.catalog,
      csrf: options.csrf ?? sessionCsrfGuard(pepper),
      ...(options.policy ? { policy: options.policy } : {}),
    }),
    outbox,
    sweep,
    background: [outbox, sweep],
  };
}

export type ConsentsModule = ReturnType<typeof createConsentsModule>;
