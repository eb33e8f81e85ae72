/**
 * `npm run db:migrate | db:rollback | db:make -- <name>`: migrations against DATABASE_URL, or the
 * embedded PostgreSQL in EMBEDDED_PG_DIR when it is unset.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig, loadDotEnv } from '../config.js';
import { openConfiguredDatabase } from '../db/connect.js';
import { MIGRATIONS_DIR, migratorConfig } from '../db/migrations.js';

const TEMPLATE = `import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('example', (t) => {
    t.bigIncrements('id');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('example');
}
`;

function make(name: string | undefined): void {
  if (!name || !/^[a-z][a-z0-9_]*$/.test(name)) {
    process.stderr.write('usage: npm run db:make -- <snake_case_name>\n');
    process.exit(2);
  }
  const numbers = readdirSync(MIGRATIONS_DIR)
    .map((f) => Number(/^(\d+)_/.exec(f)?.[1] ?? 0))
    .filter(Number.isFinite);
  const next = String(Math.max(0, ...numbers) + 1).padStart(3, '0');
  const file = join(MIGRATIONS_DIR, `${next}_${name}.ts`);
  writeFileSync(file, TEMPLATE, { flag: 'wx' });
  process.stdout.write(`created ${file}\n`);
}

async function run(command: 'migrate' | 'rollback'): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  const { db, close } = await openConfiguredDatabase(config, { poolMax: 2, applicationName: 'db-cli' });
  try {
    if (command === 'migrate') {
      const [, applied] = (await db.migrate.latest(migratorConfig())) as [number, string[]];
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'already up to date\n');
    } else {
      const [, rolledBack] = (await db.migrate.rollback(migratorConfig())) as [number, string[]];
      process.stdout.write(
        rolledBack.length ? `rolled back: ${rolledBack.join(', ')}\n` : 'nothing to roll back\n',
      );
    }
  } finally {
    await close();
  }
}

const [command, arg] = process.argv.slice(2);
try {
  if (command === 'make') make(arg);
  else if (command === 'migrate' || command === 'rollback') await run(command);
  else {
    process.stderr.write('usage: db.ts migrate | rollback | make <name>\n');
    process.exit(2);
  }
} catch (err) {
  process.stderr.write(`${err instanceof ConfigError ? err.message : String((err as Error).stack ?? err)}\n`);
  process.exit(1);
}
