/**
 * A fixed arrival rate, open loop: request k is due at start + k / rate, sent at that moment
 * whatever happened to the earlier ones, and its latency runs from when it was due (so a stall
 * shows in every request it delayed — no coordinated omission). autocannon's `overallRate` is not
 * this: each connection sends its per-second quota back to back at the start of each second, so
 * at 50/s with 50 connections every second begins with a burst of 50 simultaneous requests and the
 * figure measures the burst.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface OpenLoopRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface OpenLoopResult {
  requests: number;
  /** Due while `maxInFlight` requests were still open: not sent (the target did not keep up). */
  dropped: number;
  durationSec: number;
  latenciesMs: number[];
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

export async function openLoop(options: {
  url: string;
  rate: number;
  durationSec: number;
  /** Upper bound on open connections; requests wait for a free one (and that wait counts). */
  connections: number;
  /** Requests open at once (sent or waiting for a connection) beyond which due ones are dropped. */
  maxInFlight: number;
  timeoutMs: number;
  next: () => OpenLoopRequest;
  onResponse?: (status: number, body: string, headers: Record<string, string | string[] | undefined>) => void;
}): Promise<OpenLoopResult> {
  const target = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const total = Math.round(options.rate * options.durationSec);
  const interval = 1000 / options.rate;
  const result: OpenLoopResult = {
    requests: 0,
    dropped: 0,
    durationSec: 0,
    latenciesMs: [],
    ok2xx: 0,
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    statusCodes: {},
  };
  const inflight = new Set<Promise<void>>();

  const fire = (due: number) => {
    const spec = options.next();
    const done = new Promise<void>((resolve) => {
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          method: spec.method,
          path: spec.path,
          headers: spec.body
            ? { ...spec.headers, 'content-length': String(Buffer.byteLength(spec.body)) }
            : spec.headers,
          timeout: options.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            result.latenciesMs.push(performance.now() - due);
            result.statusCodes[status] = (result.statusCodes[status] ?? 0) + 1;
            if (status >= 200 && status < 300) result.ok2xx++;
            else result.non2xx++;
            options.onResponse?.(status, Buffer.concat(chunks).toString('utf8'), res.headers);
            resolve();
          });
          res.on('error', () => {
            result.errors++;
            resolve();
          });
        },
      );
      req.on('timeout', () => {
        result.timeouts++;
        req.destroy(new Error('timeout'));
      });
      req.on('error', (err) => {
        if (err.message !== 'timeout') result.errors++;
        resolve();
      });
      req.end(spec.body);
    });
    inflight.add(done);
    void done.then(() => inflight.delete(done));
  };

  const start = performance.now();
  await new Promise<void>((resolve) => {
    let sent = 0;
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) {
        const due = start + sent++ * interval;
        if (inflight.size >= options.maxInFlight) result.dropped++;
        else fire(due);
      }
      if (sent >= total) return resolve();
      setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
    };
    tick();
  });
  await Promise.all(inflight);
  result.requests = total - result.dropped;
  result.durationSec = Math.round((performance.now() - start) / 10) / 100;
  agent.destroy();
  return result;
}

/** Percentile by nearest rank over a sorted copy. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
