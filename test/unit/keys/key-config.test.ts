import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../server/config.js';

describe('key store configuration', () => {
  it('defaults to the file store with a 7-day overlap', () => {
    expect(loadConfig({}).keyStore).to.deep.equal({ kind: 'file', overlapMs: 604_800_000 });
  });

  it('reads the PKCS#11 settings, the PIN from PKCS11_PIN_FILE', () => {
    const pinFile = join(mkdtempSync(join(tmpdir(), 'juc-pin-')), 'pin');
    writeFileSync(pinFile, '246810\n');
    const config = loadConfig({
      KEY_STORE: 'pkcs11',
      PKCS11_TOKEN_LABEL: 'juc-prod',
      PKCS11_PIN_FILE: pinFile,
      KEY_OVERLAP_DAYS: '1.5',
    });
    expect(config.keyStore).to.deep.equal({
      kind: 'pkcs11',
      overlapMs: 129_600_000,
      pkcs11: { module: '/usr/lib/softhsm/libsofthsm2.so', pin: '246810', tokenLabel: 'juc-prod' },
    });
    expect(
      loadConfig({ KEY_STORE: 'pkcs11', PKCS11_SLOT: '3', PKCS11_PIN: '1234' }).keyStore.pkcs11,
    ).to.deep.equal({
      module: '/usr/lib/softhsm/libsofthsm2.so',
      pin: '1234',
      slot: 3,
    });
  });

  it('refuses KEY_STORE=pkcs11 without a PIN, or without exactly one of label and slot', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    };
    expect(problems({ KEY_STORE: 'pkcs11', PKCS11_TOKEN_LABEL: 'juc' })).to.deep.equal([
      'PKCS11_PIN (or PKCS11_PIN_FILE) is required when KEY_STORE=pkcs11',
    ]);
    expect(problems({ KEY_STORE: 'pkcs11', PKCS11_PIN: '1234' })).to.deep.equal([
      'KEY_STORE=pkcs11 needs exactly one of PKCS11_TOKEN_LABEL and PKCS11_SLOT',
    ]);
    expect(
      problems({ KEY_STORE: 'pkcs11', PKCS11_PIN: '1234', PKCS11_TOKEN_LABEL: 'a', PKCS11_SLOT: '1' }),
    ).to.deep.equal(['KEY_STORE=pkcs11 needs exactly one of PKCS11_TOKEN_LABEL and PKCS11_SLOT']);
    expect(problems({ KEY_STORE: 'hsm' })[0]).to.match(
      /^KEY_STORE="hsm" is invalid: expected file \(keys under/,
    );
  });
});
