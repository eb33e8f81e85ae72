/**
 * `npm run audit:verify -- --url <base URL> --policy <file> [--state <file>]`
 *   Re-checks a running log from public data against the verifier's own trust policy (a c2sp.org/tlog-policy
 *   file: the log key, the witness keys, the k-of-n quorum; `npm start` writes one for its witnesses to
 *   .data/witness-policy.txt): the checkpoint's log signature and witness quorum, every leaf, the root,
 *   consistency with the checkpoint saved in --state by the previous run (saved again on success) and
 *   with the latest checkpoint of each witness the policy gives a URL. Nothing trusted is fetched from the
 *   log being verified.
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
import { parsePolicy, type WitnessPolicy } from '../audit/witness-policy.js';
import { openKeyStore } from '../keys/open-key-store.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    policy: { type: 'string' },
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
    const keys = await openKeyStore(config, { allowGenerate: false });
    const logKeys = keys.verifyingKeys('checkpoint').map((k) => vkeyFor(config.audit.logOrigin, k.publicKey));
    await keys.close();
    const db = createDb({ url: config.databaseUrl, poolMax: 2, statementTimeoutMs: 600_000 });
    try {
      const report = await verifyDatabase(db, { logKeys, origin: config.audit.logOrigin });
      process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      return report.ok ? 0 : 1;
    } finally {
      await db.destroy();
    }
  }
  if (!values.url || !values.policy) {
    process.stderr.write(
      'usage: npm run audit:verify -- --url <base URL> --policy <tlog-policy file> [--state <file>] | --db\n',
    );
    return 2;
  }
  let policy: WitnessPolicy;
  try {
    policy = parsePolicy(readFileSync(values.policy, 'utf8'));
  } catch (err) {
    process.stderr.write(`${values.policy}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  if (policy.logs.length === 0) {
    process.stderr.write(`${values.policy}: the policy must pin the log key (a "log <vkey>" line)\n`);
    return 2;
  }
  const previous = values.state && existsSync(values.state) ? readFileSync(values.state, 'utf8') : undefined;
  const report = await verifyPublicLog(values.url, {
    policy,
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
