/**
 * The verification query wired once for compose: its use case over the other domains' ports, the
 * one admission statement's repo, the sealed Idempotency-Key answers (their data keys and rotation)
 * and POST /v1/queries, with the purge of spent budgets and answers.
 */
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { createDataKeyRepo } from '../at-rest/data-key.repo.js';
import {
  createDataKeyRing,
  createSealer,
  dataKeyRetirement,
  DATA_KEY_RETIREMENT_INTERVAL_MS,
} from '../at-rest/envelope.js';
import type { ReplayStore as ProofIdStore } from '../auth/replay-store.js';
import type { HotRoute } from '../http/hot-route.js';
import type { Config } from '../config.js';
import type { KeyStore } from '../keys/key-store.js';
import type { BackgroundTask } from '../shared/types.js';
import { createReplayStore } from './idempotency.js';
import { createQueryLimits } from './limits.js';
import type { QueryDeps } from './queries.ports.js';
import { queriesCleanup } from './queries.cleanup.js';
import { createQueriesRepo } from './queries.repo.js';
import { queriesRoute } from './queries.routes.js';
import { createQueryService, type QueryService } from './queries.service.js';
import { createRecordSigner } from './signer.js';

export interface QueriesModule {
  service: QueryService;
  /** POST /v1/queries, mounted ahead of every router (server/app.ts). */
  hotRoute: HotRoute;
  background: BackgroundTask[];
}

export function createQueriesModule(deps: {
  config: Readonly<Config>;
  db: Knex;
  logger: Logger;
  keys: KeyStore;
  /** Where POST /v1/queries claims its DPoP proof ids (server/auth/deferred-proof.ts). */
  proofIds: ProofIdStore;
  ports: Pick<
    QueryDeps,
    'catalog' | 'policy' | 'entitlements' | 'consents' | 'records' | 'audit' | 'subjectKeyOf'
  >;
  now?: () => Date;
}): QueriesModule {
  const { config, db, logger, keys } = deps;
  const repo = createQueriesRepo(db);
  const service = createQueryService({
    ...deps.ports,
    signer: createRecordSigner(keys, config.publicUrl ?? `http://${config.host}:${config.port}`),
    limits: createQueryLimits(
      repo,
      {
        requestsPerMinute: config.queries.rateLimitPerMinute,
        flagSubjectsPerHour: config.queries.harvestFlagSubjectsPerHour,
        maxSubjectsPerHour: config.queries.harvestMaxSubjectsPerHour,
      },
      { logger },
    ),
    unitOfWork: (work) => db.transaction((trx) => work(trx)),
    deadlineMs: config.queries.deadlineMs,
  });
  // Answers kept for Idempotency-Key replay hold record values: sealed at rest (docs/data-at-rest.md).
  const replayKeys = createDataKeyRing({
    // The key store's KEK (in the PKCS#11 token when KEY_STORE=pkcs11).
    wrapper: keys,
    repo: createDataKeyRepo(db),
    purpose: 'query-replay',
    rotationMs: config.queries.dataKeyRotationMs,
    ...(deps.now ? { now: deps.now } : {}),
  });
  const replay = createReplayStore({ repo, sealer: createSealer(replayKeys), logger });
  return {
    service,
    hotRoute: queriesRoute(service, replay, {
      proofIds: deps.proofIds,
      now: deps.now ?? (() => new Date()),
      idempotencyTtlMs: config.queries.idempotencyTtlMs,
    }),
    background: [
      queriesCleanup(repo, logger, deps.now ? { now: deps.now } : {}),
      dataKeyRetirement(replayKeys, logger, DATA_KEY_RETIREMENT_INTERVAL_MS),
    ],
  };
}
