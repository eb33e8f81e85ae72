/**
 * HTTP adapter for registries implementing openapi/provider.yaml (DESIGN §4 "Provider fetch").
 * Per attempt (http-attempt.ts): a fresh signed request token, a timeout, a response size cap, no
 * redirects, a JSON and envelope check, and schema validation of the record. Around the attempts
 * (resilience.ts, cockatiel): at most 2 retries with jitter for transient failures of this idempotent
 * read, a circuit breaker and a bulkhead per provider. One keep-alive agent per provider. Every failure
 * is a typed ProviderError; no partial record ever leaves this module.
 */
import http from 'node:http';
import https from 'node:https';
import type { Catalog } from '../catalog/catalog.types.js';
import { ProviderError, type ProviderFailure } from '../errors.js';
import { registryAttempt } from './http-attempt.js';
import { SubjectNotFoundError } from './provider.errors.js';
import type { FetchRecordRequest, FetchRecordResult, Provider, ProviderHooks } from './provider.types.js';
import type { RequestSigningKey } from './provider-key.js';
import { Refused, registryResilience, type CircuitStateName } from './resilience.js';

export type CircuitState = CircuitStateName;

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
  /** Provenance time and durations; the circuit breaker (cockatiel) keeps time with Date.now. */
  now?: () => number;
  /** Backoff jitter. */
  random?: () => number;
  hooks?: ProviderHooks;
}

export interface HttpProvider extends Provider {
  readonly audience: string;
  circuitState(): CircuitState;
  stats(): { active: number; queued: number; circuit: CircuitState };
  close(): Promise<void>;
}

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
  const audience = options.audience ?? defaultAudience(id);
  const now = options.now ?? Date.now;
  const hooks = options.hooks ?? {};
  const transport = base.protocol === 'https:' ? https : http;
  const agent = new transport.Agent({
    keepAlive: true,
    maxSockets: options.maxConcurrent,
    maxFreeSockets: options.maxConcurrent,
    // Idle sockets are dropped before a typical server-side keep-alive timeout (5 s in Node).
    timeout: 4_000,
  });
  const attempt = registryAttempt({
    id,
    base,
    audience,
    issuer: options.issuer,
    catalog: options.catalog,
    signingKey: options.signingKey,
    timeoutMs: options.timeoutMs,
    maxResponseBytes: options.maxResponseBytes,
    idempotent: options.idempotent ?? true,
    now,
    transport,
    agent,
  });
  const resilience = registryResilience({
    id,
    maxConcurrent: options.maxConcurrent,
    maxQueued: options.maxQueued ?? options.maxConcurrent * 2,
    breaker: options.breaker,
    maxRetries: Math.min(MAX_RETRIES, Math.max(0, options.maxRetries ?? MAX_RETRIES)),
    retryBaseMs: options.retryBaseMs ?? 50,
    random: options.random ?? Math.random,
    onCircuit: (state) => hooks.onCircuit?.({ provider: id, state }),
  });

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
    try {
      const { value: record, attempts } = await resilience.call(request.deadline, (n) => {
        hooks.onAttempt?.({ provider: id, attempt: n, recordType: request.recordType });
        return attempt(request);
      });
      report('ok', attempts);
      return { record, provenance: { holder, provider: id, retrievedAt: new Date(now()).toISOString() } };
    } catch (err) {
      if (err instanceof Refused) {
        report(err.error.failure, 0);
        throw err.error;
      }
      const attempts = (err as { attempts?: number }).attempts ?? 1;
      if (err instanceof SubjectNotFoundError) report('not_found', attempts);
      else if (err instanceof ProviderError) report(err.failure, attempts);
      throw err;
    }
  }

  return {
    id,
    audience,
    fetchRecord,
    circuitState: () => resilience.circuitState(),
    stats: () => ({ ...resilience.stats(), circuit: resilience.circuitState() }),
    async close() {
      agent.destroy();
    },
  };
}
