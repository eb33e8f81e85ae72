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
import { dpopSigner, runLoad, type LoadResult, type LoadSpec } from '../bench/load.js';
import { openLoop, percentile, type OpenLoopRequest } from '../bench/open-loop.js';

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

/** Bank queries as bench/load.ts builds them: fresh DPoP proof, next subject and consent token. */
function queries(spec: LoadSpec, handedAt: Map<string, number>) {
  const clients = spec.clients!.map((c) => ({
    authorization: `DPoP ${c.accessToken}`,
    proof: dpopSigner(c.dpopJwk, c.accessToken),
  }));
  const items = spec.items!;
  const htu = `${spec.url}/v1/queries`;
  let next = 0;
  return (): OpenLoopRequest => {
    const item = items[next++ % items.length]!;
    const client = clients[item.client]!;
    // Our own request id (the gateway keeps a plain one): when the request left the generator.
    const requestId = `load-${process.pid}-${next}`;
    handedAt.set(requestId, performance.now());
    return {
      method: 'POST',
      path: '/v1/queries',
      headers: {
        'content-type': 'application/json',
        authorization: client.authorization,
        dpop: client.proof('POST', htu),
        'x-request-id': requestId,
      },
      body: JSON.stringify({
        purpose: spec.purpose,
        subject: { scheme: 'rrn', id: item.rrn },
        mode: 'full',
        records: spec.recordTypes!.map((recordType) => ({ recordType })),
        consent: { token: item.consentToken },
      }),
    };
  };
}

async function fixedRate(spec: LoadSpec): Promise<SplitLoadResult> {
  const ids: string[] = [];
  // open-loop.ts records an answer's latency and then calls onResponse for it, in the same
  // callback: the i-th status seen here belongs to the i-th latency in its result.
  const statuses: number[] = [];
  const answeredAt: number[] = [];
  const handedAt = new Map<string, number>();
  const shedFromSend: number[] = [];
  const next = queries(spec, handedAt);
  const start = performance.now();
  // This process shares the machine with the gateway: a late loop here delays its own timing.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const r = await openLoop({
    url: spec.url,
    rate: spec.overallRate!,
    durationSec: spec.durationSec,
    connections: spec.connections,
    maxInFlight: spec.connections * 4,
    timeoutMs: 10_000,
    next,
    onResponse: (status, body, headers) => {
      statuses.push(status);
      answeredAt.push(performance.now());
      const rid = headers['x-request-id'] as string | undefined;
      const sent = rid ? handedAt.get(rid) : undefined;
      if (isShed(status) && sent !== undefined) shedFromSend.push(performance.now() - sent);
      if (spec.idsFile && status >= 200 && status < 300 && body.includes('"outcome":"released"'))
        ids.push((headers['x-request-id'] as string | undefined) ?? 'no-id');
    },
  });
  loop.disable();
  if (spec.idsFile) writeFileSync(spec.idsFile, JSON.stringify(ids));
  const latencies = r.latenciesMs;
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
    requests: r.requests,
    rps: Math.round((r.ok2xx + r.non2xx) / r.durationSec),
    latencyMs: {
      p50: all.p50,
      p90: round1(percentile(sorted, 90)),
      p99: all.p99,
      p999: round1(percentile(sorted, 99.9)),
      max: all.max,
      mean: Math.round(mean * 100) / 100,
    },
    ok2xx: r.ok2xx,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes: r.statusCodes,
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
  const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadSpec;
  const result = spec.overallRate && spec.kind === 'query' ? await fixedRate(spec) : await runLoad(spec);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
