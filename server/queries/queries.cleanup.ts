/**
 * The queries' housekeeping, at start and then every few minutes in every gateway process (the deletes
 * are idempotent): expired idempotency records, ended rate windows (the query budget's and the consent
 * requests', server/limits/) and harvesting rows older than the hour they count. Without it those
 * tables only grow.
 */
import type { Logger } from 'pino';
import type { BackgroundTask } from '../shared/types.js';
import type { QueriesRepo } from './queries.repo.js';

export const QUERIES_CLEANUP_INTERVAL_MS = 5 * 60_000;

export function queriesCleanup(
  repo: Pick<QueriesRepo, 'purgeExpired'>,
  logger: Logger,
  options: { now?: () => Date; intervalMs?: number } = {},
): BackgroundTask {
  const now = options.now ?? (() => new Date());
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  const purge = () => {
    running ??= repo
      .purgeExpired(now())
      .catch((err: unknown) => logger.warn({ err }, 'queries cleanup failed'))
      .finally(() => (running = undefined));
  };
  return {
    name: 'queries-cleanup',
    start() {
      if (timer) return;
      purge();
      timer = setInterval(purge, options.intervalMs ?? QUERIES_CLEANUP_INTERVAL_MS);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
