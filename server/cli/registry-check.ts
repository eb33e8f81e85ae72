/**
 * `npm run registry:check -- --persons 1000000 [--seed S]`: regenerates a whole synthetic
 * population in memory (no database) and runs every population invariant over every person and
 * corporation (server/dev/registry/population/invariants.ts). Progress on stderr; a summary with
 * persons, checks, violations and time on stdout. Exits 1 on any violation.
 */
import { parseArgs } from 'node:util';
import { loadCatalog } from '../catalog/catalog.js';
import { DEFAULT_SEED, syntheticPerson } from '../dev/registry/generate-subjects.js';
import { checkCorporation, checkPerson, type Tally } from '../dev/registry/population/invariants.js';

const USAGE = 'usage: npm run registry:check -- --persons <n> [--seed <n>]\n';

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) {
    process.stderr.write(`--${name} must be a positive integer\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

function bar(label: string, done: number, total: number, started: number): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const seconds = (Date.now() - started) / 1000;
  process.stderr.write(
    `\r${label.padEnd(13)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ` +
      `${((done / total) * 100).toFixed(1)}%  ${Math.round(done / Math.max(seconds, 0.001))}/s  ${seconds.toFixed(0)} s   ` +
      (done === total ? '\n' : ''),
  );
}

const { values } = parseArgs({
  options: { persons: { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const persons = positiveInt('persons', values.persons, 1_000_000);
const seed = positiveInt('seed', values.seed, DEFAULT_SEED);
const corporations = Math.ceil(persons / 10);
const catalog = loadCatalog();
const tally: Tally = { checks: 0, violations: [] };
const parcels = { seen: new Map<string, string>() };

// Generation alone first, so its time can be quoted on its own.
const generationStarted = Date.now();
for (let i = 0; i < persons; i++) {
  syntheticPerson(i, seed);
  if (i % 20_000 === 0 || i === persons - 1) bar('generate', i + 1, persons, generationStarted);
}
const generationMs = Date.now() - generationStarted;

const started = Date.now();
for (let i = 0; i < persons; i++) {
  checkPerson(catalog, i, seed, tally, parcels);
  if (i % 5_000 === 0 || i === persons - 1) {
    bar(`check persons`, i + 1, persons, started);
    process.stderr.write(`checks ${tally.checks} violations ${tally.violations.length}  `);
  }
}
const corporationsStarted = Date.now();
for (let c = 0; c < corporations; c++) {
  checkCorporation(catalog, c, seed, tally, persons);
  if (c % 5_000 === 0 || c === corporations - 1)
    bar('corporations', c + 1, corporations, corporationsStarted);
}
for (const v of tally.violations.slice(0, 20)) process.stderr.write(`violation: ${v}\n`);
process.stdout.write(
  JSON.stringify({
    persons,
    corporations,
    parcels: parcels.seen.size,
    checks: tally.checks,
    violations: tally.violations.length,
    generationSeconds: Math.round(generationMs / 100) / 10,
    checkSeconds: Math.round((Date.now() - started) / 100) / 10,
  }) + '\n',
);
process.exit(tally.violations.length ? 1 : 0);
