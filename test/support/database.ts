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

function testServerUrl(): Promise<string> {
  return (serverUrl ??= (async () => {
    if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
    const embedded = await startEmbeddedPostgres({
      dataDir: join(tmpdir(), `juc-test-${process.pid}-${randomBytes(4).toString('hex')}`),
      persistent: false,
    });
    onStopAll(() => embedded.stop());
    return embedded.url;
  })());
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

export interface TestDatabase {
  url: string;
  name: string;
  db: Knex;
}

/** A new, empty database (migrated unless `migrate: false`), dropped when the run ends. */
export async function freshDatabase(
  options: { migrate?: boolean; poolMax?: number } = {},
): Promise<TestDatabase> {
  const name = `juc_test_${process.pid}_${randomBytes(5).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = withDatabase(await testServerUrl(), name);
  const db = createDb({ url, poolMax: options.poolMax ?? 5, statementTimeoutMs: 15000 });
  onStopAll(async () => {
    await db.destroy();
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
  if (options.migrate !== false) await migrateLatest(db);
  return { url, name, db };
}
