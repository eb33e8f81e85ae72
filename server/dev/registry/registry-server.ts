/**
 * The reference registry: an HTTP server implementing openapi/provider.yaml over the synthetic
 * `registry_*` tables (demo and tests only, DESIGN §5 dev/). One listener stands for one holding
 * agency (or, for REGISTRY_URL, for several): it serves only the record types its holders keep,
 * authenticates the gateway by a request token addressed to the record's holder
 * (`aud` urn:juc:provider:<holder>) and signed with a key trusted for that holder, answers only the
 * fields asked for, and regenerates each record from the stored subject.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { JWK } from 'jose';
import type { Knex } from 'knex';
import { loadCatalog } from '../../catalog/catalog.js';
import type { Catalog } from '../../catalog/catalog.types.js';
import { identifierScheme } from '../../catalog/identifiers/index.js';
import { defaultAudience } from '../../providers/http-provider.js';
import { GATEWAY_ISSUER } from '../../providers/provider-config.js';
import { ReplayCache, RequestTokenError, verifyRequestToken } from '../../providers/request-token.js';
import { generateRecord } from './generate.js';
import { createRegistryRepo } from './registry.repo.js';
import { resolveSubject } from './registry-subjects.js';

export interface ReferenceRegistryOptions {
  db: Knex;
  port?: number;
  host?: string;
  catalog?: Catalog;
  /** The holders this listener stands for (only their record types are served); default every holder. */
  holders?: readonly string[];
  /** Public keys the gateway signs with (its provider-request keys), per holder served. */
  trustedKeys: readonly JWK[] | ((holder: string) => readonly JWK[]);
  /** Expected `iss` of request tokens. */
  issuer?: string;
  /** Delay before every answer: a slow agency, for demos and concurrency tests. */
  latencyMs?: number;
  /** Called once per answered request (the registry's own access log). */
  onAccess?: (entry: { requestId: string; recordType: string; purpose?: string; status: number }) => void;
}

export interface ReferenceRegistry {
  url: string;
  /** Holder codes served. */
  holders: readonly string[];
  server: Server;
  stop(): Promise<void>;
}

class RegistryProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  constructor(status: number, code: string, title: string, detail: string) {
    super(detail);
    this.status = status;
    this.code = code;
    this.title = title;
    this.detail = detail;
  }
}

const FETCH_TARGET = /^([a-z][a-z0-9-]*(?:\.[a-z0-9-]+)+):fetch$/;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const PURPOSE = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$/;

