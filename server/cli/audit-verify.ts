/**
 * `npm run audit:verify -- --url <base URL> [--key <vkey>] [--state <file>]`
 *   Re-checks a running log from public data: checkpoint signature, every leaf, the root, and consistency
 *   with the checkpoint saved in --state by the previous run (saved again on success). Without --key the
 *   log key is fetched from the log itself (trust on first use; pin it with --key).
 * `npm run audit:verify -- --db`
 *   Re-checks the database behind DATABASE_URL (leaves against entries, subject chains, tree nodes, heads,
 *   checkpoint signatures with the keys in KEY_STORE_DIR) and reports the first bad index.
 * Exit code 0 when everything verifies, 1 when something does not, 2 on usage errors.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig, loadDotEnv } from '../config.js';
import { createDb } from '../db/db.js';
import { vkeyFor } from '../audit/checkpoint.js';
import { verifyDatabase } from '../audit/db-verifier.js';
import { verifyPublicLog } from '../audit/public-verifier.js';
import { FileKeyStore } from '../keys/file-key-store.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    key: { type: 'string' },
    state: { type: 'string' },
    db: { type: 'boolean', default: false },
  },
});

async function main(): Promise<number> {
  if (values.db) {
    loadDotEnv();
    const config = loadConfig();
    if (!config.databaseUrl) {
      process.stderr.write('--db needs DATABASE_URL\n');
      return 2;
    }
    const keys = await FileKeyStore.open({ dir: config.keyStoreDir, allowGenerate: false });
    const logKeys = keys.verifyingKeys('checkpoint').map((k) => vkeyFor(config.audit.logOrigin, k.publicKey));
    const db = createDb({ url: config.databaseUrl, poolMax: 2, statementTimeoutMs: 600_000 });
    try {
      const report = await verifyDatabase(db, { logKeys, origin: config.audit.logOrigin });
      process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      return report.ok ? 0 : 1;
    } finally {
      await db.destroy();
    }
  }
  if (!values.url) {
    process.stderr.write(
      'usage: npm run audit:verify -- --url <base URL> [--key <vkey>] [--state <file>] | --db\n',
    );
    return 2;
  }
  const previous = values.state && existsSync(values.state) ? readFileSync(values.state, 'utf8') : undefined;
  const report = await verifyPublicLog(values.url, {
    ...(values.key ? { logKey: values.key } : {}),
    ...(previous ? { previousCheckpoint: previous } : {}),
  });
  process.stdout.write(
    JSON.stringify(
      { ...report, checkpoint: undefined, consistentWithSaved: previous ? report.ok : null },
      null,
      2,
    ) + '\n',
  );
  if (report.ok && values.state && report.checkpoint) writeFileSync(values.state, report.checkpoint);
  return report.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`audit:verify failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
