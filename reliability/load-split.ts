/**
 * The harness's load generator, run as its own process like bench/load.ts (whose spec it reads and
 * whose result it prints): a closed loop is bench/load.ts's own; a fixed rate is bench/open-loop.ts
 * with the answers' latencies also split by status (accepted 2xx apart from 429/503 refusals, which
 * L2 judges separately: §5 asks p99 ≤ 1 s of the accepted and ≤ 100 ms for the shed) and by second
 * (how fast the shedder settles).
 *
 *   node --import tsx reliability/load-split.ts <spec.json>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { requestSource, runLoad, type LoadResult, type LoadSpec } from '../bench/load.js';
import { percentile, type OpenLoopRequest } from '../bench/open-loop.js';
import { Agent, request } from 'node:http';

export interface Spread {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export interface SplitLoadResult extends LoadResult {
  /** Fixed rate only: latency of the answers by status class. */
  split?: {
    accepted: Spread;
    shed: Spread;
    other: Spread;
    /** Shed answers timed from when the request left the generator, not from when it was due. */
    shedFromSend: Spread;
  };
  /** Fixed rate only: per second from the start, answers due then (accepted p99, shed count). */
  perSecond?: { second: number; accepted: number; acceptedP99: number; shed: number; shedP99: number }[];
  /** Fixed rate only: this process's own event-loop delay (its answers are timed on that loop). */
  generatorLoopMs?: { p99: number; max: number };
}

const round1 = (v: number) => Math.round(v * 10) / 10;

export function spread(latencies: number[]): Spread {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: round1(percentile(sorted, 50)),
    p99: round1(percentile(sorted, 99)),
    max: round1(sorted.at(-1) ?? 0),
  };
}

const isShed = (status: number) => status === 429 || status === 503;

export interface SplitLoadSpec extends LoadSpec {
  /**
   * Open this many connections (GET /healthz on each) before the clock starts, so that the
   * generator's own cold start (connects, first requests on its loop) is not timed (L2).
   */
  warmConnections?: number;
  /**
   * Connect here rather than to `url` (L2: HAProxy's front), as a client whose name for the public
   * address resolves to the proxy: DPoP proofs and Host still name `url`, the gateway's PUBLIC_URL.
   */
  connectTo?: string;
}

interface Answer {
  status: number;
  due: number;
  sent: number;
  done: number;
}

/**
 * bench/open-loop.ts's fixed arrival rate (request k due at start + k / rate, sent then whatever
 * the earlier ones did, its latency from when it was due; dropped beyond `maxInFlight` open), with
 * each answer kept whole, an agent that can be warmed first and a connect address apart from the
 * URL the proofs name.
 */
async function openLoop(
  spec: SplitLoadSpec,
  next: () => OpenLoopRequest,
  onBody: (a: Answer, body: string, requestId: string | undefined) => void,
) {
  const target = new URL(spec.connectTo ?? spec.url);
  const host = new URL(spec.url).host;
  const agent = new Agent({ keepAlive: true, maxSockets: spec.connections });
  const send = (r: OpenLoopRequest, due: number, answers: Answer[]) =>
    new Promise<void>((resolve) => {
      const sent = performance.now();
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          method: r.method,
          path: r.path,
          headers: {
            ...r.headers,
            host,
            ...(r.body ? { 'content-length': String(Buffer.byteLength(r.body)) } : {}),
          },
          timeout: 10_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const a = { status: res.statusCode ?? 0, due, sent, done: performance.now() };
            answers.push(a);
            onBody(
              a,
              Buffer.concat(chunks).toString('utf8'),
              res.headers['x-request-id'] as string | undefined,
            );
            resolve();
          });
          res.on('error', () => {
            errors++;
            resolve();
          });
        },
      );
      req.on('timeout', () => {
        timeouts++;
        req.destroy(new Error('timeout'));
      });
      req.on('error', (err) => {
        if (err.message !== 'timeout') errors++;
        resolve();
      });
      req.end(r.body);
    });
  let errors = 0;
  let timeouts = 0;
  if (spec.warmConnections)
    await Promise.all(
      Array.from({ length: spec.warmConnections }, () =>
        send({ method: 'GET', path: '/healthz', headers: {} }, performance.now(), []),
      ),
    );
  errors = 0;
  timeouts = 0;
  const answers: Answer[] = [];
  const inflight = new Set<Promise<void>>();
  const total = Math.round(spec.overallRate! * spec.durationSec);
  const interval = 1000 / spec.overallRate!;
  const maxInFlight = spec.connections * 4;
  let dropped = 0;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    let sent = 0;
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) {
        const due = start + sent++ * interval;
        if (inflight.size >= maxInFlight) dropped++;
        else {
          const done = send(next(), due, answers);
          inflight.add(done);
          void done.then(() => inflight.delete(done));
        }
      }
      if (sent >= total) return resolve();
      setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
    };
    tick();
  });
  await Promise.all(inflight);
  agent.destroy();
  return {
    answers,
    start,
    errors,
    timeouts,
    dropped,
    total,
    durationSec: Math.round((performance.now() - start) / 10) / 100,
  };
}

