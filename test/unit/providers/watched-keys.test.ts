/**
 * The reference registry's view of the gateway's provider-request keys: the folder is looked at
 * once per recheck interval, not on every request, and at once when a token needs a key not yet seen.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadProviderSigningKey, watchedProviderPublicKeys } from '../../../server/providers/provider-key.js';

describe('watched provider-request keys', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'juc-watched-keys-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('looks at the folder once per interval, and at once when asked to refresh', async () => {
    let clock = 0;
    const keys = watchedProviderPublicKeys(dir, 'holder-a', 1_000, () => clock);
    expect(keys()).to.deep.equal([]);
    const first = await loadProviderSigningKey({ keyStoreDir: dir, holder: 'holder-a', allowGenerate: true });
    clock = 999;
    expect(keys(), 'within the interval: not looked at').to.deep.equal([]);
    expect(
      keys(true).map((k) => k.kid),
      'a refresh looks now',
    ).to.deep.equal([first.kid]);
    const seen = keys();
    clock = 5_000;
    expect(keys(), 'an unchanged folder keeps its array').to.equal(seen);
  });

  it('sees a key written later once the interval has passed', async () => {
    let clock = 0;
    const keys = watchedProviderPublicKeys(dir, undefined, 1_000, () => clock);
    expect(keys()).to.have.length(0);
    const key = await loadProviderSigningKey({ keyStoreDir: dir, allowGenerate: true });
    clock = 1_000;
    expect(keys().map((k) => k.kid)).to.deep.equal([key.kid]);
  });
});
