/**
 * knex records migration names with their file extension, so the same database would see
 * `001_x.ts` (tsx in development) and `001_x.js` (compiled) as two migrations. This source names
 * every migration without its extension and loads whichever file exists.
 */
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';

const here = dirname(fileURLToPath(import.meta.url));
/** `migrations/` at the top level, both from `server/db` and from `dist/server/db`. */
export const MIGRATIONS_DIR = resolve(here, '..', '..', 'migrations');

interface MigrationFile {
  name: string;
  path: string;
}

const MIGRATION_FILE = /^(\d{3,}_[a-z0-9_]+)\.(ts|js|mjs)$/;

export class ExtensionlessMigrationSource implements Knex.MigrationSource<MigrationFile> {
  readonly directory: string;
  constructor(directory = MIGRATIONS_DIR) {
    this.directory = directory;
  }

  async getMigrations(): Promise<MigrationFile[]> {
    const byName = new Map<string, MigrationFile>();
    for (const file of readdirSync(this.directory).sort()) {
      const match = MIGRATION_FILE.exec(file);
      if (!match || file.endsWith('.d.ts')) continue;
      const name = match[1]!;
      if (!byName.has(name)) byName.set(name, { name, path: join(this.directory, file) });
    }
    return [...byName.values()];
  }

  getMigrationName(migration: MigrationFile): string {
    return migration.name;
  }

  async getMigration(migration: MigrationFile): Promise<Knex.Migration> {
    return (await import(pathToFileURL(migration.path).href)) as Knex.Migration;
  }
}

export function migratorConfig(directory?: string): Knex.MigratorConfig {
  return { migrationSource: new ExtensionlessMigrationSource(directory), tableName: 'knex_migrations' };
}

export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest(migratorConfig())) as [number, string[]];
  return applied;
}

export async function pendingMigrations(db: Knex): Promise<number> {
  const [, pending] = (await db.migrate.list(migratorConfig())) as [unknown[], unknown[]];
  return pending.length;
}
