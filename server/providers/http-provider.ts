/**
 * HTTP adapter for registries implementing openapi/provider.yaml (DESIGN §4 "Provider fetch").
 * Per attempt: a fresh signed request token, a timeout, a response size cap, no redirects, a
 * JSON and envelope check, and schema validation of the record. Around the attempts: at most 2
 * retries with jitter for transient failures of this idempotent read, a circuit breaker and a
 * bulkhead per provider, and a keep-alive agent. Every failure is a typed ProviderError; no
 * partial record ever leaves this module.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Catalog } from '../catalog/catalog.types.js';
import { ProviderError, type ProviderFailure } from '../errors.js';
import { Bulkhead, BulkheadFullError } from './bulkhead.js';
import { CircuitBreaker, type CircuitState } from './circuit-breaker.js';
import { SubjectNotFoundError } from './provider.errors.js';
import type { FetchRecordRequest, FetchRecordResult, Provider, ProviderHooks } from './provider.types.js';
import type { RequestSigningKey } from './provider-key.js';
import { checkRecord } from './record-check.js';
import { signRequestToken } from './request-token.js';

export interface HttpProviderOptions {
  /** Provider id, as named by catalog record types (`provider`). */
  id: string;
  /** Base URL of the registry API, e.g. https://registry.example.go.kr/api (the allow-listed origin). */
  baseUrl: string;
  /** `aud` of our request tokens; defaults to urn:juc:provider:<id>. */
  audience?: string;
  /** `iss` of our request tokens: who the gateway is to the registry. */
  issuer: string;
  catalog: Catalog;
  signingKey: RequestSigningKey;
  /** Timeout of one attempt, headers and body included. */
  timeoutMs: number;
  /** Retries after the first attempt, at most 2. */
  maxRetries?: number;
  /** First backoff step; each retry doubles it, with jitter. */
  retryBaseMs?: number;
  maxConcurrent: number;
  maxQueued?: number;
  maxResponseBytes: number;
  breaker: { threshold: number; cooldownMs: number };
  /** False for operations that must not be repeated; the record read is idempotent. */
  idempotent?: boolean;
  now?: () => number;
  random?: () => number;
  hooks?: ProviderHooks;
}

export interface HttpProvider extends Provider {
  readonly audience: string;
  circuitState(): CircuitState;
  stats(): { active: number; queued: number; circuit: CircuitState };
  close(): Promise<void>;
}

/** The outcome of one attempt that failed, and whether trying again could help. */
class AttemptFailure extends Error {
  readonly error: ProviderError | SubjectNotFoundError;
  readonly retryable: boolean;
  constructor(error: ProviderError | SubjectNotFoundError, retryable: boolean) {
    super(error.message);
    this.error = error;
    this.retryable = retryable;
  }
}

const RETRYABLE_STATUS = new Set([502, 503, 504]);
const MAX_RETRIES = 2;

export const defaultAudience = (providerId: string): string => `urn:juc:provider:${providerId}`;

