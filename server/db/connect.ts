/** The database a configured process uses: DATABASE_URL's server, or the embedded PostgreSQL in EMBEDDED_PG_DIR. */
import type { Knex } from 'knex';
import type { Config } from '../config.js';
import { createDb } from './db.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded.js';

export interface ConfiguredDatabase {
  db: Knex;
  url: string;
  /** Set when the embedded PostgreSQL was started for this process. */
  embedded: EmbeddedDatabase | undefined;
  /** Closes the pool, then stops the embedded server if this process started it. */
  close(): Promise<void>;
}

export async function openConfiguredDatabase(
  config: Pick<Config, 'databaseUrl' | 'embeddedPg' | 'db'>,
  options: {
    poolMax?: number;
    statementTimeoutMs?: number;
    applicationName?: string;
    log?: (line: string) => void;
  } = {},
): Promise<ConfiguredDatabase> {
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres({
        dataDir: config.embeddedPg.dir,
        port: config.embeddedPg.port,
        persistent: true,
        ...(options.log ? { log: options.log } : {}),
      });
  const url = config.databaseUrl ?? embedded!.url;
  const db = createDb({
    url,
    poolMax: options.poolMax ?? config.db.poolMax,
    statementTimeoutMs: options.statementTimeoutMs ?? config.db.statementTimeoutMs,
    ...(options.applicationName ? { applicationName: options.applicationName } : {}),
  });
  return {
    db,
    url,
    embedded,
    close: async () => {
      await db.destroy();
      await embedded?.stop();
    },
  };
}
