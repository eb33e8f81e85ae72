/**
 * Request budgets (the shared fixed windows of server/limits/, counted inside the gateway's own
 * admission statement) and harvesting detection, held in PostgreSQL so they hold across every
 * gateway process. Harvesting = many distinct subjects per clerk or client per hour: above the flag
 * level it is reported (log + metric, once per hour); above the hard cap further subjects are refused.
 */
import type { Counter } from 'prom-client';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import { refuseOverBudget, secondsLeftInWindow } from '../limits/rate-limiter.js';
import type { QueryLimitsPort } from './queries.ports.js';
import type { QueriesRepo } from './queries.repo.js';

export interface LimitSettings {
  requestsPerMinute: number;
  flagSubjectsPerHour: number;
  maxSubjectsPerHour: number;
}

export function createQueryLimits(
  repo: QueriesRepo,
  settings: LimitSettings,
  observe: { logger: Logger; harvestingFlags?: Counter<'requester'> },
): QueryLimitsPort {
  return {
    async admit({ requester, subjectKey, now }) {
      const counts = await repo.admit(requester, subjectKey ?? null, now);
      refuseOverBudget(
        { window: 'minute', limit: settings.requestsPerMinute },
        counts.requestsThisMinute,
        now,
      );
      const distinct = counts.distinctSubjectsThisHour;
      if (distinct === null) return;
      if (distinct > settings.maxSubjectsPerHour) {
        throw new AppError(429, 'rate_limited', 'Too many different subjects', {
          detail: `More than ${settings.maxSubjectsPerHour} different subjects this hour; further subjects are refused until the hour ends.`,
          headers: { 'Retry-After': String(secondsLeftInWindow('hour', now)) },
          extensions: { reason: 'harvesting_cap' },
        });
      }
      if (distinct > settings.flagSubjectsPerHour && (await repo.flagHour(requester, now))) {
        observe.logger.warn(
          { requester, distinctSubjects: distinct },
          'possible harvesting: many distinct subjects this hour',
        );
        observe.harvestingFlags?.inc({ requester });
      }
    },
  };
}
