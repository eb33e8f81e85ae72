/**
 * `npm run keys` as an operator runs it, in its own process, against the store a running server holds
 * open: the server sees the rotation on reload (as its background task does every minute).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { FileKeyStore } from '../../../server/keys/file-key-store.js';
import type { ManagedKeyStore } from '../../../server/keys/key-store.js';
import { Pkcs11KeyStore } from '../../../server/keys/pkcs11-key-store.js';
import { newToken, softhsmConf, softhsmMissing } from './softhsm.js';

function keysCli(env: Record<string, string>, ...args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'server/cli/keys.ts', ...args], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

function cliScenario(setup: () => Promise<{ env: Record<string, string>; server: ManagedKeyStore }>) {
  return async () => {
    const { env, server } = await setup();
    try {
      const old = server.current('consent-token').kid;
      const rotated = keysCli(env, 'rotate', 'consent-token', '--overlap-days', '3');
      expect(rotated.err).to.equal('');
      expect(rotated.code).to.equal(0);
      const kid = /^rotated consent-token: new kid ([A-Za-z0-9_-]{43})\n$/.exec(rotated.out)?.[1];
      expect(kid).to.be.a('string');
      await server.reload();
      expect(server.current('consent-token').kid).to.equal(kid);
      expect(server.publicJwks().keys.map((k) => k.kid)).to.include.members([old, kid]);

      const list = keysCli(env, 'list');
      expect(list.code).to.equal(0);
      const line = list.out.split('\n').find((l) => l.includes(old))!;
      expect(line).to.match(/^consent-token\s+\S+\s+ES256\s+overlap until \d{4}-\d\d-\d\dT/);

      expect(keysCli(env, 'retire').out).to.equal('nothing to retire\n');
      // The whole result, so a failure shows the CLI's stderr and exit code too (empty stdout once in CI).
      expect(keysCli(env, 'retire', 'consent-token', '--kid', old)).to.deep.equal({
        code: 0,
        out: `retired ${old}\n`,
        err: '',
      });
      await server.reload();
      expect(server.publicJwks().keys.map((k) => k.kid)).to.not.include(old);

      const bad = keysCli(env, 'rotate', 'session-cookie');
      expect(bad.code).to.equal(2);
      expect(bad.err).to.match(/^unknown purpose session-cookie\n/);
    } finally {
      await server.close();
    }
  };
}

describe('npm run keys (CLI)', function () {
  this.timeout(90_000);

  it(
    'file store: rotate, list, retire, seen by the running store',
    cliScenario(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'juc-keys-cli-'));
      return { env: { KEY_STORE_DIR: dir }, server: await FileKeyStore.open({ dir, allowGenerate: true }) };
    }),
  );

  const missing = softhsmMissing();
  it(missing ?? 'PKCS#11 store: rotate, list, retire, seen by the running store', async function () {
    if (missing) this.skip();
    const token = newToken('juc-cli');
    const pinFile = join(mkdtempSync(join(tmpdir(), 'juc-pin-')), 'pin');
    writeFileSync(pinFile, `${token.pin}\n`, { mode: 0o600 });
    await cliScenario(async () => ({
      env: {
        KEY_STORE: 'pkcs11',
        PKCS11_MODULE: token.module,
        PKCS11_TOKEN_LABEL: token.tokenLabel,
        PKCS11_PIN_FILE: pinFile,
        SOFTHSM2_CONF: softhsmConf(),
      },
      server: await Pkcs11KeyStore.open({ ...token, allowGenerate: true }),
    }))();
  });
});
