/**
 * `npm run registry [-- --port 3100 --host 127.0.0.1 --trust-keys <keyStoreDir>]`: the reference
 * registry as its own process, implementing openapi/provider.yaml over the registry_* tables of
 * DATABASE_URL (or an embedded PostgreSQL in EMBEDDED_PG_DIR-registry). It trusts the gateway's
 * provider-request public keys found in KEY_STORE_DIR (the gateway creates one on first start);
 * point the gateway at it with REGISTRY_URL. Seeds the demo subjects when the registry is empty.
 */
import { parseArgs } from 'node:util';
import { loadConfig, loadDotEnv } from '../../config.js';
import { createDb } from '../../db/db.js';
import { startEmbeddedPostgres } from '../../db/embedded.js';
import { migrateLatest } from '../../db/migrations.js';
import { readProviderPublicKeys } from '../../providers/provider-key.js';
import { seedDemoRegistryIfEmpty } from './registry-seed.js';
import { startReferenceRegistry } from './registry-server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3100' },
    host: { type: 'string', default: '127.0.0.1' },
    'trust-keys': { type: 'string' },
  },
});
loadDotEnv();
const config = loadConfig();
const embedded = config.databaseUrl
  ? undefined
  : await startEmbeddedPostgres({ dataDir: `${config.embeddedPg.dir}-registry`, port: 0, persistent: true });
const db = createDb({
  url: config.databaseUrl ?? embedded!.url,
  poolMax: 10,
  statementTimeoutMs: 15_000,
  applicationName: 'reference-registry',
});
await migrateLatest(db);
const seeded = await seedDemoRegistryIfEmpty(db);
if (seeded)
  process.stderr.write(`seeded ${seeded.persons} persons and ${seeded.corporations} corporations\n`);

const keyDir = values['trust-keys'] ?? config.keyStoreDir;
// Re-read on every request so a gateway started later (which creates its key) is trusted at once.
const registry = await startReferenceRegistry({
  db,
  port: Number(values.port),
  host: values.host,
  trustedKeys: () => readProviderPublicKeys(keyDir),
});
process.stdout.write(
  `Reference registry listening at ${registry.url} (trusting gateway keys in ${keyDir})\n`,
);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void (async () => {
      await registry.stop();
      await db.destroy();
      await embedded?.stop();
      process.exit(0);
    })();
  });
}
