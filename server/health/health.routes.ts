import { Router } from 'express';
import type { Metrics } from '../http/metrics.js';
import type { HealthService } from './health.service.js';

export function healthRouter(health: HealthService, metrics: Metrics): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const report = await health.readiness();
    if (!report.ready) res.setHeader('Retry-After', '5');
    res
      .status(report.ready ? 200 : 503)
      .json({ status: report.ready ? 'ready' : 'not_ready', checks: report.checks });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
