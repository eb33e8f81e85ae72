/** The figures of one bench run, computed from its scenarios' results, and the targets they meet. */
import type { LoadResult } from '../load.js';
import type { SqlPerRequest } from './sql-stats.js';

export type Scenario = LoadResult & {
  missingAudit?: number;
  cpuMsPerRequest?: Record<string, number>;
  sql?: SqlPerRequest;
};
export type Figures = Record<string, number | string | null>;

const round2 = (x: number) => Math.round(x * 100) / 100;
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, v) => a + v, 0) / xs.length : NaN);
const orNull = (x: number) => (Number.isFinite(x) ? round2(x) : null);

/** Scenarios run as pairs (a2, b) back to back: keys a2-1, b-1, a2-2, b-2. */
export function pairsOf(results: Record<string, unknown>): { a2: Scenario; b: Scenario }[] {
  const out: { a2: Scenario; b: Scenario }[] = [];
  for (let i = 1; results[`a2-${i}`] || results[`b-${i}`]; i++) {
    const a2 = results[`a2-${i}`] as Scenario | undefined;
    const b = results[`b-${i}`] as Scenario | undefined;
    if (a2 && b) out.push({ a2, b });
  }
  return out;
}

export function computeFigures(results: Record<string, unknown>, appends: unknown): Figures {
  const r = results as Record<string, Scenario | undefined>;
  const bs = Object.keys(r)
    .filter((k) => /^b-\d+$/.test(k))
    .map((k) => r[k]!);
  const a2s = Object.keys(r)
    .filter((k) => /^a2-\d+$/.test(k))
    .map((k) => r[k]!);
  const pairs = pairsOf(results);
  const cpu = (s: Scenario | undefined, group = 'total') => s?.cpuMsPerRequest?.[group] ?? NaN;
  const e = appends as { appendsPerSecond: number; sequencerLagMs: { p99: number } } | undefined;
  const queryRps = mean(bs.map((b) => b.rps));
  const queryCpu = mean(bs.map((b) => cpu(b)));
  return {
    floorRps: r.a?.rps ?? null,
    queryRps: orNull(queryRps),
    ratio: r.a && bs.length ? round2(queryRps / r.a.rps) : null,
    floorCpuMs: orNull(cpu(r.a)),
    queryCpuMs: orNull(queryCpu),
    queryGatewayCpuMs: orNull(mean(bs.map((b) => cpu(b, 'gateway')))),
    queryRegistryCpuMs: orNull(mean(bs.map((b) => cpu(b, 'registry')))),
    queryPgCpuMs: orNull(mean(bs.map((b) => cpu(b, 'postgres')))),
    queryStatements: orNull(mean(bs.map((b) => b.sql?.statements ?? NaN))),
    queryTransactions: orNull(mean(bs.map((b) => b.sql?.transactions ?? NaN))),
    queryP50: bs.at(-1)?.latencyMs.p50 ?? null,
    queryP99: bs.at(-1)?.latencyMs.p99 ?? null,
    workFloorRps: orNull(mean(a2s.map((a) => a.rps))),
    workFloorCpuMs: orNull(mean(a2s.map((a) => cpu(a)))),
    workFloorPgCpuMs: orNull(mean(a2s.map((a) => cpu(a, 'postgres')))),
    workFloorStatements: orNull(mean(a2s.map((a) => a.sql?.statements ?? NaN))),
    rpsRatioA2: orNull(mean(pairs.map((p) => p.b.rps / p.a2.rps))),
    cpuRatioA2: orNull(mean(pairs.map((p) => cpu(p.b) / cpu(p.a2)))),
    threeRecordRps: r.c?.rps ?? null,
    threeRecordP99: r.c?.latencyMs.p99 ?? null,
    threeRecordCpuMs: orNull(cpu(r.c)),
    threeVsOneCpu: orNull(cpu(r.c) / queryCpu),
    historyRps: r.d?.rps ?? null,
    historyClosedP99: r.d?.latencyMs.p99 ?? null,
    historyP50: r.dFixed?.latencyMs.p50 ?? null,
    historyP99: r.dFixed?.latencyMs.p99 ?? null,
    fixedRate: r.fixed?.overallRate ?? null,
    fixedP99: r.fixed?.latencyMs.p99 ?? null,
    fixedRps: r.fixed?.rps ?? null,
    fixedDropped: r.fixed?.dropped ?? null,
    appendsPerSecond: e?.appendsPerSecond ?? null,
    sequencerLagP99: e?.sequencerLagMs.p99 ?? null,
    errors: ['c', 'd', 'dFixed', 'fixed', ...Object.keys(r).filter((k) => /^b-\d+$/.test(k))].reduce(
      (n, k) => n + (r[k] ? r[k].non2xx + r[k].errors + r[k].timeouts : 0),
      0,
    ),
    missingAudit: Object.values(r).reduce((n, s) => n + (s?.missingAudit ?? 0), 0),
  };
}

export function targetsOf(f: Figures): Record<string, { target: string; met: boolean }> {
  const n = (k: string) => (f[k] === null || f[k] === undefined ? NaN : Number(f[k]));
  return {
    rpsRatioA2: { target: '>= 0.6', met: n('rpsRatioA2') >= 0.6 },
    cpuRatioA2: { target: '<= 1.67', met: n('cpuRatioA2') <= 1 / 0.6 },
    queryPgCpuMs: { target: '<= 1.0 ms', met: n('queryPgCpuMs') <= 1.0 },
    queryStatements: { target: '<= 2', met: n('queryStatements') <= 2 },
    threeVsOneCpu: { target: '<= 2', met: n('threeVsOneCpu') <= 2 },
    fixedP99: {
      target: '<= 25 ms, none dropped',
      met: n('fixedP99') <= 25 && f.fixedDropped === 0,
    },
    historyP99: { target: '<= 20 ms', met: n('historyP99') <= 20 },
    sequencerLagP99: { target: '<= 2000 ms', met: n('sequencerLagP99') <= 2000 },
    rssPeakMb: { target: '<= 300 MB', met: n('rssPeakMb') <= 300 },
    errors: { target: '= 0', met: f.errors === 0 },
    missingAudit: { target: '= 0', met: f.missingAudit === 0 },
  };
}
