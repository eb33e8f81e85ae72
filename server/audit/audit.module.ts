/** Builds the audit log's parts from config for the composition root. */
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { KeyStore } from '../keys/key-store.js';
import { knexAuditRepo } from './audit.repo.js';
import { auditRouter } from './audit.routes.js';
import { createAuditService, type AuditService } from './audit.service.js';
import { vkeyFor, verifierFromVkey } from './checkpoint.js';
import { createCheckpointer, type Checkpointer } from './checkpointer.js';
import { createSequencer, type Sequencer } from './sequencer.js';
import { httpWitness } from './witness-client.js';

export interface AuditModule {
  service: AuditService<Knex.Transaction>;
  sequencer: Sequencer;
  checkpointer: Checkpointer;
  router: ReturnType<typeof auditRouter>;
}

export function createAuditModule(deps: {
  config: Pick<Readonly<Config>, 'audit'>;
  db: Knex;
  logger: Logger;
  keys: KeyStore;
  now?: () => Date;
}): AuditModule {
  const { config, db, logger, keys } = deps;
  const origin = config.audit.logOrigin;
  const logKeys = () => keys.verifyingKeys('checkpoint').map((k) => vkeyFor(origin, k.publicKey));
  const service = createAuditService<Knex.Transaction>({
    repo: knexAuditRepo(db),
    logKeys,
    ...(deps.now ? { now: deps.now } : {}),
  });
  const witness =
    config.audit.witnessUrl && config.audit.witnessVkey
      ? (() => {
          const verifier = verifierFromVkey(config.audit.witnessVkey);
          return { client: httpWitness(config.audit.witnessUrl, verifier), verifier };
        })()
      : undefined;
  const checkpointer = createCheckpointer({
    db,
    logger,
    keys,
    origin,
    ...(deps.now ? { now: deps.now } : {}),
    ...(witness ? { witness } : {}),
  });
  const sequencer = createSequencer({
    db,
    logger,
    intervalMs: config.audit.sequencerIntervalMs,
    batchSize: config.audit.sequencerBatchSize,
    onBatch: () => checkpointer.nudge(),
  });
  return { service, sequencer, checkpointer, router: auditRouter(service) };
}