function sendProblem(res: Response, problem: RegistryProblem): void {
  if (problem.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
  res
    .status(problem.status)
    .type('application/problem+json')
    .send(
      JSON.stringify({
        type: `urn:juc:registry:problem:${problem.code}`,
        title: problem.title,
        status: problem.status,
        detail: problem.detail,
        code: problem.code,
      }),
    );
}

const invalid = (detail: string) =>
  new RegistryProblem(400, 'validation_failed', 'The request is not valid', detail);

export function createRegistryApp(options: Omit<ReferenceRegistryOptions, 'port' | 'host'>): express.Express {
  const catalog = options.catalog ?? loadCatalog();
  const repo = createRegistryRepo(options.db);
  const replay = new ReplayCache();
  const issuer = options.issuer ?? GATEWAY_ISSUER;
  const held = new Set(options.holders ?? catalog.holders().map((h) => h.id));
  for (const code of held) catalog.holder(code); // throws on a code the catalog does not know
  const trusted =
    typeof options.trustedKeys === 'function'
      ? options.trustedKeys
      : () => options.trustedKeys as readonly JWK[];
  const latencyMs = options.latencyMs ?? 0;

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(
    express.json({
      limit: 8 * 1024,
      type: () => true,
      strict: true,
      verify: (req, _res, buf) => {
        (req as Request & { rawBody?: Buffer }).rawBody = buf;
      },
    }),
  );

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.post('/v1/records/:target', async (req, res) => {
    const requestId = req.get('x-request-id') ?? '';
    let recordTypeId = '';
    try {
      const target = FETCH_TARGET.exec(String(req.params.target));
      if (!target) throw new RegistryProblem(404, 'not_found', 'Not found', 'No such operation.');
      recordTypeId = target[1]!;
      if (latencyMs > 0) await sleep(latencyMs);
      // Which record types an agency keeps is public (the catalog), so this comes before authentication.
      if (!catalog.has(recordTypeId) || !held.has(catalog.get(recordTypeId).holder.id)) {
        throw new RegistryProblem(
          404,
          'record_type_unknown',
          'Unknown record type',
          `This registry does not hold ${recordTypeId}.`,
        );
      }
      const recordType = catalog.get(recordTypeId);
      const holder = recordType.holder.id;
      if (!REQUEST_ID.test(requestId)) throw invalid('X-Request-Id is missing or malformed.');

      const auth = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(req.get('authorization') ?? '');
      if (!auth)
        throw new RegistryProblem(
          401,
          'unauthenticated',
          'Authentication required',
          'A bearer request token is required.',
        );
      const body = req.body as { identifier?: unknown; fields?: unknown; purpose?: unknown } | undefined;
      try {
        await verifyRequestToken(auth[1]!, {
          keys: trusted(holder),
          issuer,
          audience: defaultAudience(holder),
          replay,
          method: 'POST',
          path: req.originalUrl.split('?')[0]!,
          body: (req as Request & { rawBody?: Buffer }).rawBody ?? '',
          requestId,
          ...(typeof body?.purpose === 'string' ? { purpose: body.purpose } : {}),
        });
      } catch (err) {
        if (err instanceof RequestTokenError) {
          throw new RegistryProblem(401, 'unauthenticated', 'Authentication required', err.message);
        }
        throw err;
      }

      if (!body || typeof body !== 'object' || Array.isArray(body))
        throw invalid('The body must be a JSON object.');
      const extra = Object.keys(body).filter((k) => !['identifier', 'fields', 'purpose'].includes(k));
      if (extra.length) throw invalid(`Unknown member ${extra.map((k) => `"${k}"`).join(', ')}.`);
      if (typeof body.identifier !== 'string') throw invalid('identifier must be a string.');
      if (body.purpose !== undefined && (typeof body.purpose !== 'string' || !PURPOSE.test(body.purpose))) {
        throw invalid('purpose must be a purpose code.');
      }
      let fields: string[] | undefined;
      if (body.fields !== undefined) {
        const known = recordType.schema.properties;
        if (!Array.isArray(body.fields) || body.fields.length === 0 || body.fields.length > 200) {
          throw invalid('fields must be a non-empty array of field names.');
        }
        fields = body.fields.map((f) => {
          if (typeof f !== 'string' || !Object.hasOwn(known, f))
            throw invalid(`${recordTypeId} has no field ${JSON.stringify(f).slice(0, 80)}.`);
          return f;
        });
      }
      let canonical: string;
      try {
        canonical = identifierScheme(recordType.identifierScheme).canonicalise(body.identifier);
      } catch {
        canonical = '';
      }
      if (canonical !== body.identifier) {
        throw new RegistryProblem(
          400,
          'identifier_invalid',
          'The identifier is not valid',
          `identifier must be a canonical ${recordType.identifierScheme}.`,
        );
      }

      const subject = await resolveSubject(repo, recordType, canonical);
      if (!subject) {
        throw new RegistryProblem(
          404,
          'subject_not_found',
          'No such record',
          `This registry holds no ${recordTypeId} record for the identifier.`,
        );
      }
      const full = generateRecord(recordType, subject);
      const record = fields
        ? Object.fromEntries(fields.filter((f) => f in full).map((f) => [f, full[f]]))
        : full;
      res.setHeader('Cache-Control', 'no-store');
      res.json({
        recordType: recordType.id,
        recordTypeVersion: recordType.version,
        holder,
        issuedAt: new Date().toISOString(),
        record,
      });
      options.onAccess?.({
        requestId,
        recordType: recordTypeId,
        ...(typeof body.purpose === 'string' ? { purpose: body.purpose } : {}),
        status: 200,
      });
    } catch (err) {
      if (!(err instanceof RegistryProblem)) throw err;
      options.onAccess?.({ requestId, recordType: recordTypeId, status: err.status });
      sendProblem(res, err);
    }
  });

  app.use((_req: Request, res: Response) =>
    sendProblem(res, new RegistryProblem(404, 'not_found', 'Not found', 'No such resource.')),
  );
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = err as { type?: string; status?: number };
    if (e.type === 'entity.parse.failed')
      return sendProblem(res, invalid('The body is not well-formed JSON.'));
    if (e.type === 'entity.too.large')
      return sendProblem(
        res,
        new RegistryProblem(413, 'payload_too_large', 'Request body too large', 'The body is too large.'),
      );
    sendProblem(
      res,
      new RegistryProblem(500, 'internal', 'Internal error', 'Something went wrong in the registry.'),
    );
  });
  return app;
}

/** Starts the reference registry on host:port (port 0 picks a free one). */
export async function startReferenceRegistry(options: ReferenceRegistryOptions): Promise<ReferenceRegistry> {
  const catalog = options.catalog ?? loadCatalog();
  const holders = options.holders ?? catalog.holders().map((h) => h.id);
  const app = createRegistryApp({ ...options, catalog, holders });
  const server = createServer(app);
  server.keepAliveTimeout = 5_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    holders: [...holders],
    server,
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      })),
  };
}
