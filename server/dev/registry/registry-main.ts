/**
 * `npm run registry [-- --holder nts --holder mma] [--holders-file holders/demo.json] [--port 3100]
 * [--latency-ms 300] [--host 127.0.0.1] [--trust-keys <keyStoreDir>]`: the reference registries as
 * their own process, implementing openapi/provider.yaml over the registry_* tables of DATABASE_URL
 * (or an embedded PostgreSQL in EMBEDDED_PG_DIR-registry). Seeds the demo subjects when empty.
 *
 * By default one listener per holder (every holder, or those named by --holder), each on the port
 * of its URL in the holders file (HOLDERS / HOLDERS_FILE, else holders/demo.json), trusting the
 * gateway key the file says it uses: its own (`ownKey`, KEY_STORE_DIR/provider-request/<holder>/)
 * or the shared one. Point the gateway at them with HOLDERS_FILE=holders/demo.json. With --port,
 * one listener serves all the selected holders (for REGISTRY_URL).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { JWK } from 'jose';
import { loadCatalog } from '../../catalog/catalog.js';
import { loadConfig, loadDotEnv } from '../../config.js';
import { createDb } from '../../db/db.js';
import { startEmbeddedPostgres } from '../../db/embedded.js';
import { migrateLatest } from '../../db/migrations.js';
import { parseHolderLinks, type HolderLinks } from '../../providers/holder-settings.js';
import { watchedProviderPublicKeys } from '../../providers/provider-key.js';
import { startHolderRegistries } from './registry-holders.js';
import { seedDemoRegistryIfEmpty } from './registry-seed.js';
import { startReferenceRegistry, type ReferenceRegistry } from './registry-server.js';

const DEMO_HOLDERS_FILE = 'holders/demo.json';

const { values } = parseArgs({
  options: {
    holder: { type: 'string', multiple: true },
    'holders-file': { type: 'string' },
    port: { type: 'string' },
    'latency-ms': { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    'trust-keys': { type: 'string' },
  },
});
loadDotEnv();
const config = loadConfig();
const catalog = loadCatalog();
const fail = (message: string): never => {
  process.stderr.write(`${message}\n`);
  process.exit(2);
};

function holderLinks(): HolderLinks {
  const file = values['holders-file'];
  if (!file && Object.keys(config.providers.holders).length) return config.providers.holders;
  const path = file ?? DEMO_HOLDERS_FILE;
  const problems: string[] = [];
  const links = parseHolderLinks(readFileSync(path, 'utf8'), path, problems);
  if (problems.length) fail(problems.join('\n'));
  return links;
}

// With --port one registry serves everyone on the shared key; a holders file matters only per holder.
const links: HolderLinks = values.port === undefined ? holderLinks() : {};
const known = new Set(catalog.holders().map((h) => h.id));
const selected = values.holder?.length ? values.holder : [...known];
for (const code of selected) if (!known.has(code)) fail(`--holder ${code}: not a holder in the catalog`);
const latencyMs = Number(values['latency-ms']);
if (!Number.isInteger(latencyMs) || latencyMs < 0)
  fail('--latency-ms must be a whole number of milliseconds');

const ports: Record<string, number> = {};
if (values.port === undefined) {
  for (const code of selected) {
    const url = links[code]?.url;
    if (!url) fail(`holder ${code} has no url in the holders file: give it one, or use --port`);
    ports[code] = Number(new URL(url!).port || 80);
  }
}

const embedded = config.databaseUrl
  ? undefined
  : await startEmbeddedPostgres({ dataDir: `${config.embeddedPg.dir}-registry`, port: 0, persistent: true });
const db = createDb({
  url: config.databaseUrl ?? embedded!.url,
  poolMax: 10,
  statementTimeoutMs: 15_000,
  applicationName: 'reference-registry',
  poolIdleMs: config.db.poolIdleMs,
});
await migrateLatest(db);
const seeded = await seedDemoRegistryIfEmpty(db);
if (seeded)
  process.stderr.write(`seeded ${seeded.persons} persons and ${seeded.corporations} corporations\n`);

const keyDir = values['trust-keys'] ?? config.keyStoreDir;
// Read again when the key folder changes (looked at once a second, and at once when a token is not
// verified by the keys known), so a gateway started later (which creates its keys) is trusted on its
// first request; not on every request.
const watched = new Map<string, (refresh?: boolean) => readonly JWK[]>();
const folder = (holder?: string, refresh = false) => {
  const key = holder ?? '';
  if (!watched.has(key)) watched.set(key, watchedProviderPublicKeys(keyDir, holder));
  return watched.get(key)!(refresh);
};
const trustedKeys = (code: string, refresh = false) =>
  folder(links[code]?.ownKey ? code : undefined, refresh);
/** The shared key and the holder's own, as one array while neither folder changes. */
const combined = new Map<string, { shared: readonly JWK[]; own: readonly JWK[]; keys: readonly JWK[] }>();
const sharedAndOwn = (code: string, refresh = false) => {
  const shared = folder(undefined, refresh);
  const own = folder(code, refresh);
  const last = combined.get(code);
  if (last?.shared === shared && last.own === own) return last.keys;
  const keys = [...shared, ...own];
  combined.set(code, { shared, own, keys });
  return keys;
};
const latency = Object.fromEntries(selected.map((code) => [code, latencyMs]));

let registries: ReferenceRegistry[];
let stop: () => Promise<void>;
if (values.port !== undefined) {
  const one = await startReferenceRegistry({
    db,
    catalog,
    holders: selected,
    port: Number(values.port),
    host: values.host,
    // One registry for everyone (REGISTRY_URL): the gateway then signs with its shared key.
    trustedKeys: sharedAndOwn,
    latencyMs,
  });
  registries = [one];
  stop = () => one.stop();
} else {
  const started = await startHolderRegistries({
    db,
    catalog,
    host: values.host,
    holders: selected,
    ports,
    trustedKeys,
    latencyMs: latency,
  });
  registries = started.registries;
  stop = started.stop;
}
for (const registry of registries) {
  const names = registry.holders.length === 1 ? catalog.holder(registry.holders[0]!).names.en : 'all holders';
  process.stdout.write(
    `Reference registry ${registry.holders.length === 1 ? registry.holders[0]! : `(${registry.holders.length} holders)`} ` +
      `listening at ${registry.url} (${names}; trusting gateway keys in ${keyDir})\n`,
  );
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void (async () => {
      await stop();
      await db.destroy();
      await embedded?.stop();
      process.exit(0);
    })();
  });
}
