/** The table on stdout, reliability/results/<date>-<sha>.json and a row in reliability/RESULTS.md. */
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { CheckResult } from './types.js';

const GROUPS = ['L', 'F', 'B', 'A', 'I'];

export function ordered(results: CheckResult[]): CheckResult[] {
  const key = (r: CheckResult) => GROUPS.indexOf(r.id[0]!) * 100 + Number(r.id.slice(1));
  return [...results].sort((a, b) => key(a) - key(b));
}

export function table(results: CheckResult[]): string {
  const rows = ordered(results).map((r) => [
    r.id,
    r.status === 'skipped' ? 'SKIPPED' : r.status,
    r.figure,
    r.title,
  ]);
  const widths = [3, 7, Math.min(120, Math.max(6, ...rows.map((r) => r[2]!.length)))];
  const lines = rows.map((r) => `${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]}`);
  return [`${'id'.padEnd(3)}  ${'result'.padEnd(7)}  figure`, ...lines].join('\n');
}

export function writeResults(
  dir: string,
  meta: { sha: string; wallSeconds: number; missing: Record<string, number>; scale: Record<string, unknown> },
  results: CheckResult[],
): string {
  const date = new Date().toISOString().slice(0, 10);
  mkdirSync(join(dir, 'results'), { recursive: true });
  const file = join(dir, 'results', `${date}-${meta.sha}.json`);
  const count = (s: string) => results.filter((r) => r.status === s).length;
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), ...meta, machine: { cpus: cpus().length, node: process.version }, pass: count('pass'), fail: count('fail'), skipped: count('skipped'), checks: ordered(results) }, null, 2)}\n`,
  );
  const md = join(dir, 'RESULTS.md');
  if (!existsSync(md)) {
    writeFileSync(
      md,
      [
        '# Reliability results',
        '',
        'One row per `npm run reliability` run: the forty checks of `../shared/research/reliability.md` §5 on this',
        "machine kind (2 cores shared by the load generator, the gateway's two workers, the registry and PostgreSQL).",
        'Figures, notes, scale and the reason for every SKIPPED or weakened check are in `results/<date>-<sha>.json`.',
        '',
        '| date | sha | pass | fail | skipped | failed checks | skipped checks | entries missing (L/F runs) | wall time |',
        '|---|---|---|---|---|---|---|---|---|',
        '',
      ].join('\n'),
    );
  }
  const ids = (s: string) =>
    ordered(results)
      .filter((r) => r.status === s)
      .map((r) => r.id)
      .join(' ') || '–';
  const missing = Object.values(meta.missing).reduce((a, b) => a + b, 0);
  appendFileSync(
    md,
    `| ${date} | ${meta.sha} | ${count('pass')} | ${count('fail')} | ${count('skipped')} | ${ids('fail')} | ${ids('skipped')} | ${missing} over ${Object.keys(meta.missing).length} runs | ${Math.floor(meta.wallSeconds / 60)} min ${Math.round(meta.wallSeconds % 60)} s |\n`,
  );
  return file;
}
