/**
 * The bench database server and its dedicated databases: DATABASE_URL's server when set, else the
 * local PostgreSQL on 127.0.0.1:5432 when it answers, else an embedded PostgreSQL (throwaway folder).
 * `juc_bench` keeps the 10 M-entry history between runs (regenerating it takes minutes);
 * `bench_meta` records what was generated so a partial database is rebuilt, not reused.
 */
import { appendFileSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import pg from 'pg';
import { createDb } from '../../server/db/db.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../server/db/embedded.js';
import { migrateLatest } from '../../server/db/migrations.js';

export interface BenchServer {
  url: string;
  kind: 'DATABASE_URL' | 'local' | 'embedded';
  stop(): Promise<void>;
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * DATABASE_URL's server when set; else with `persistentDir` a persistent embedded PostgreSQL there
 * with pg_stat_statements preloaded (the bench counts statements per request with it; the shared
 * local server cannot preload it without a restart); else the local PostgreSQL on 127.0.0.1:5432
 * when it answers; else a throwaway embedded one.
 */
/**
 * A quarter of the machine's memory, at most 8 GB: PostgreSQL's own guidance for a dedicated
 * server, as a deployment sets it. The default 128 MB held under 1 % of a 10 M-entry history
 * (17 GB), so a citizen's page (about 190 random pages of index, leaf and entry) mostly missed it.
 */
export function sharedBuffersMb(): number {
  return Math.min(8192, Math.max(128, Math.floor(totalmem() / 4 / 2 ** 20)));
}

/**
 * What the embedded server logs beside errors, into `serverLogFile` when given: statements slower
 * than 50 ms, checkpoints, autovacuum runs over 100 ms and lock waits past deadlock_timeout, so a
 * latency spike in a phase can be matched with what PostgreSQL was doing then.
 */
const DIAGNOSTIC_LOG_SETTINGS = {
  log_min_duration_statement: '50',
  log_checkpoints: 'on',
  log_autovacuum_min_duration: '100',
  log_lock_waits: 'on',
  log_line_prefix: '%m [%p] ',
};

export async function benchServer(
  log: (line: string) => void,
  persistentDir?: string,
  serverLogFile?: string,
): Promise<BenchServer> {
  const fromEnv = process.env.DATABASE_URL;
  if (fromEnv) return { url: fromEnv, kind: 'DATABASE_URL', stop: async () => undefined };
  const local = 'postgres://postgres@127.0.0.1:5432/postgres';
  if (!persistentDir && (await answers(local)))
    return { url: local, kind: 'local', stop: async () => undefined };
  log(
    `starting an embedded PostgreSQL${persistentDir ? ` in ${persistentDir}` : ''} (shared_buffers ${sharedBuffersMb()} MB)`,
  );
  const embedded: EmbeddedDatabase = await startEmbeddedPostgres({
    dataDir: persistentDir ?? join(tmpdir(), `juc-bench-pg-${process.pid}`),
    persistent: persistentDir !== undefined,
    settings: {
      shared_preload_libraries: 'pg_stat_statements',
      'pg_stat_statements.max': '1000',
      shared_buffers: `${sharedBuffersMb()}MB`,
      ...(serverLogFile ? DIAGNOSTIC_LOG_SETTINGS : {}),
    },
    ...(serverLogFile ? { serverLog: (line: string) => appendFileSync(serverLogFile, `${line}\n`) } : {}),
  });
  return { url: embedded.url, kind: 'embedded', stop: () => embedded.stop() };
}

export async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function databaseExists(serverUrl: string, name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return (rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}

/** A database by name: created when missing (or when `fresh`), migrated; returns its URL and a pool. */
export async function benchDatabase(
  serverUrl: string,
  name: string,
  options: { fresh?: boolean; poolMax?: number } = {},
): Promise<{ url: string; db: Knex }> {
  if (options.fresh) await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  if (!(await databaseExists(serverUrl, name))) await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  const url = withDatabase(serverUrl, name);
  const db = createDb({ url, poolMax: options.poolMax ?? 4, statementTimeoutMs: 3_600_000 });
  await migrateLatest(db);
  await db.raw('CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value jsonb NOT NULL)');
  return { url, db };
}

export async function getMeta<T>(db: Knex, key: string): Promise<T | undefined> {
  const row = (await db('bench_meta').where({ key }).first()) as { value: T } | undefined;
  return row?.value;
}

export async function setMeta(db: Knex, key: string, value: unknown): Promise<void> {
  await db('bench_meta')
    .insert({ key, value: JSON.stringify(value) })
    .onConflict('key')
    .merge();
}
