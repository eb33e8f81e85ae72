/** HTTP only: the public record catalog and identifier schemes (no login; DESIGN §4, issue 3). */
import { createHash } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { SubjectKind } from './catalog.types.js';
import type { CatalogService } from './catalog.service.js';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
// The contract validator has already checked the query values.
const num = (v: unknown): number | undefined => (v === undefined || v === '' ? undefined : Number(v));

/** Answers 304 when the client already holds this representation. */
function notModified(req: Request, res: Response, etag: string): boolean {
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', 'public, max-age=300');
  const header = req.get('if-none-match');
  if (!header) return false;
  const tags = header.split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (!tags.includes(etag) && !tags.includes('*')) return false;
  res.status(304).end();
  return true;
}

export function catalogRouter(service: CatalogService): Router {
  const router = Router();

  router.get('/v1/catalog', (req, res) => {
    // One catalog version and one query string: one representation.
    const etag = `"${createHash('sha256').update(`${service.etag} ${req.originalUrl}`).digest('base64url').slice(0, 27)}"`;
    if (notModified(req, res, etag)) return;
    res.json(
      service.list({
        limit: num(req.query.limit) ?? 50,
        ...(str(req.query.after) ? { after: str(req.query.after)! } : {}),
        ...(str(req.query.category) ? { category: str(req.query.category)! } : {}),
        ...(str(req.query.subjectKind) ? { subjectKind: str(req.query.subjectKind) as SubjectKind } : {}),
        ...(str(req.query.q) ? { q: str(req.query.q)! } : {}),
      }),
    );
  });

  router.get('/v1/catalog/categories', (req, res) => {
    if (notModified(req, res, service.etag)) return;
    res.json({ items: service.categories() });
  });

  router.get('/v1/catalog/:recordTypeId', (req, res) => {
    const { recordType, etag } = service.get(String(req.params.recordTypeId));
    if (notModified(req, res, etag)) return;
    res.json(recordType);
  });

  router.get('/v1/identifier-schemes', (req, res) => {
    if (notModified(req, res, service.etag)) return;
    res.json({ items: service.identifierSchemes() });
  });

  router.post('/v1/identifier-schemes/:scheme/check', (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(service.checkIdentifier(String(req.params.scheme), (req.body as { value: string }).value));
  });

  return router;
}
