/**
 * Response validation against openapi/gateway.yaml (VALIDATE_RESPONSES, on in every environment; the
 * measured cost is in config.ts and the README). Outside production a response that breaks the
 * contract becomes a 500, so tests catch it. In production it is logged and counted and still sent:
 * by the time a query's answer is checked, its audit entry and consent use are committed, and a 500
 * would tell the bank nothing was released when the log says it was.
 */
import type { Request } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { routeTemplate, type Metrics } from './metrics.js';

export function responseValidation(
  config: Pick<Config, 'validateResponses' | 'responseViolations'>,
  metrics: Pick<Metrics, 'responseViolations'>,
  logger: Logger,
) {
  if (!config.validateResponses) return false as const;
  if (config.responseViolations === 'fail') return { removeAdditional: false as const };
  return {
    removeAdditional: false as const,
    // The validator's message names the JSON path and the rule broken, never the value sent.
    onError(err: Error, _body: unknown, req: Request) {
      const route = routeTemplate(req);
      metrics.responseViolations.inc({ route });
      logger.error({ reqId: req.id, route, violation: err.message }, 'response does not match the contract');
    },
  };
}
