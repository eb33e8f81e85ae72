/**
 * A throwaway SoftHSM2 for one test run: its own config and token folder under the system temp dir
 * (SOFTHSM2_CONF, read by the module at C_Initialize), one fresh token per call. Suites skip with a
 * stated reason only where softhsm2 is not installed (or the optional pkcs11js addon did not build);
 * CI installs softhsm2 (.ci/run).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';
export const USER_PIN = '246810';
const SO_PIN = '13579135';

export function softhsmMissing(): string | null {
  if (!existsSync(SOFTHSM_MODULE)) return `SKIPPED: ${SOFTHSM_MODULE} not found (apt-get install softhsm2)`;
  try {
    execFileSync('softhsm2-util', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'SKIPPED: softhsm2-util not on PATH (apt-get install softhsm2)';
  }
  try {
    createRequire(import.meta.url)('pkcs11js');
  } catch (err) {
    return `SKIPPED: the pkcs11js addon did not build or load (${(err as Error).message.split('\n')[0]})`;
  }
  return null;
}

let conf: string | undefined;

/** The SOFTHSM2_CONF of this run (made on first use; the env var is set for the module to read). */
export function softhsmConf(): string {
  if (conf) return conf;
  const dir = mkdtempSync(join(tmpdir(), 'juc-softhsm-'));
  mkdirSync(join(dir, 'tokens'));
  conf = join(dir, 'softhsm2.conf');
  writeFileSync(
    conf,
    `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`,
  );
  process.env.SOFTHSM2_CONF = conf;
  return conf;
}

let count = 0;

/** A new, empty token; its label is unique in this run. */
export function newToken(prefix: string): { module: string; tokenLabel: string; pin: string } {
  const tokenLabel = `${prefix}-${process.pid}-${++count}`.slice(0, 32);
  execFileSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', tokenLabel, '--pin', USER_PIN, '--so-pin', SO_PIN],
    { env: { ...process.env, SOFTHSM2_CONF: softhsmConf() }, stdio: 'ignore' },
  );
  return { module: SOFTHSM_MODULE, tokenLabel, pin: USER_PIN };
}
