/** Small request helpers the checks share: JSON calls, raw sockets for framing abuse, timing. */
import { connect } from 'node:net';
import type { Caller, Consented, Target } from './types.js';

export interface Answer {
  status: number;
  ms: number;
  headers: Headers;
  text: string;
  body: Record<string, unknown> | undefined;
}

export async function call(
  target: Target,
  caller: Caller,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const started = performance.now();
  // JSON unless the caller names a type; an empty type means none is sent at all.
  const sent = Object.fromEntries(
    Object.entries(body === undefined ? headers : { 'content-type': 'application/json', ...headers }).filter(
      ([, v]) => v !== '',
    ),
  );
  const response = await target.send(caller, {
    method,
    target: path,
    headers: sent,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, ms, headers: response.headers, text, body: parsed };
}

/** The query a consent allows, with `change` applied on top. */
export function consentedQuery(c: Consented, change: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    purpose: c.purpose,
    subject: { scheme: 'rrn', id: c.rrn },
    mode: 'full',
    records: [{ recordType: c.recordType }],
    consent: { token: c.token },
    ...change,
  };
}

/** Released records of a query answer (outcome released), or none. */
export function releasedRecords(answer: Answer): { recordType?: string; data?: Record<string, unknown> }[] {
  const records = (answer.body?.records ?? []) as {
    outcome?: string;
    recordType?: string;
    released?: Record<string, unknown>;
  }[];
  return answer.status >= 200 && answer.status < 300
    ? records
        .filter((r) => r.outcome === 'released')
        .map((r) => ({ recordType: r.recordType, data: r.released ?? {} }))
    : [];
}

/** Runs a query as client-dpop and remembers a released answer's request id for the I1 cross-check. */
export async function query(target: Target, body: unknown, caller: Caller = 'client-dpop'): Promise<Answer> {
  const answer = await call(target, caller, 'POST', '/v1/queries', body);
  if (releasedRecords(answer).length) {
    const id = (answer.body?.queryId as string | undefined) ?? answer.headers.get('x-request-id') ?? 'none';
    target.released.push(id);
  }
  return answer;
}

/** Bytes over a raw TCP socket (framing the fetch API would never send); the first status line back. */
export function raw(
  target: Target,
  bytes: string | Buffer,
  timeoutMs = 5000,
): Promise<{ status: number; text: string; ms: number }> {
  const url = new URL(target.url);
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    let data = '';
    const done = () => {
      socket.destroy();
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      resolve({ status, text: data, ms: performance.now() - started });
    };
    socket.setTimeout(timeoutMs, done);
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
    });
    socket.on('end', done);
    socket.on('error', done);
    socket.on('connect', () => socket.write(bytes));
  });
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const median = (values: number[]) => percentile(values, 50);
export const round = (n: number, digits = 1) => Number(n.toFixed(digits));
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function countBy<T>(values: T[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[String(v)] = (out[String(v)] ?? 0) + 1;
  return out;
}

/** A consent request the Hanbit bank's mortgage purpose allows, for `id`, with `extra` on top. */
export function consentRequest(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    subject: { scheme: 'rrn', id },
    purpose: 'loan.mortgage-screening',
    records: [
      {
        recordType: 'resident.registration-abstract',
        fields: { required: ['address', 'householdHeadName'], optional: [] },
      },
    ],
    durationDays: 30,
    usage: { fetch: 'limited', maxUses: 3 },
    dataRange: { from: '2025-01-01', to: '2025-12-31' },
    dataLife: { unit: 'day', value: 90 },
    ...extra,
  };
}
