/** bench/RESULTS.md (a row per run) and the summary printed at the end of `npm run bench`. */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

export const RESULTS_HEADER = `# Benchmark results

One row per \`npm run bench\` run (\`--quick\` rows are smoke runs with shorter phases and a 200 k-entry
history; only full rows count). Every figure comes from the same run on the same machine: the
load generator, the gateway (NODE_ENV=production, 2 cluster workers), the registry process and
PostgreSQL share its cores, so compare ratios, not absolute numbers. Details per run in
\`bench/results/<date>-<sha>.json\`.

| column | meaning | DESIGN §11 target |
|---|---|---|
| date, sha, mode | when, which commit, full or quick | |
| floor req/s | (a) bare Express route + one synchronous-commit INSERT, 50 connections | |
| query req/s | (b) verified bank query: DPoP token, consent token, 1 record from the registry, policy, durable audit entry | |
| ratio | (b) / (a) | ≥ 0.6 |
| CPU ms/req a / b | CPU (user + system) per answered request: floor server + its PostgreSQL backends; gateway workers + registry + PostgreSQL backends (load generator excluded). Insensitive to other load on the machine | |
| query p50 / p99 ms | (b) latency, closed loop | |
| 3-rec req/s, p99 | (c) three record types per query | |
| history req/s, p99 closed / at 50/s | (d) citizen access-log page (50 entries with proofs) with ≥ 10 M entries in the log: throughput and p99 with 50 connections in a closed loop, then p99 at a fixed 50 reads/s, open loop like the fixed-rate queries (the target: a citizen's wait, not a saturated queue's; rows before 2026-11-24 have only the closed loop) | p99 at 50/s ≤ 20 ms |
| fixed p99 ms (answered/s) | (b) offered at a fixed rate for 60 s (from 2026-12-07 half of (a2)'s closed-loop rate in the same run, before 1,000/s), open loop (bench/open-loop.ts: evenly spaced, latency from when each request was due; requests due while 400 are open are dropped, so answered/s below the offered rate means it was not sustained). Rows before 2026-11-24 used autocannon's per-second bursts | ≤ 25 ms at half of (a2) |
| appends/s, lag p99 ms | (e) audit appends at a fixed 2,000/s; sequencer lag (integrated − created) | lag p99 ≤ 2,000 ms |
| RSS MB | peak resident set of the largest gateway worker during the runs (the registry process is in the JSON) | ≤ 300 MB |
| errors | non-2xx + socket errors + timeouts over (b), (c), (d) and the fixed-rate runs | 0 |
| missing | 2xx query answers without a committed \`released\` audit entry with their request id | 0 |
| a2 req/s | (a2) the work floor: the verified query's unavoidable work in minimal code (bench/work-floor.ts); mean of the two runs alternated with (b) | |
| b/a2 req/s | query req/s over work-floor req/s, each pair run back to back | ≥ 0.6 |
| CPU ms/req a2 / b | gateway + registry + PostgreSQL CPU per request (the JSON splits it by process) | b ≤ a2 / 0.6 |
| PG ms, SQL stmts / xacts | (b) PostgreSQL CPU per query; statements (pg_stat_statements) and transactions (pg_stat_database) per query | ≤ 1.0 ms, ≤ 2 statements |

| date | sha | mode | floor req/s | query req/s | ratio | CPU ms/req a / b | query p50 / p99 ms | 3-rec req/s, p99 | history req/s, p99 closed / at 50/s | fixed p99 ms (answered/s) | appends/s, lag p99 ms | RSS MB | errors | missing | a2 req/s | b/a2 req/s | CPU ms/req a2 / b | PG ms, SQL stmts / xacts |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
`;

export function appendResultsRow(
  file: string,
  mode: string,
  date: string,
  sha: string,
  f: Record<string, number | string | null>,
) {
  if (!existsSync(file)) writeFileSync(file, RESULTS_HEADER);
  const v = (x: number | string | null | undefined) => (x === null || x === undefined ? '–' : String(x));
  const row =
    `| ${date} | ${sha} | ${mode} | ${v(f.floorRps)} | ${v(f.queryRps)} | ${v(f.ratio)} | ${v(f.floorCpuMs)} / ${v(f.queryCpuMs)} | ${v(f.queryP50)} / ${v(f.queryP99)} | ` +
    `${v(f.threeRecordRps)}, ${v(f.threeRecordP99)} | ${v(f.historyRps)}, ${v(f.historyClosedP99)} / ${v(f.historyP99)} | ${v(f.fixedP99)} (${v(f.fixedRps)}) | ` +
    `${v(f.appendsPerSecond)}, ${v(f.sequencerLagP99)} | ${v(f.rssPeakMb)} | ${v(f.errors)} | ${v(f.missingAudit)} | ` +
    `${v(f.workFloorRps)} | ${v(f.rpsRatioA2)} | ${v(f.workFloorCpuMs)} / ${v(f.queryCpuMs)} | ${v(f.queryPgCpuMs)}, ${v(f.queryStatements)} / ${v(f.queryTransactions)} |\n`;
  // Under the last row of the results table, which other sections of the file may follow.
  const lines = readFileSync(file, 'utf8').split('\n');
  let last = -1;
  lines.forEach((line, i) => {
    if (/^\| \d{4}-\d{2}-\d{2} \| [0-9a-f]+ \| (full|quick) \|/.test(line)) last = i;
  });
  if (last < 0) return appendFileSync(file, row);
  lines.splice(last + 1, 0, row.trimEnd());
  writeFileSync(file, lines.join('\n'));
}

export function printSummary(
  f: Record<string, number | string | null>,
  targets: Record<string, { target: string; met: boolean }>,
) {
  const rows = Object.entries(f).map(([k, value]) => {
    const t = targets[k];
    return `  ${k.padEnd(18)} ${String(value ?? '–').padStart(10)}  ${t ? `${t.target.padEnd(12)} ${t.met ? 'met' : 'MISSED'}` : ''}`;
  });
  process.stderr.write(`\nDESIGN §11 figures (this run):\n${rows.join('\n')}\n\n`);
}
