import { expect } from 'chai';
import { Pkcs11KeyStore } from '../../../server/keys/pkcs11-key-store.js';
import { describeKeyStoreContract } from './key-store-contract.js';
import { newToken, softhsmMissing } from './softhsm.js';

const missing = softhsmMissing();

describe('PKCS#11 key store (KEY_STORE=pkcs11, SoftHSM2)', function () {
  this.timeout(60_000);
  if (missing) {
    it(missing, function () {
      this.skip();
    });
    return;
  }
  let token: ReturnType<typeof newToken>;
  beforeEach(() => {
    token = newToken('juc-contract');
  });

  describeKeyStoreContract(() => ({
    open: (now) => Pkcs11KeyStore.open({ ...token, allowGenerate: true, now }),
  }));

  it('keeps every private key on the token: sensitive, never extractable, its value refused', async () => {
    const store = await Pkcs11KeyStore.open({ ...token, allowGenerate: true });
    try {
      for (const purpose of ['checkpoint', 'consent-token', 'response-signature'] as const) {
        const { kid } = store.current(purpose);
        expect(store.privateKeyAttributes(kid)).to.deep.equal({
          sensitive: true,
          extractable: false,
          neverExtractable: true,
        });
        expect(() => store.tryReadPrivateValue(kid)).to.throw(/CKR_ATTRIBUTE_SENSITIVE/);
      }
    } finally {
      await store.close();
    }
  });

  it('refuses a wrong PIN and an unknown token, and in production generates nothing', async () => {
    let message = '';
    await Pkcs11KeyStore.open({ ...token, pin: '000000', allowGenerate: true }).catch(
      (e: Error) => (message = e.message),
    );
    expect(message).to.equal('PKCS#11 login refused: CKR_PIN_INCORRECT');
    await Pkcs11KeyStore.open({ ...token, tokenLabel: 'no-such-token', allowGenerate: true }).catch(
      (e: Error) => (message = e.message),
    );
    expect(message).to.equal(`no PKCS#11 token labelled no-such-token in ${token.module}`);
    await Pkcs11KeyStore.open({ ...token, allowGenerate: false }).catch((e: Error) => (message = e.message));
    expect(message).to.equal(
      'No active checkpoint, consent-token, response-signature key on the PKCS#11 token; production never generates keys: run `npm run keys -- rotate <purpose>` first.',
    );
  });
});
