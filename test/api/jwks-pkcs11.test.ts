/**
 * The whole app on KEY_STORE=pkcs11: the JWKS and the log key it serves are the token's keys, the
 * checkpointer signs through the token, and a rotation made by the operator (another store on the same
 * token) reaches the served JWKS on reload, old and new listed together.
 */
import { expect } from 'chai';
import request from 'supertest';
import { verifierFromVkey, vkeyFor } from '../../server/audit/checkpoint.js';
import { verifyNote } from '../../server/audit/note.js';
import type { ManagedKeyStore } from '../../server/keys/key-store.js';
import { Pkcs11KeyStore } from '../../server/keys/pkcs11-key-store.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { newToken, softhsmMissing } from '../integration/keys/softhsm.js';

const missing = softhsmMissing();

describe('JWKS and log key served from a PKCS#11 token', function () {
  this.timeout(60_000);
  if (missing) {
    it(missing, function () {
      this.skip();
    });
    return;
  }
  let t: TestApp;
  let operator: ManagedKeyStore;

  before(async () => {
    const token = newToken('juc-api');
    t = await buildTestApp({
      env: {
        KEY_STORE: 'pkcs11',
        PKCS11_MODULE: token.module,
        PKCS11_TOKEN_LABEL: token.tokenLabel,
        PKCS11_PIN: token.pin,
      },
    });
    operator = await Pkcs11KeyStore.open({ ...token, allowGenerate: false });
  });
  after(async () => {
    // Closes the app's session, so the module is finalised and later suites see their new tokens.
    await t?.composition.background.find((b) => b.name === 'keys')?.stop();
    await operator?.close();
  });

  it('serves the token keys and signs checkpoints through the token', async () => {
    const jwks = await request(t.app).get('/.well-known/jwks.json').expect(200);
    expect(jwks.headers['cache-control']).to.equal('public, max-age=300');
    const kids = (jwks.body as { keys: { kid: string; alg: string }[] }).keys.map((k) => `${k.alg} ${k.kid}`);
    expect(kids.sort()).to.deep.equal(
      [
        `EdDSA ${operator.current('checkpoint').kid}`,
        `ES256 ${operator.current('consent-token').kid}`,
        `ES256 ${operator.current('response-signature').kid}`,
      ].sort(),
    );
    const origin = t.config.audit.logOrigin;
    const vkey = vkeyFor(origin, operator.current('checkpoint').publicKey);
    expect((await request(t.app).get('/v1/log/key').expect(200)).text).to.equal(`${vkey}\n`);
    expect(await t.composition.audit.checkpointer.publish(true)).to.equal(0);
    const note = (await request(t.app).get('/v1/log/checkpoint').expect(200)).text;
    const opened = await verifyNote(note, [verifierFromVkey(vkey)]);
    expect(opened.text.split('\n').slice(0, 2)).to.deep.equal([origin, '0']);
  });

  it('lists old and new after a rotation by the operator, once the app reloads', async () => {
    const old = operator.current('response-signature').kid;
    const rotated = await operator.rotate('response-signature', 7 * 86_400_000);
    await (t.composition.keys as ManagedKeyStore).reload();
    const jwks = await request(t.app).get('/.well-known/jwks.json').expect(200);
    const kids = (jwks.body as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    expect(kids).to.have.length(4);
    expect(kids).to.include.members([old, rotated.kid]);
  });
});
