/**
 * The load generator, run as its own process (never inside the server under test): reads a spec
 * (JSON file), drives the target over loopback for a bounded time — a closed loop with autocannon,
 * or a fixed arrival rate with bench/open-loop.ts — and prints one JSON result on stdout. Bank queries get a fresh DPoP proof per request (ES256, signed with
 * node:crypto synchronously) and cycle through (subject, consent token) pairs so no consent is
 * used more often than it allows.
 *
 *   node --import tsx bench/load.ts <spec.json>
 */
import { createHash, createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import autocannon from 'autocannon';
import type { JWK } from 'jose';
import { openLoop, percentile, type OpenLoopRequest } from './open-loop.js';

export interface LoadSpec {
  kind: 'floor' | 'query' | 'history';
  /** Base URL, e.g. http://127.0.0.1:3000 */
  url: string;
  connections: number;
  durationSec: number;
  /** Fixed arrival rate across all connections (requests/s); closed loop when absent. */
  overallRate?: number;
  /** Queries: one access token and DPoP key per API client. */
  clients?: { accessToken: string; dpopJwk: JWK }[];
  items?: { client: number; rrn: string; consentToken: string }[];
  purpose?: string;
  recordTypes?: string[];
  /** History reads: session cookies of signed-in citizens. */
  cookies?: string[];
  /** Queries: every n-th asks for a signed copy of what is released (0 or absent: none). */
  signedCopyEvery?: number;
  /** Write the request ids of 2xx query answers that carried data here (the I1 cross-check). */
  idsFile?: string;
}

export interface LoadResult {
  kind: LoadSpec['kind'];
  connections: number;
  overallRate: number | null;
  durationSec: number;
  requests: number;
  rps: number;
  latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** Fixed rate only: requests not sent because `connections × 4` were already open. */
  dropped?: number;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export function dpopSigner(jwk: JWK, accessToken: string) {
  const key: KeyObject = createPrivateKey({ key: jwk as never, format: 'jwk' });
  const { kty, crv, x, y } = jwk;
  const header = b64url(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } }));
  const ath = b64url(createHash('sha256').update(accessToken).digest());
  return (method: string, htu: string) => {
    const payload = b64url(
      JSON.stringify({ jti: randomUUID(), htm: method, htu, iat: Math.floor(Date.now() / 1000), ath }),
    );
    const input = `${header}.${payload}`;
    const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
    return `${input}.${b64url(signature)}`;
  };
}

/** One request of the spec's kind per call (fresh DPoP proof, next subject and consent token). */
export function requestSource(spec: LoadSpec): {
  next: () => OpenLoopRequest;
  onResponse: (status: number, body: string, requestId: string | undefined) => void;
  ids: string[];
} {
  const ids: string[] = [];
  if (spec.kind === 'floor') {
    const body = JSON.stringify({ purpose: 'loan.mortgage-screening', note: 'floor' });
    return {
      next: () => ({ method: 'POST', path: '/floor', headers: { 'content-type': 'application/json' }, body }),
      onResponse: () => undefined,
      ids,
    };
  }
  if (spec.kind === 'query') {
    const clients = spec.clients!.map((c) => ({
      authorization: `DPoP ${c.accessToken}`,
      proof: dpopSigner(c.dpopJwk, c.accessToken),
    }));
    const items = spec.items!;
    const htu = `${spec.url}/v1/queries`;
    let next = 0;
    const every = spec.signedCopyEvery ?? 0;
    return {
      next: () => {
        const signedCopy = every > 0 && next % every === 0;
        const item = items[next++ % items.length]!;
        const client = clients[item.client]!;
        return {
          method: 'POST',
          path: '/v1/queries',
          headers: {
            'content-type': 'application/json',
            authorization: client.authorization,
            dpop: client.proof('POST', htu),
          },
          body: JSON.stringify({
            purpose: spec.purpose,
            subject: { scheme: 'rrn', id: item.rrn },
            mode: 'full',
            records: spec.recordTypes!.map((recordType) => ({ recordType })),
            consent: { token: item.consentToken },
            ...(signedCopy ? { signedCopy: true } : {}),
          }),
        };
      },
      // Only answers that carried data count (a 200 may hold provider errors only).
      onResponse: (status, body, requestId) => {
        if (spec.idsFile && status >= 200 && status < 300 && body.includes('"outcome":"released"')) {
          ids.push(requestId ?? /"queryId":"([^"]+)"/.exec(body)?.[1] ?? 'no-id');
        }
      },
      ids,
    };
  }
  const cookies = spec.cookies!;
  let next = 0;
  return {
    next: () => ({
      method: 'GET',
      path: '/v1/me/access-log',
      headers: { cookie: `juc_session=${cookies[next++ % cookies.length]}` },
    }),
    onResponse: () => undefined,
    ids,
  };
}