async function fixedRate(spec: SplitLoadSpec): Promise<SplitLoadResult> {
  const ids: string[] = [];
  const next = requestSource(spec).next;
  // This process shares the machine with the gateway: a late loop here delays its own timing.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const r = await openLoop(spec, next, (a, body, requestId) => {
    if (spec.idsFile && a.status >= 200 && a.status < 300 && body.includes('"outcome":"released"'))
      ids.push(requestId ?? 'no-id');
  });
  const start = r.start;
  const statusCodes: Record<string, number> = {};
  for (const a of r.answers) statusCodes[a.status] = (statusCodes[a.status] ?? 0) + 1;
  const ok = (a: Answer) => a.status >= 200 && a.status < 300;
  const latencies = r.answers.map((a) => a.done - a.due);
  const statuses = r.answers.map((a) => a.status);
  const answeredAt = r.answers.map((a) => a.done);
  const shedFromSend = r.answers.filter((a) => isShed(a.status)).map((a) => a.done - a.sent);
  const ok2xx = r.answers.filter(ok).length;
  loop.disable();
  if (spec.idsFile) writeFileSync(spec.idsFile, JSON.stringify(ids));
  const accepted = latencies.filter((_, i) => statuses[i]! >= 200 && statuses[i]! < 300);
  const shed = latencies.filter((_, i) => isShed(statuses[i]!));
  const other = latencies.filter(
    (_, i) => !(statuses[i]! >= 200 && statuses[i]! < 300) && !isShed(statuses[i]!),
  );
  const all = spread(latencies);
  const seconds = new Map<number, { accepted: number[]; shed: number[] }>();
  latencies.forEach((ms, i) => {
    const second = Math.floor((answeredAt[i]! - ms - start) / 1000);
    const bucket = seconds.get(second) ?? { accepted: [], shed: [] };
    if (statuses[i]! >= 200 && statuses[i]! < 300) bucket.accepted.push(ms);
    else if (isShed(statuses[i]!)) bucket.shed.push(ms);
    seconds.set(second, bucket);
  });
  const perSecond = [...seconds.entries()]
    .sort(([a], [b]) => a - b)
    .map(([second, b]) => ({
      second,
      accepted: b.accepted.length,
      acceptedP99: spread(b.accepted).p99,
      shed: b.shed.length,
      shedP99: spread(b.shed).p99,
    }));
  const mean = latencies.length ? latencies.reduce((a, v) => a + v, 0) / latencies.length : 0;
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    kind: spec.kind,
    connections: spec.connections,
    overallRate: spec.overallRate!,
    durationSec: r.durationSec,
    requests: r.total - r.dropped,
    rps: Math.round(r.answers.length / r.durationSec),
    latencyMs: {
      p50: all.p50,
      p90: round1(percentile(sorted, 90)),
      p99: all.p99,
      p999: round1(percentile(sorted, 99.9)),
      max: all.max,
      mean: Math.round(mean * 100) / 100,
    },
    ok2xx,
    non2xx: r.answers.length - ok2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes,
    dropped: r.dropped,
    split: {
      accepted: spread(accepted),
      shed: spread(shed),
      other: spread(other),
      shedFromSend: spread(shedFromSend),
    },
    perSecond,
    generatorLoopMs: { p99: round1(loop.percentile(99) / 1e6), max: round1(loop.max / 1e6) },
  };
}

if (process.argv[1]?.endsWith('load-split.ts')) {
  const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as SplitLoadSpec;
  const result = spec.overallRate && spec.kind === 'query' ? await fixedRate(spec) : await runLoad(spec);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
