/**
 * `npm start`'s witnesses: outside production, DEV_WITNESSES (default 2) witnesses run beside the service,
 * each on its own port with its own key and state folder (<DEV_DATA_DIR>/witness-a, …), following the
 * service's audit log. A 2-of-2 policy for them and the log key is written to
 * <DEV_DATA_DIR>/witness-policy.txt for `npm run audit:verify -- --policy`. In production witnesses are
 * other people's processes (`npm run witness`), listed in WITNESSES.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { vkeyFor } from '../audit/checkpoint.js';
import type { Config, WitnessEndpoint } from '../config.js';
import { openKeyStore } from '../keys/open-key-store.js';
import { formatPolicy } from '../audit/witness-policy.js';
import { startWitness, type RunningWitness } from './server.js';

export function witnessDataDir(base: string, label: string): string {
  return join(base, `witness-${label.replace(/[^A-Za-z0-9._-]/g, '_')}`);
}

export interface DevWitnesses {
  /** Every witness the checkpointer should ask: the configured ones and the ones started here. */
  all: WitnessEndpoint[];
  running: RunningWitness[];
  policyPath: string | undefined;
  lines: string[];
  stop(): Promise<void>;
}

export async function startDevWitnesses(config: Readonly<Config>, logger: Logger): Promise<DevWitnesses> {
  const configured = [...config.audit.witnesses];
  const count = config.nodeEnv === 'production' ? 0 : config.audit.devWitnesses;
  if (count === 0) {
    return { all: configured, running: [], policyPath: undefined, lines: [], stop: async () => {} };
  }
  const origin = config.audit.logOrigin;
  const keys = await openKeyStore(config, { allowGenerate: true });
  const logKeys = keys.verifyingKeys('checkpoint').map((k) => vkeyFor(origin, k.publicKey));
  await keys.close();
  const running: RunningWitness[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const label = String.fromCharCode(97 + i);
      running.push(
        await startWitness({
          name: `witness-${label}.localhost`,
          dataDir: witnessDataDir(config.auth.devDataDir, label),
          logKeys,
        }),
      );
    }
  } catch (err) {
    await Promise.all(running.map((w) => w.stop()));
    throw err;
  }
  const started = running.map((w) => ({ name: w.name, url: w.url, publicKey: w.vkey }));
  const all = [...configured, ...started];
  mkdirSync(config.auth.devDataDir, { recursive: true });
  const policyPath = join(config.auth.devDataDir, 'witness-policy.txt');
  const policy = formatPolicy(
    logKeys[0]!,
    all.map((w) => ({ name: w.name, vkey: w.publicKey })),
    all.length,
  );
  writeFileSync(policyPath, policy);
  for (const w of running) logger.info({ name: w.name, url: w.url, vkey: w.vkey }, 'witness listening');
  const lines = [
    ...running.map((w) => `  Witness         ${w.url} ${w.vkey}`),
    `  Witness policy  ${policyPath} (${all.length} of ${all.length}; npm run audit:verify -- --url <url> --policy ${policyPath})`,
  ];
  return {
    all,
    running,
    policyPath,
    lines,
    stop: async () => {
      await Promise.all(running.map((w) => w.stop()));
    },
  };
}
