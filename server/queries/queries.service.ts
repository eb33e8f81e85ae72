/**
 * The verification query use case (DESIGN §4), as small modules: query-plan.ts (requester and
 * records), admission.ts (entitlement, budget, protection orders), consent-check.ts and
 * establish-consent.ts (the consent, checked before any fetch), fetch-settle.ts and release.ts
 * (registries, policy, signed copies), query-audit.ts (entries), run-query.ts (the pipeline and the
 * commit of the counted use with the audit entries).
 */
import type { Principal } from '../auth/principal.js';
import { AppError } from '../errors.js';
import type { Purpose } from '../organisations/organisations.types.js';
import { createRefusalAudit } from './audit-refusal.js';
import type { QueryDeps } from './queries.ports.js';
import type { QueryRequest, QueryResponse } from './queries.types.js';
import { requesterOf, type QueryContext } from './query-plan.js';
import { runQuery } from './run-query.js';

export type { QueryContext } from './query-plan.js';

export function createQueryService(deps: QueryDeps) {
  const refusals = createRefusalAudit(deps);
  return {
    /**
     * Every refusal is audited (audit-refusal.ts): consent refusals write their entries where they
     * are decided; any other 4xx (entitlement, a malformed or unknown record, an invalid identifier,
     * a rate limit) is written here, one entry per named record. A 429 costs one more write per
     * refused request, and is worth it: it is still an attempt at someone's records (the harvesting
     * cap's refusals are what a citizen and an auditor most want to see), its sender is an
     * authenticated client or clerk that can be suspended, and it writes at most 20 entries.
     */
    async run(
      principal: Principal | undefined,
      req: QueryRequest,
      ctx: QueryContext,
    ): Promise<QueryResponse> {
      const requester = requesterOf(principal);
      const seen: { purpose?: Purpose } = {};
      try {
        return await runQuery(deps, requester, req, ctx, seen);
      } catch (err) {
        if (err instanceof AppError) {
          await refusals.refused(principal, req, err, {
            requestId: ctx.requestId,
            ...(seen.purpose ? { purpose: seen.purpose } : {}),
            namesRecords: true,
          });
        }
        throw err;
      }
    },
  };
}

export type QueryService = ReturnType<typeof createQueryService>;