/** Closed loop: `connections` clients each sending the next request when the last one answered. */
async function closedLoop(spec: LoadSpec): Promise<LoadResult> {
  const source = requestSource(spec);
  const request: autocannon.Request = {
    setupRequest: (req) => {
      const r = source.next();
      return {
        ...req,
        method: r.method as 'GET',
        path: r.path,
        headers: r.headers,
        ...(r.body ? { body: r.body } : {}),
      };
    },
    // Bodies are only collected when they are looked at (the I1 request-id check).
    ...(spec.idsFile
      ? {
          onResponse: (status: number, body: string, _ctx: unknown, headers?: Record<string, string>) =>
            source.onResponse(status, body, headers?.['x-request-id']),
        }
      : {}),
  };
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.durationSec,
    requests: [request],
    timeout: 10,
  });
  if (spec.idsFile) writeFileSync(spec.idsFile, JSON.stringify(source.ids));
  const lat = result.latency as unknown as Record<string, number>;
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) {
    statusCodes[code] = (stat as { count: number }).count;
  }
  const ok2xx = result['2xx'];
  return {
    kind: spec.kind,
    connections: spec.connections,
    overallRate: null,
    durationSec: result.duration,
    requests: result.requests.total,
    rps: Math.round((ok2xx + result.non2xx) / result.duration),
    latencyMs: {
      p50: lat.p50!,
      p90: lat.p90!,
      p99: lat.p99!,
      p999: lat.p99_9!,
      max: lat.max!,
      mean: Math.round(lat.mean! * 100) / 100,
    },
    ok2xx,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
  };
}

/** Fixed arrival rate (bench/open-loop.ts): latency from when each request was due. */
async function fixedRate(spec: LoadSpec): Promise<LoadResult> {
  const source = requestSource(spec);
  const r = await openLoop({
    url: spec.url,
    rate: spec.overallRate!,
    durationSec: spec.durationSec,
    connections: spec.connections,
    maxInFlight: spec.connections * 4,
    timeoutMs: 10_000,
    next: source.next,
    onResponse: (status, body, headers) =>
      source.onResponse(status, body, headers['x-request-id'] as string | undefined),
  });
  if (spec.idsFile) writeFileSync(spec.idsFile, JSON.stringify(source.ids));
  const sorted = r.latenciesMs.sort((a, b) => a - b);
  const ms = (p: number) => Math.round(percentile(sorted, p) * 10) / 10;
  const mean = sorted.length ? sorted.reduce((a, v) => a + v, 0) / sorted.length : 0;
  return {
    kind: spec.kind,
    connections: spec.connections,
    overallRate: spec.overallRate!,
    durationSec: r.durationSec,
    requests: r.requests,
    rps: Math.round((r.ok2xx + r.non2xx) / r.durationSec),
    latencyMs: {
      p50: ms(50),
      p90: ms(90),
      p99: ms(99),
      p999: ms(99.9),
      max: Math.round((sorted.at(-1) ?? 0) * 10) / 10,
      mean: Math.round(mean * 100) / 100,
    },
    ok2xx: r.ok2xx,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes: r.statusCodes,
    dropped: r.dropped,
  };
}

export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return spec.overallRate ? fixedRate(spec) : closedLoop(spec);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))) {
  const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadSpec;
  const result = await runLoad(spec);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
