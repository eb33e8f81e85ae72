/**
 * `npm run audit:mirror -- --from <tiles prefix URL> --policy <tlog-policy file> --out <dir>`
 *   Copies the whole audit log from its C2SP tiles into <dir> (laid out like the log's URLs, so the folder
 *   can be served as a mirror) and verifies it against the log's checkpoint under the pinned policy (log
 *   key, witness keys, quorum): see server/audit/tiles-mirror.ts. Run it again to resume an interrupted
 *   copy or to catch up; each run checks that the log still extends the checkpoint the folder holds.
 *   The prefix is the server's `/audit/v1` (e.g. http://127.0.0.1:3000/audit/v1).
 * Exit code 0 when everything verifies, 1 when something does not, 2 on usage errors.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { mirrorLog } from '../audit/tiles-mirror.js';
import { parsePolicy, type WitnessPolicy } from '../audit/witness-policy.js';

const { values } = parseArgs({
  options: {
    from: { type: 'string' },
    policy: { type: 'string' },
    out: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});

async function main(): Promise<number> {
  if (!values.from || !values.policy || !values.out) {
    process.stderr.write(
      'usage: npm run audit:mirror -- --from <tiles prefix URL> --policy <file> --out <dir>\n',
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
  mkdirSync(values.out, { recursive: true });
  const started = Date.now();
  let shown = -1;
  const report = await mirrorLog({
    from: values.from,
    policy,
    out: values.out,
    progress: (done, total) => {
      // About every 5 %, and the last one.
      const tenth = Math.floor((done * 20) / total);
      if (values.quiet || (tenth === shown && done !== total)) return;
      shown = tenth;
      process.stderr.write(`tiles ${done}/${total} (${Math.floor((done * 100) / total)} %)\n`);
    },
  });
  process.stdout.write(JSON.stringify({ ...report, seconds: (Date.now() - started) / 1000 }, null, 2) + '\n');
  return report.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`audit:mirror failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
