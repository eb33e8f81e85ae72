/**
 * The test PostgreSQL server: DATABASE_URL's server when set, else one embedded cluster for the
 * whole run in a throwaway folder. Every caller gets its own fresh database on that server.
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import pg from 'pg';
import { createDb } from '../../server/db/db.js';
import { startEmbeddedPostgres } from '../../server/db/embedded.js';
import { migrateLatest } from '../../server/db/migrations.js';
import { onStopAll } from './resources.js';

let serverUrl: Promise<string> | undefined;
/** A throwaway embedded cluster is deleted whole at the end, so its databases need no dropping. */
let embeddedServer = false;

function testServerUrl(): Promise<string> {
  return (serverUrl ??= (async () => {
    if (process.env.DATABASE_URL) {
      await dropAbandonedDatabases(process.env.DATABASE_URL);
      return process.env.DATABASE_URL;
    }
    const embedded = await startEmbeddedPostgres({
      dataDir: join(tmpdir(), `juc-test-${process.pid}-${randomBytes(4).toString('hex')}`),
      persistent: false,
    });
    embeddedServer = true;
    onStopAll(() => embedded.stop());
    return embedded.url;
  })());
}

/** Databases left by a test run that was killed (its pid is gone) are dropped before this run starts. */
async function dropAbandonedDatabases(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname ~ '^juc_test_[0-9]+_[0-9a-f]+$'",
    );
    for (const { datname } of rows) {
      const pid = Number(datname.split('_')[2]);
      if (pid === process.pid || alive(pid)) continue;
      await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: await testServerUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const created: { name: string; db?: Knex }[] = [];

/** Closes every pool at once, then drops the databases over one admin connection. */
async function dropCreatedDatabases(): Promise<void> {
  const all = created.splice(0);
  await Promise.all(all.map(({ db }) => db?.destroy().catch(() => undefined)));
  if (embeddedServer) return;
  const client = new pg.Client({ connectionString: await testServerUrl() });
  await client.connect();
  try {
    for (const { name } of all) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  url: string;
  name: string;
  db: Knex;
}

/** A new, empty database (migrated unless `migrate: false`), dropped when the run ends. */
export async function freshDatabase(
  options: { migrate?: boolean; poolMax?: number; statementTimeoutMs?: number } = {},
): Promise<TestDatabase> {
  const migrate = options.migrate !== false;
  const template = migrate ? await migratedTemplate() : undefined;
  const name = newDatabaseName();
  await createDatabase(name, template);
  const url = withDatabase(await testServerUrl(), name);
  const db = createDb({
    url,
    poolMax: options.poolMax ?? 5,
    statementTimeoutMs: options.statementTimeoutMs ?? 15000,
  });
  track(name, db);
  return { url, name, db };
}

const newDatabaseName = () => `juc_test_${process.pid}_${randomBytes(5).toString('hex')}`;

function track(name: string, db?: Knex): void {
  created.push({ name, ...(db ? { db } : {}) });
  if (created.length === 1) onStopAll(dropCreatedDatabases);
}

/**
 * CREATE DATABASE … TEMPLATE copies files, which PostgreSQL refuses while two copies of one template
 * run at once ("source database is being accessed"), so copies are made one after another.
 */
let copies: Promise<unknown> = Promise.resolve();
function createDatabase(name: string, template: string | undefined): Promise<void> {
  const sql = template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`;
  const next = copies.then(() => adminQuery(sql));
  copies = next.catch(() => undefined);
  return next;
}

/**
 * One database migrated once per run; every suite's database is a copy of it. Running the ~70
 * migrations per suite cost most of the suite's set-up time. The template's pool is closed before
 * the first copy, since PostgreSQL copies only a template nobody is connected to.
 */
let template: Promise<string> | undefined;
function migratedTemplate(): Promise<string> {
  return (template ??= (async () => {
    const name = newDatabaseName();
    await adminQuery(`CREATE DATABASE ${name}`);
    const db = createDb({
      url: withDatabase(await testServerUrl(), name),
      poolMax: 2,
      statementTimeoutMs: 60000,
    });
    try {
      await migrateLatest(db);
    } finally {
      await db.destroy();
    }
    track(name);
    return name;
  })());
}
