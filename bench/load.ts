/**
 * The load generator, run as its own process (never inside the server under test): reads a spec
 * (JSON file), drives the target with autocannon over loopback for a bounded time and prints one
 * JSON result on stdout. Bank queries get a fresh DPoP proof per request (ES256, signed with
 * node:crypto synchronously) and cycle through (subject, consent token) pairs so no consent is
 * used more often than it allows.
 *
 *   node --import tsx bench/load.ts <spec.json>
 */
import { createHash, createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import autocannon from 'autocannon';
import type { JWK } from 'jose';

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

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const requests: autocannon.Request[] = [];
  const ids: string[] = [];
  if (spec.kind === 'floor') {
    requests.push({
      method: 'POST',
      path: '/floor',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ purpose: 'loan.mortgage-screening', note: 'floor' }),
    });
  } else if (spec.kind === 'query') {
    const clients = spec.clients!.map((c) => ({
      authorization: `DPoP ${c.accessToken}`,
      proof: dpopSigner(c.dpopJwk, c.accessToken),
    }));
    const items = spec.items!;
    const htu = `${spec.url}/v1/queries`;
    let next = 0;
    requests.push({
      method: 'POST',
      path: '/v1/queries',
      setupRequest: (req) => {
        const item = items[next++ % items.length]!;
        const client = clients[item.client]!;
        return {
          ...req,
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
          }),
        };
      },
      ...(spec.idsFile
        ? {
            // Only answers that carried data count (a 200 may hold provider errors only).
            onResponse: (status: number, body: string, _ctx: unknown, headers?: Record<string, string>) => {
              if (status >= 200 && status < 300 && body.includes('"outcome":"released"')) {
                ids.push(headers?.['x-request-id'] ?? /"queryId":"([^"]+)"/.exec(body)?.[1] ?? 'no-id');
              }
            },
          }
        : {}),
    });
  } else {
    const cookies = spec.cookies!;
    let next = 0;
    requests.push({
      method: 'GET',
      path: '/v1/me/access-log',
      setupRequest: (req) => ({
        ...req,
        headers: { cookie: `juc_session=${cookies[next++ % cookies.length]}` },
      }),
    });
  }

  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.durationSec,
    ...(spec.overallRate ? { overallRate: spec.overallRate } : {}),
    requests,
    timeout: 10,
  });
  if (spec.idsFile) writeFileSync(spec.idsFile, JSON.stringify(ids));
  const lat = result.latency as unknown as Record<string, number>;
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) {
    statusCodes[code] = (stat as { count: number }).count;
  }
  const ok2xx = result['2xx'];
  return {
    kind: spec.kind,
    connections: spec.connections,
    overallRate: spec.overallRate ?? null,
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

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))) {
  const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadSpec;
  const result = await runLoad(spec);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
