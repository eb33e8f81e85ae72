/**
 * `npm run evidence:verify -- <bundle.json> --policy <tlog-policy file> --jwks <jwks.json>`
 *   Verifies a requester's evidence offline (server/audit/evidence.ts): the bundle is
 *   `{"signedCopy": <the record's signedCopy>, "receipt": <GET /v1/log/receipts/{entryId} once included>}`;
 *   trust comes only from the pinned files: our JWKS (saved from /.well-known/jwks.json when the
 *   bank onboarded) and the log and witness keys with the quorum (C2SP tlog-policy). Nothing is fetched.
 * Exit code 0 when the evidence verifies, 1 when it does not, 2 on usage errors.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { JSONWebKeySet } from 'jose';
import { verifyEvidence, type EvidenceBundle } from '../audit/evidence.js';
import { parsePolicy, type WitnessPolicy } from '../audit/witness-policy.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { policy: { type: 'string' }, jwks: { type: 'string' } },
});

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

async function main(): Promise<number> {
  const [bundleFile] = positionals;
  if (!bundleFile || positionals.length !== 1 || !values.policy || !values.jwks) {
    process.stderr.write(
      'usage: npm run evidence:verify -- <bundle.json> --policy <tlog-policy file> --jwks <jwks.json>\n',
    );
    return 2;
  }
  let policy: WitnessPolicy;
  let jwks: JSONWebKeySet;
  let bundle: EvidenceBundle;
  try {
    policy = parsePolicy(readFileSync(values.policy, 'utf8'));
    jwks = readJson<JSONWebKeySet>(values.jwks);
    if (!Array.isArray(jwks.keys)) throw new Error(`${values.jwks}: not a JWKS (no "keys" array)`);
    bundle = readJson<EvidenceBundle>(bundleFile);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  if (policy.logs.length === 0) {
    process.stderr.write(`${values.policy}: the policy must pin the log key (a "log <vkey>" line)\n`);
    return 2;
  }
  const report = await verifyEvidence(bundle, { jwks, policy });
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  return report.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`evidence:verify failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