/** Only http(s) origins with an optional path: no credentials, query or fragment in configuration. */
export function checkProviderUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`provider URL ${JSON.stringify(raw)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('provider URL must be http(s)');
  if (url.username || url.password) throw new Error('provider URL must not carry credentials');
  if (url.search || url.hash) throw new Error('provider URL must not have a query or fragment');
  return url;
}

export function createHttpProvider(options: HttpProviderOptions): HttpProvider {
  const id = options.id;
  const base = checkProviderUrl(options.baseUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  const audience = options.audience ?? defaultAudience(id);
  const maxRetries = Math.min(MAX_RETRIES, Math.max(0, options.maxRetries ?? MAX_RETRIES));
  const retryBaseMs = options.retryBaseMs ?? 50;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const idempotent = options.idempotent ?? true;
  const hooks = options.hooks ?? {};
  const transport = base.protocol === 'https:' ? https : http;
  const agent = new transport.Agent({
    keepAlive: true,
    maxSockets: options.maxConcurrent,
    maxFreeSockets: options.maxConcurrent,
    // Idle sockets are dropped before a typical server-side keep-alive timeout (5 s in Node).
    timeout: 4_000,
  });
  const breaker = new CircuitBreaker({
    ...options.breaker,
    now,
    onStateChange: (state) => hooks.onCircuit?.({ provider: id, state }),
  });
  const bulkhead = new Bulkhead(options.maxConcurrent, options.maxQueued ?? options.maxConcurrent * 2);

  const fail = (failure: ProviderFailure, detail: string, retryable: boolean, cause?: unknown) =>
    new AttemptFailure(new ProviderError(id, failure, detail, cause), retryable);

  /**
   * Reads the body under the size cap. Reports synchronously, before destroying the response, so
   * the socket errors that destruction causes can never overtake the real reason.
   */
  function readBody(
    res: IncomingMessage,
    done: (body: Buffer) => void,
    failed: (err: AttemptFailure) => void,
  ): void {
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > options.maxResponseBytes) {
      failed(
        fail(
          'bad_response',
          `response of ${declared} bytes exceeds the ${options.maxResponseBytes}-byte cap`,
          false,
        ),
      );
      res.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > options.maxResponseBytes) {
        failed(fail('bad_response', `response exceeds the ${options.maxResponseBytes}-byte cap`, false));
        res.destroy();
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => done(Buffer.concat(chunks)));
    res.on('error', (err) =>
      failed(fail('unavailable', 'the connection failed while reading the response', true, err)),
    );
    res.on('aborted', () =>
      failed(fail('unavailable', 'the registry closed the connection mid-response', true)),
    );
  }

  function interpret(
    request: FetchRecordRequest,
    res: IncomingMessage,
    body: Buffer,
  ): Record<string, unknown> {
    const status = res.statusCode ?? 0;
    const type = String(res.headers['content-type'] ?? '');
    const json = /^application\/([a-z.+-]+\+)?json\b/i.test(type);
    if (status !== 200) {
      if (status === 404 && json) {
        let code: unknown;
        try {
          code = (JSON.parse(body.toString('utf8')) as { code?: unknown }).code;
        } catch {
          code = undefined;
        }
        if (code === 'subject_not_found')
          throw new AttemptFailure(new SubjectNotFoundError(id, request.recordType), false);
      }
      throw fail(
        'unavailable',
        `the registry answered HTTP ${status}`,
        idempotent && RETRYABLE_STATUS.has(status),
      );
    }
    if (!json) throw fail('bad_response', 'the response is not application/json', false);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (err) {
      throw fail('bad_response', 'the response is not valid JSON', false, err);
    }
    const envelope = parsed as { recordType?: unknown; record?: unknown } | null;
    if (!envelope || typeof envelope !== 'object' || Array.isArray(envelope)) {
      throw fail('bad_response', 'the response is not a record envelope', false);
    }
    if (envelope.recordType !== request.recordType) {
      throw fail('bad_response', 'the response is for another record type', false);
    }
    const problems = checkRecord(options.catalog, request.recordType, envelope.record, request.fields);
    if (problems.length) {
      const list = problems
        .slice(0, 5)
        .map((p) => `${p.pointer} ${p.message}`)
        .join('; ');
      throw fail(
        'bad_response',
        `the record does not match the ${request.recordType} schema: ${list}`,
        false,
      );
    }
    return envelope.record as Record<string, unknown>;
  }

  async function attempt(request: FetchRecordRequest): Promise<Record<string, unknown>> {
    const path = `${basePath}/v1/records/${encodeURIComponent(request.recordType)}:fetch`;
    const body = JSON.stringify({
      identifier: request.identifier,
      ...(request.fields ? { fields: request.fields } : {}),
      ...(request.purpose ? { purpose: request.purpose } : {}),
    });
    const token = await signRequestToken(options.signingKey, {
      issuer: options.issuer,
      audience,
      method: 'POST',
      path,
      body,
      requestId: request.requestId,
      ...(request.purpose ? { purpose: request.purpose } : {}),
      now: new Date(now()),
    });
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const signal = AbortSignal.any([request.deadline, timeout]);
    if (signal.aborted) throw fail('timeout', 'the deadline passed before the request was sent', false);

    return new Promise<Record<string, unknown>>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        fn();
      };
      const req = transport.request(
        {
          protocol: base.protocol,
          hostname: base.hostname,
          port: base.port,
          path,
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            accept: 'application/json',
            authorization: `Bearer ${token}`,
            'x-request-id': request.requestId,
          },
        },
        (res) => {
          const status = res.statusCode ?? 0;
          if (status >= 300 && status < 400) {
            // Never followed: a registry that redirects could send us (and the token) anywhere.
            settle(() =>
              reject(
                fail(
                  'bad_response',
                  `the registry answered with a redirect (HTTP ${status}); redirects are not followed`,
                  false,
                ),
              ),
            );
            res.destroy();
            return;
          }
          readBody(
            res,
            (buffer) => {
              try {
                const record = interpret(request, res, buffer);
                settle(() => resolve(record));
              } catch (err) {
                settle(() => reject(err));
              }
            },
            (err) => settle(() => reject(err)),
          );
        },
      );
      const onAbort = () => {
        const callerGaveUp = request.deadline.aborted;
        settle(() =>
          reject(
            fail(
              'timeout',
              callerGaveUp
                ? 'the deadline passed while waiting for the registry'
                : `no complete answer within ${options.timeoutMs} ms`,
              !callerGaveUp && idempotent,
            ),
          ),
        );
        req.destroy();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      req.on('error', (err) =>
        settle(() =>
          reject(
            fail(
              'unavailable',
              `the registry could not be reached (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
              idempotent,
              err,
            ),
          ),
        ),
      );
      req.end(body);
    });
  }

  function sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  async function withRetries(
    request: FetchRecordRequest,
  ): Promise<{ record: Record<string, unknown>; attempts: number }> {
    for (let n = 1; ; n++) {
      hooks.onAttempt?.({ provider: id, attempt: n, recordType: request.recordType });
      try {
        return { record: await attempt(request), attempts: n };
      } catch (err) {
        if (!(err instanceof AttemptFailure)) throw err;
        if (!err.retryable || n > maxRetries || request.deadline.aborted) {
          Object.assign(err.error, { attempts: n });
          throw err.error;
        }
        // Exponential backoff with jitter: half fixed, half random, so retries of many callers spread out.
        const step = retryBaseMs * 2 ** (n - 1);
        try {
          await sleep(step / 2 + random() * (step / 2), request.deadline);
        } catch {
          throw new ProviderError(id, 'timeout', 'the deadline passed while waiting to retry');
        }
      }
    }
  }

  async function fetchRecord(request: FetchRecordRequest): Promise<FetchRecordResult> {
    const started = now();
    const report = (outcome: 'ok' | 'not_found' | ProviderFailure, attempts: number) =>
      hooks.onResult?.({
        provider: id,
        recordType: request.recordType,
        outcome,
        attempts,
        durationMs: now() - started,
      });
    const holder = options.catalog.get(request.recordType).holder.id;

    let release: () => void;
    try {
      release = await bulkhead.acquire(request.deadline);
    } catch (err) {
      report(err instanceof BulkheadFullError ? 'unavailable' : 'timeout', 0);
      if (err instanceof BulkheadFullError)
        throw new ProviderError(id, 'unavailable', 'too many requests to this registry are in flight');
      throw new ProviderError(id, 'timeout', 'the deadline passed while queued for this registry');
    }
    try {
      if (!breaker.tryAcquire()) {
        report('unavailable', 0);
        throw new ProviderError(
          id,
          'unavailable',
          `the circuit to this registry is open; retry in ${Math.ceil(breaker.retryAfterMs() / 1000)} s`,
        );
      }
      try {
        const { record, attempts } = await withRetries(request);
        breaker.success();
        report('ok', attempts);
        return { record, provenance: { holder, provider: id, retrievedAt: new Date(now()).toISOString() } };
      } catch (err) {
        const attempts = (err as { attempts?: number }).attempts ?? 1;
        if (err instanceof SubjectNotFoundError) {
          breaker.success();
          report('not_found', attempts);
        } else if (err instanceof ProviderError) {
          breaker.failure();
          report(err.failure, attempts);
        } else {
          breaker.release();
        }
        throw err;
      }
    } finally {
      release();
    }
  }

  return {
    id,
    audience,
    fetchRecord,
    circuitState: () => breaker.state,
    stats: () => ({ active: bulkhead.active, queued: bulkhead.queued, circuit: breaker.state }),
    async close() {
      agent.destroy();
    },
  };
}
