/**
 * `npm run registry:seed -- --persons 1000000 [--corporations N] [--seed S] [--batch N]`: fills
 * the reference registry's tables (registry_*) with synthetic subjects, against DATABASE_URL or
 * the embedded PostgreSQL in EMBEDDED_PG_DIR (stop `npm start` first: one server per data folder).
 * Progress on stderr; a summary with time and database size on stdout. Re-running skips rows
 * already present, so an interrupted run can simply be repeated.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, loadDotEnv } from '../config.js';
import { openConfiguredDatabase } from '../db/connect.js';
import { migrateLatest } from '../db/migrations.js';
import { DEFAULT_SEED } from '../dev/registry/generate-subjects.js';
import { seedRegistry, type SeedProgress } from '../dev/registry/registry-seed.js';

const USAGE =
  'usage: npm run registry:seed -- --persons <n> [--corporations <n>] [--seed <n>] [--batch <n>]\n';

function positiveInt(name: string, value: string | undefined, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) {
    process.stderr.write(`--${name} must be a positive integer\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

function progressBar(started: number) {
  let last = 0;
  let phase = '';
  let phaseStarted = started;
  return (p: SeedProgress) => {
    const now = Date.now();
    if (p.phase !== phase) {
      phase = p.phase;
      phaseStarted = now;
    }
    if (now - last < 250 && p.done < p.total) return;
    last = now;
    const width = 30;
    const filled = Math.round((p.done / p.total) * width);
    const seconds = (now - started) / 1000;
    const rate = Math.round(p.done / Math.max((now - phaseStarted) / 1000, 0.001));
    process.stderr.write(
      `\r${p.phase.padEnd(12)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total} ` +
        `${((p.done / p.total) * 100).toFixed(1)}%  ${rate}/s  ${seconds.toFixed(0)} s   ` +
        (p.done === p.total ? '\n' : ''),
    );
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      persons: { type: 'string' },
      corporations: { type: 'string' },
      seed: { type: 'string' },
      batch: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || values.persons === undefined) {
    process.stderr.write(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const persons = positiveInt('persons', values.persons);
  loadDotEnv();
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  // Long batches: no statement timeout shorter than a minute.
  const { db, close } = await openConfiguredDatabase(config, {
    poolMax: 3,
    statementTimeoutMs: Math.max(config.db.statementTimeoutMs, 60_000),
    applicationName: 'registry-seed',
  });
  try {
    await migrateLatest(db);
    const started = Date.now();
    const result = await seedRegistry(db, {
      persons,
      ...(values.corporations ? { corporations: positiveInt('corporations', values.corporations) } : {}),
      seed: positiveInt('seed', values.seed, DEFAULT_SEED),
      batchSize: positiveInt('batch', values.batch, 10_000),
      onProgress: progressBar(started),
    });
    const size = (await db.raw('select pg_database_size(current_database()) as bytes')) as {
      rows: { bytes: number }[];
    };
    const counts = (await db.raw(
      `select (select count(*) from registry_person) as persons,
              (select count(*) from registry_corporation) as corporations,
              (select count(*) from registry_object) as objects`,
    )) as { rows: { persons: number; corporations: number; objects: number }[] };
    const bytes = Number(size.rows[0]!.bytes);
    process.stdout.write(
      JSON.stringify({
        seconds: Math.round(result.ms / 100) / 10,
        requested: { persons: result.persons, corporations: result.corporations },
        tables: counts.rows[0],
        databaseBytes: bytes,
        databaseMiB: Math.round(bytes / 1048576),
      }) + '\n',
    );
  } finally {
    await close();
  }
}

await main();
