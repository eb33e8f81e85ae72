/**
 * `npx tsx bench/test-database.ts`: what the template database of test/support/database.ts (2d3b356)
 * saves per `npm test` run. Before it, every suite's database was created empty and ran every
 * migration; now one template is migrated once per run and each suite's database is a copy of it
 * (CREATE DATABASE … TEMPLATE). Times TESTDB_N (10) databases each way, alternating which goes first,
 * both ending ready for a first query; prints the medians, the template's one-off cost, the number of
 * suites that get a migrated database, and the implied saving per run. Uses DATABASE_URL's server,
 * else postgres://postgres@127.0.0.1:5432/test; drops every database it creates.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createDb } from '../server/db/db.js';
import { migrateLatest } from '../server/db/migrations.js';
import { withDatabase } from './lib/database.js';

const N = Number(process.env.TESTDB_N ?? 10);
const SERVER = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Not juc_test_*: a test run starting meanwhile must not take these for its own abandoned ones. */
const PREFIX = `juc_bench_testdb_${process.pid}`;

const created: string[] = [];

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: SERVER });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Like freshDatabase: one admin connection for CREATE DATABASE, then the suite's own pool. */
async function timed(name: string, create: string, ready: (url: string) => Promise<number>) {
  const start = performance.now();
  await admin(create);
  created.push(name);
  const migrations = await ready(withDatabase(SERVER, name));
  return { seconds: (performance.now() - start) / 1000, migrations };
}

async function migrated(url: string): Promise<number> {
  const db = createDb({ url, poolMax: 5, statementTimeoutMs: 60_000 });
  try {
    return (await migrateLatest(db)).length;
  } finally {
    await db.destroy();
  }
}

/** A copy has its tables already; its first query stands for the pool's first connection. */
async function connected(url: string): Promise<number> {
  const db = createDb({ url, poolMax: 5, statementTimeoutMs: 15_000 });
  try {
    await db.raw('select 1');
    return 0;
  } finally {
    await db.destroy();
  }
}

/** Test files that get at least one migrated database: directly or through the support helpers. */
function suitesWithDatabase(dir = 'test'): string[] {
  const uses =
    /freshDatabase\((?!\s*\{\s*migrate:\s*false)|\b(buildTestApp|startTestGateway|startE2eService)\(/;
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts'))
    .filter((file) => uses.test(readFileSync(join(dir, file), 'utf8')));
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function main(): Promise<void> {
  const template = `${PREFIX}_template`;
  const once = await timed(template, `CREATE DATABASE ${template}`, migrated);
  const copy: number[] = [];
  const full: number[] = [];
  for (let i = 0; i < N; i++) {
    const runCopy = async () =>
      copy.push(
        (
          await timed(
            `${PREFIX}_copy${i}`,
            `CREATE DATABASE ${PREFIX}_copy${i} TEMPLATE ${template}`,
            connected,
          )
        ).seconds,
      );
    const runFull = async () => {
      const run = await timed(`${PREFIX}_full${i}`, `CREATE DATABASE ${PREFIX}_full${i}`, migrated);
      if (run.migrations !== once.migrations)
        throw new Error(`${run.migrations} migrations, not ${once.migrations}`);
      full.push(run.seconds);
    };
    if (i % 2) await runFull().then(runCopy);
    else await runCopy().then(runFull);
  }
  const suites = suitesWithDatabase().length;
  const [c, m] = [median(copy), median(full)];
  const saving = suites * (m - c) - once.seconds;
  const f = (s: number) => s.toFixed(3);
  console.log(`server ${new URL(SERVER).host}, ${once.migrations} migrations, N=${N} each`);
  console.log(`template, migrated once per run: ${f(once.seconds)} s`);
  console.log(
    `copy of the template: median ${f(c)} s (min ${f(Math.min(...copy))}, max ${f(Math.max(...copy))})`,
  );
  console.log(
    `every migration:      median ${f(m)} s (min ${f(Math.min(...full))}, max ${f(Math.max(...full))})`,
  );
  console.log(`suites with a migrated database (at least one each): ${suites}`);
  console.log(
    `implied saving per npm test run: ${suites} × (${f(m)} − ${f(c)}) − ${f(once.seconds)} = ${saving.toFixed(1)} s (at least)`,
  );
}

try {
  await main();
} finally {
  for (const name of created.reverse()) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
