/**
 * A query's admission statement read back: its DPoP proof id (claimed there, server/auth/
 * deferred-proof.ts), request budgets (the shared fixed windows of server/limits/) and harvesting
 * detection, held in PostgreSQL so they hold across every
 * gateway process. Harvesting = many distinct subjects per clerk or client per hour: above the flag
 * level it is reported (log + metric, once per hour); above the hard cap further subjects are refused.
 */
import type { Counter } from 'prom-client';
import type { Logger } from 'pino';
import { replayedProof } from '../auth/deferred-proof.js';
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
    async admit({ requester, subjectKey, now, proof, parties, consentId }) {
      // Claimed in this statement, so nothing else claims it; marked only once the statement has
      // run, so a statement that failed (the database away) leaves the claim to the error step.
      const toClaim = proof && !proof.claimed ? proof : undefined;
      const counts = await repo.admit({
        requester,
        subjectKey: subjectKey ?? null,
        now,
        proof: toClaim,
        parties,
        consentId,
      });
      if (toClaim) toClaim.claimed = true;
      if (counts.proofClaimed === false) throw replayedProof();
      refuseOverBudget(
        { window: 'minute', limit: settings.requestsPerMinute },
        counts.requestsThisMinute,
        now,
      );
      const admission = {
        barred: counts.barred,
        ...(consentId !== undefined ? { consent: { consentId, row: counts.consentRow ?? null } } : {}),
      };
      const distinct = counts.distinctSubjectsThisHour;
      if (distinct === null) return admission;
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
      return admission;
    },
  };
}
