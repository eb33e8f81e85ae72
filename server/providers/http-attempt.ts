/**
 * One attempt at a registry (openapi/provider.yaml): a fresh signed request token, a timeout, a response
 * size cap, no redirects, a JSON and envelope check, and schema validation of the record. A failed
 * attempt says whether trying again could help; retries, breaker and bulkhead are resilience.ts's.
 */
import type http from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Catalog } from '../catalog/catalog.types.js';
import { ProviderError, type ProviderFailure } from '../errors.js';
import { SubjectNotFoundError } from './provider.errors.js';
import type { FetchRecordRequest } from './provider.types.js';
import type { RequestSigningKey } from './provider-key.js';
import { checkRecord } from './record-check.js';
import { signRequestToken } from './request-token.js';

/** The outcome of one attempt that failed, and whether trying again could help. */
export class AttemptFailure extends Error {
  readonly error: ProviderError | SubjectNotFoundError;
  readonly retryable: boolean;
  constructor(error: ProviderError | SubjectNotFoundError, retryable: boolean) {
    super(error.message);
    this.error = error;
    this.retryable = retryable;
  }
}

const RETRYABLE_STATUS = new Set([502, 503, 504]);

export interface AttemptSettings {
  /** Provider id, as named by catalog record types (`provider`). */
  id: string;
  base: URL;
  audience: string;
  issuer: string;
  catalog: Catalog;
  signingKey: RequestSigningKey;
  timeoutMs: number;
  maxResponseBytes: number;
  idempotent: boolean;
  now: () => number;
  /** node:http or node:https, by the base URL's scheme, with its keep-alive agent. */
  transport: Pick<typeof http, 'request'>;
  agent: http.Agent;
}

/** One attempt's function for one registry: resolves with the checked record or rejects with an AttemptFailure. */
export function registryAttempt(
  settings: AttemptSettings,
): (request: FetchRecordRequest) => Promise<Record<string, unknown>> {
  const { id, base, audience, idempotent, now, transport, agent } = settings;
  const options = settings;
  const basePath = base.pathname.replace(/\/+$/, '');

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

  return attempt;
}
