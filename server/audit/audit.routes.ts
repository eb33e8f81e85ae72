/**
 * HTTP surface of the audit log. Public: log key, checkpoint, inclusion and consistency proofs, leaf
 * bundles. Citizen: their own access history with openings and proofs (JSON), and a CSV export at a
 * separate path (`/v1/me/access-log.csv`, chosen over Accept negotiation so a plain link downloads it).
 */
import { Router, type Request, type Response } from 'express';
import { principalAs, principalOf, requirePrincipal } from '../auth/principal.js';
import type { AccessLogFilters } from './audit.types.js';
import { accessLogCsv } from './access-log-csv.js';
import type { AccessLogQuery } from './access-log.service.js';
import type { AuditService } from './audit.service.js';

function int(req: Request, name: string): number | undefined {
  const raw = (req.query as Record<string, string | undefined>)[name];
  return raw === undefined ? undefined : Number(raw);
}

function str(req: Request, name: string): string | undefined {
  return (req.query as Record<string, string | undefined>)[name];
}

function date(req: Request, name: string): Date | undefined {
  const raw = str(req, name);
  return raw === undefined ? undefined : new Date(raw);
}

function filters(req: Request): AccessLogFilters {
  const out: AccessLogFilters = {};
  const from = date(req, 'from');
  const to = date(req, 'to');
  const organisation = str(req, 'organisation');
  const recordType = str(req, 'record_type');
  if (from) out.from = from;
  if (to) out.to = to;
  if (organisation) out.organisation = organisation;
  if (recordType) out.recordType = recordType;
  return out;
}

const noStore = (res: Response) => res.set('Cache-Control', 'no-store');

export function auditRouter(audit: AuditService): Router {
  const router = Router();

  router.get('/v1/log/key', (_req, res) => {
    res.type('text/plain').send(audit.logKeys().join('\n') + '\n');
  });

  router.get('/v1/log/checkpoint', async (_req, res) => {
    res
      .set('Cache-Control', 'no-cache')
      .type('text/plain')
      .send(await audit.checkpoint());
  });

  router.get('/v1/log/receipts/:entryId', async (req, res) => {
    const principal = principalOf(res)!;
    // Requesters see their own organisation's receipts; auditors and admins any.
    const org = principal.kind === 'client' || principal.kind === 'clerk' ? principal.orgId : null;
    noStore(res).json(await audit.receipt(Number(req.params.entryId), org));
  });

  router.get('/v1/log/proofs/inclusion', async (req, res) => {
    res.json(await audit.inclusionProof(int(req, 'index')!, int(req, 'size')!));
  });

  router.get('/v1/log/proofs/consistency', async (req, res) => {
    res.json(await audit.consistencyProof(int(req, 'from')!, int(req, 'to')!));
  });

  router.get('/v1/log/entries', async (req, res) => {
    res.json(await audit.entries(int(req, 'start')!, int(req, 'count') ?? 256));
  });

  router.get('/v1/me/access-log', requirePrincipal('citizen'), async (req, res) => {
    const citizen = principalAs(res, 'citizen');
    const query: AccessLogQuery = { ...filters(req) };
    const cursor = str(req, 'cursor');
    const limit = int(req, 'limit');
    const sinceSize = int(req, 'since_size');
    if (cursor !== undefined) query.cursor = cursor;
    if (limit !== undefined) query.limit = limit;
    if (sinceSize !== undefined) query.sinceSize = sinceSize;
    noStore(res).json(await audit.accessLog(citizen.subjectKey, query));
  });

  router.get('/v1/me/access-log.csv', requirePrincipal('citizen'), async (req, res) => {
    const citizen = principalAs(res, 'citizen');
    const rows = await audit.accessLogAll(citizen.subjectKey, filters(req));
    noStore(res)
      .type('text/csv; charset=utf-8')
      .set('Content-Disposition', 'attachment; filename="access-log.csv"')
      .send(accessLogCsv(rows));
  });

  return router;
}
