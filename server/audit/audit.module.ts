/** Builds the audit log's parts from config for the composition root. */
import { Router } from 'express';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { KeyStore } from '../keys/key-store.js';
import { knexAuditRepo } from './audit.repo.js';
import { auditRouter } from './audit.routes.js';
import { createAuditorRepo } from './auditor.repo.js';
import { auditorRouter } from './auditor.routes.js';
import { createAuditorService, type AuditorService } from './auditor.service.js';
import { createAuditService, type AuditService } from './audit.service.js';
import { vkeyFor } from './checkpoint.js';
import { receiptAttester } from './evidence.js';
import { createCheckpointer, type Checkpointer } from './checkpointer.js';
import { createRetentionTask } from './retention.js';
import { createSequencer, type Sequencer } from './sequencer.js';
import { httpWitnessFromConfig } from './witness-client.js';
import { readTile } from './tiles.repo.js';
import { tilesRouter } from './tiles.routes.js';
import { createTileService } from './tiles.service.js';

/** A night with more accesses than this (22:00–06:00 in Korea) is flagged as off-hours bulk. */
const OFF_HOURS_ENTRIES_PER_NIGHT = 20;
/** This many refusals in an hour for one requester is flagged. */
const DENIALS_PER_HOUR = 10;

export interface AuditModule {
  service: AuditService;
  sequencer: Sequencer;
  checkpointer: Checkpointer;
  retention: ReturnType<typeof createRetentionTask>;
  router: Router;
  /** The auditor's reads (the JSON API and the auditor console share it; every read is recorded). */
  auditor: AuditorService;
}

export function createAuditModule(deps: {
  config: Pick<Readonly<Config>, 'audit' | 'queries' | 'publicUrl' | 'host' | 'port'>;
  db: Knex;
  logger: Logger;
  keys: KeyStore;
  now?: () => Date;
  /** Told whether each append was accepted (readiness, server/health/audit-writes.ts). */
  onAppend?: (accepted: boolean) => void;
}): AuditModule {
  const { config, db, logger, keys } = deps;
  const origin = config.audit.logOrigin;
  const logKeys = () => keys.verifyingKeys('checkpoint').map((k) => vkeyFor(origin, k.publicKey));
  const service = createAuditService({
    repo: observeAppends(knexAuditRepo(db), deps.onAppend),
    logKeys,
    // Same key and issuer as the signed copies (server/queries/signer.ts, wired in compose.ts).
    attestReceipt: receiptAttester(keys, config.publicUrl ?? `http://${config.host}:${config.port}`),
    ...(deps.now ? { now: deps.now } : {}),
  });
  const checkpointer = createCheckpointer({
    db,
    logger,
    keys,
    origin,
    ...(deps.now ? { now: deps.now } : {}),
    witnesses: config.audit.witnesses.map((w) => httpWitnessFromConfig(w)),
  });
  const sequencer = createSequencer({
    db,
    logger,
    intervalMs: config.audit.sequencerIntervalMs,
    batchSize: config.audit.sequencerBatchSize,
    onBatch: () => checkpointer.nudge(),
  });
  const auditor = createAuditorService({
    repo: createAuditorRepo(db),
    thresholds: {
      harvestSubjectsPerHour: config.queries.harvestFlagSubjectsPerHour,
      offHoursEntriesPerNight: OFF_HOURS_ENTRIES_PER_NIGHT,
      denialsPerHour: DENIALS_PER_HOUR,
    },
    ...(deps.now ? { now: deps.now } : {}),
  });
  const router = Router();
  const tiles = createTileService({
    readTile: (ref) => readTile(db, ref),
    checkpoint: () => service.checkpoint(),
  });
  router.use(auditRouter(service), tilesRouter(tiles), auditorRouter(auditor));
  const retention = createRetentionTask({
    db,
    logger,
    retentionMonths: config.audit.retentionMonths,
    ...(deps.now ? { now: deps.now } : {}),
  });
  return { service, sequencer, checkpointer, retention, router, auditor };
}

/** The repo with each append's outcome reported; an error still reaches the service as it was. */
function observeAppends<R extends { append(...args: never[]): Promise<unknown> }>(
  repo: R,
  onAppend?: (accepted: boolean) => void,
): R {
  if (!onAppend) return repo;
  return {
    ...repo,
    append: async (...args: Parameters<R['append']>) => {
      try {
        const stored = await repo.append(...args);
        onAppend(true);
        return stored;
      } catch (err) {
        onAppend(false);
        throw err;
      }
    },
  };
}
