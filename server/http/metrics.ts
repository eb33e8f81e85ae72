/**
 * Prometheus metrics on our own registry. Routes are labelled by their template (never the raw
 * URL: citizen identifiers must not become label values, and cardinality must stay bounded).
 */
import type { NextFunction, Request, Response } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PoolStats } from '../db/db.js';

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  /** Responses that broke the contract (VALIDATE_RESPONSES in report mode: sent all the same). */
  responseViolations: Counter<'route'>;
  /** API requests refused with 503 by load shedding (server/limits/load-shedder.ts). */
  requestsShed: Counter;
  /** Answers 5xx by problem code: `audit_unavailable` is AU-5's alert that the audit store refuses writes. */
  serverErrors: Counter<'code'>;
}

export function createMetrics(poolStats: () => PoolStats): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by route template, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route template, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const responseViolations = new Counter({
    name: 'openapi_response_violations_total',
    help: 'Responses that did not match openapi/gateway.yaml, by route template',
    labelNames: ['route'] as const,
    registers: [registry],
  });
  const requestsShed = new Counter({
    name: 'http_requests_shed_total',
    help: 'API requests refused with 503 at once because the process was at its in-flight limit',
    registers: [registry],
  });
  const serverErrors = new Counter({
    name: 'http_server_errors_total',
    help: 'Answers 5xx by problem code (audit_unavailable: the audit log cannot be written, AU-5)',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const pool = (name: string, help: string, pick: (s: PoolStats) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(pick(poolStats()));
      },
    });
  pool('db_pool_connections_used', 'Database connections in use', (s) => s.used);
  pool('db_pool_connections_free', 'Idle database connections', (s) => s.free);
  pool('db_pool_acquires_pending', 'Requests waiting for a database connection', (s) => s.pending);
  pool('db_pool_connections_max', 'Largest pool size', (s) => s.max);
  return { registry, httpRequests, httpDuration, responseViolations, requestsShed, serverErrors };
}

export function routeTemplate(req: Request): string {
  const openapi = (req as Request & { openapi?: { openApiRoute?: string } }).openapi;
  if (openapi?.openApiRoute) return openapi.openApiRoute;
  if (req.route?.path) return `${req.baseUrl}${String(req.route.path)}`;
  return 'unmatched';
}

export function metricsMiddleware(metrics: Metrics) {
  return (req: Request, res: Response, next: NextFunction) => {
    const start = process.hrtime.bigint();
    res.once('finish', () => {
      const labels = { method: req.method, route: routeTemplate(req), status: String(res.statusCode) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
    });
    next();
  };
}
