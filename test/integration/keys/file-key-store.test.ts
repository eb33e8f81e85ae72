import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { FileKeyStore } from '../../../server/keys/file-key-store.js';
import { describeKeyStoreContract } from './key-store-contract.js';

describe('file key store (KEY_STORE=file)', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'juc-keys-'));
  });

  describeKeyStoreContract(() => ({ open: (now) => FileKeyStore.open({ dir, allowGenerate: true, now }) }));

  it('writes each key 0600, and drops the private half of a retired checkpoint key', async () => {
    const store = await FileKeyStore.open({ dir, allowGenerate: true });
    const kid = store.current('checkpoint').kid;
    const path = join(dir, 'checkpoint', `${kid}.json`);
    expect(statSync(path).mode & 0o777).to.equal(0o600);
    await store.rotate('checkpoint', 0);
    await store.retire({ purpose: 'checkpoint' });
    const file = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    expect(file.privateJwk).to.equal(undefined);
    expect(file.publicJwk).to.have.keys(['kid', 'alg', 'use', 'kty', 'crv', 'x']);
    expect(readdirSync(join(dir, 'checkpoint'))).to.have.length(2);
  });

  it('refuses to generate in production and names what is missing', async () => {
    let message = '';
    await FileKeyStore.open({ dir, allowGenerate: false }).catch((e: Error) => (message = e.message));
    expect(message).to.equal(
      `No active checkpoint, consent-token, response-signature key in ${dir}; production never generates keys: install them first.`,
    );
  });
});
