/** Wires the citizen portal: service, pages, the bundled browser script and the access notifier. */
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { AuditService } from '../audit/audit.service.js';
import type { Catalog } from '../catalog/catalog.types.js';
import type { Config } from '../config.js';
import { sessionCsrfGuard } from '../consents/consent.pages.js';
import { publicBaseUrl } from '../consents/consents.module.js';
import type { ConsentsService } from '../consents/consents.service.js';
import type { KeyStore } from '../keys/key-store.js';
import type { OrganisationsService } from '../organisations/organisations.service.js';
import { t } from '../web/i18n.js';
import type { Registry } from 'prom-client';
import { createDeliveryRepo } from '../notices/delivery.repo.js';
import { createSmtpMailer } from '../notices/mailer.js';
import { fetchPost, guardedPost, type OutboundPost } from '../notices/outbound.js';
import { emailSink, unavailableSink, webhookSink } from '../notices/sinks.js';
import {
  createNotifier,
  type DescribeAccess,
  type NotificationSink,
  type NotifierOptions,
} from './notifications.js';
import { portalAssetsRouter } from './portal.assets.js';
import { portalPages } from './portal.pages.js';
import { createPortalRepo } from './portal.repo.js';
import { createPortalService } from './portal.service.js';

export interface PortalModuleOptions {
  config: Pick<Config, 'nodeEnv' | 'publicUrl' | 'host' | 'port' | 'subjectPepper' | 'notices'> & {
    audit?: Pick<Config['audit'], 'witnessPolicyFile'>;
  };
  db: Knex;
  logger: Logger;
  keys: KeyStore;
  catalog: Catalog;
  organisations: OrganisationsService;
  consents: ConsentsService;
  audit: Pick<AuditService, 'accessLog' | 'accessLogAll'>;
  now?: () => Date;
  /** Replaces the delivery adapters (by channel); default: e-mail through the relay and signed webhook. */
  sinks?: NotificationSink[];
  /** Test-only notifier tuning. */
  notifier?: Partial<Pick<NotifierOptions, 'intervalMs' | 'baseBackoffMs' | 'maxBackoffMs' | 'maxAttempts'>>;
  fetch?: typeof fetch;
  /** The SSRF-guarded sender webhooks go through (compose shares one with the consent webhooks). */
  outbound?: OutboundPost;
  /** The /metrics registry: delivery counter and dead-letter gauge. */
  registry?: Registry;
}

export function createPortalModule(options: PortalModuleOptions) {
  const { config, db, logger } = options;
  const allowLoopbackHttp = config.nodeEnv !== 'production';
  const publicUrl = publicBaseUrl(config);
  const repo = createPortalRepo(db);
  const service = createPortalService({
    audit: options.audit,
    consents: options.consents,
    organisations: options.organisations,
    catalog: options.catalog,
    repo,
    allowLoopbackHttp,
    emailNotices: config.notices.email,
    ...(options.now ? { now: options.now } : {}),
  });
  const describe: DescribeAccess = async (payload, lang) => {
    const [org, purpose] = await Promise.all([
      options.organisations.getOrganisation(payload.organisation).catch(() => undefined),
      options.organisations.getPurpose(payload.purpose).catch(() => undefined),
    ]);
    const type = options.catalog.has(payload.recordType)
      ? options.catalog.get(payload.recordType)
      : undefined;
    return {
      organisation: org?.names[lang] ?? payload.organisation,
      recordType: type?.names[lang] ?? payload.recordType,
      purpose: purpose?.names[lang] ?? (payload.purpose || t(lang, 'history.basis.none')),
    };
  };
  const { notices } = config;
  const mailer =
    notices.email && notices.smtp ? createSmtpMailer({ smtp: notices.smtp, from: notices.from }) : undefined;
  const post =
    options.outbound ??
    (options.fetch ? fetchPost(options.fetch) : guardedPost({ allowPrivate: notices.webhookAllowPrivate }));
  const sinks = options.sinks ?? [
    mailer
      ? emailSink({ mailer, describe, portalUrl: publicUrl })
      : unavailableSink(
          'email',
          notices.email
            ? 'no mail relay configured (SMTP_URL or SMTP_HOST)'
            : 'e-mail notices are off (EMAIL_NOTICES=false)',
        ),
    webhookSink({
      keys: options.keys,
      issuer: publicUrl,
      post,
      ...(options.now ? { now: options.now } : {}),
    }),
  ];
  const notifier = createNotifier({
    repo,
    delivery: createDeliveryRepo(db),
    sinks,
    logger,
    maxAttempts: notices.maxAttempts,
    ...(options.registry ? { registry: options.registry } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...options.notifier,
  });
  const pageRouter = portalPages({
    service,
    csrf: sessionCsrfGuard(new TextEncoder().encode(config.subjectPepper)),
    allowLoopbackHttp,
  });
  return {
    service,
    repo,
    notifier,
    /** Mount before the static assets router: it serves /assets/portal/portal.js. */
    assetsRouter: portalAssetsRouter(config.audit?.witnessPolicyFile),
    pageRouter,
    background: [
      notifier,
      // After the notifier: its last sends finish on the relay's connection before it closes.
      { name: 'mail-relay', start() {}, stop: async () => mailer?.close() },
    ],
  };
}

export type PortalModule = ReturnType<typeof createPortalModule>;
