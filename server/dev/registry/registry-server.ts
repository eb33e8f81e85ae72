/**
 * The reference registry: an HTTP server implementing openapi/provider.yaml over the synthetic
 * `registry_*` tables (demo and tests only, DESIGN §5 dev/). One listener stands for one holding
 * agency (or, for REGISTRY_URL, for several): it serves only the record types its holders keep,
 * authenticates the gateway by a request token addressed to the record's holder
 * (`aud` urn:juc:provider:<holder>) and signed with a key trusted for that holder, answers only the
 * fields asked for, and regenerates each record from the stored subject.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
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
  /**
   * Public keys the gateway signs with (its provider-request keys), per holder served; `refresh`:
   * a token the keys given did not verify, so look again now (a key just published).
   */
  trustedKeys: readonly JWK[] | ((holder: string, refresh?: boolean) => readonly JWK[]);
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

const BODY_LIMIT = 8 * 1024;
const RECORDS_PATH = /^\/v1\/records\/([^/]+)$/;

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, {
    'content-type': `${type}; charset=utf-8`,
    'content-length': String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(body);
}

function sendProblem(res: ServerResponse, problem: RegistryProblem): void {
  send(
    res,
    problem.status,
    'application/problem+json',
    JSON.stringify({
      type: `urn:juc:registry:problem:${problem.code}`,
      title: problem.title,
      status: problem.status,
      detail: problem.detail,
      code: problem.code,
    }),
    problem.status === 401 ? { 'www-authenticate': 'Bearer' } : {},
  );
}

const invalid = (detail: string) =>
  new RegistryProblem(400, 'validation_failed', 'The request is not valid', detail);
const notFound = () => new RegistryProblem(404, 'not_found', 'Not found', 'No such resource.');

/** The body as sent (the request token binds its hash), at most BODY_LIMIT bytes. */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT) {
        reject(
          new RegistryProblem(413, 'payload_too_large', 'Request body too large', 'The body is too large.'),
        );
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A JSON object or array, as express.json's strict mode took it; an empty body is none. */
function parseBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw invalid('The body is not well-formed JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid('The body is not well-formed JSON.');
  return parsed;
}

/**
 * The registry's request handler on node:http alone: one keyed read per request, as lean as a real
 * agency's adapter would be (issue 18 measured Express, body-parser and ETags at a quarter of its CPU).
 */
export function createRegistryHandler(
  options: Omit<ReferenceRegistryOptions, 'port' | 'host'>,
): (req: IncomingMessage, res: ServerResponse) => void {
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

  async function fetchRecord(req: IncomingMessage, res: ServerResponse, rawTarget: string, path: string) {
    const header = req.headers['x-request-id'];
    const requestId = typeof header === 'string' ? header : '';
    let recordTypeId = '';
    let body: { identifier?: unknown; fields?: unknown; purpose?: unknown } | undefined;
    try {
      let decoded = '';
      try {
        decoded = decodeURIComponent(rawTarget);
      } catch {
        decoded = '';
      }
      const target = FETCH_TARGET.exec(decoded);
      if (!target) throw new RegistryProblem(404, 'not_found', 'Not found', 'No such operation.');
      recordTypeId = target[1]!;
      const raw = await readBody(req);
      const parsed = parseBody(raw);
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

      const auth = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(req.headers.authorization ?? '');
      if (!auth)
        throw new RegistryProblem(
          401,
          'unauthenticated',
          'Authentication required',
          'A bearer request token is required.',
        );
      body = parsed as typeof body;
      const verify = (keys: readonly JWK[]) =>
        verifyRequestToken(auth[1]!, {
          keys,
          issuer,
          audience: defaultAudience(holder),
          replay,
          method: 'POST',
          path,
          body: raw,
          requestId,
          ...(typeof body?.purpose === 'string' ? { purpose: body.purpose } : {}),
        });
      try {
        const known = trusted(holder);
        await verify(known).catch(async (err: unknown) => {
          const fresh = trusted(holder, true);
          if (!(err instanceof RequestTokenError) || fresh === known) throw err;
          await verify(fresh);
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
      const answer = JSON.stringify({
        recordType: recordType.id,
        recordTypeVersion: recordType.version,
        holder,
        issuedAt: new Date().toISOString(),
        record,
      });
      send(res, 200, 'application/json', answer, { 'cache-control': 'no-store' });
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
  }

  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const handled = (async () => {
      if (req.method === 'GET' && path === '/health')
        return send(res, 200, 'application/json', '{"status":"ok"}');
      const records = req.method === 'POST' ? RECORDS_PATH.exec(path) : null;
      if (!records) {
        req.resume();
        return sendProblem(res, notFound());
      }
      await fetchRecord(req, res, records[1]!, path);
    })();
    handled.catch((err: unknown) => {
      if (err instanceof RegistryProblem) return sendProblem(res, err);
      if (res.headersSent) return res.destroy();
      sendProblem(
        res,
        new RegistryProblem(500, 'internal', 'Internal error', 'Something went wrong in the registry.'),
      );
    });
  };
}

/** Starts the reference registry on host:port (port 0 picks a free one). */
export async function startReferenceRegistry(options: ReferenceRegistryOptions): Promise<ReferenceRegistry> {
  const catalog = options.catalog ?? loadCatalog();
  const holders = options.holders ?? catalog.holders().map((h) => h.id);
  const server = createServer(createRegistryHandler({ ...options, catalog, holders }));
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
