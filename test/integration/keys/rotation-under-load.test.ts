/**
 * Rotation under load: tokens and signed copies are signed without pause while the operator rotates
 * both JWS keys from another store instance (as `npm run keys -- rotate` does from another process)
 * and the serving store reloads. Every token and copy signed before the rotation must still verify
 * against the JWKS published after it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { FileKeyStore } from '../../../server/keys/file-key-store.js';
import { signJwt } from '../../../server/keys/jws.js';
import type { ManagedKeyStore } from '../../../server/keys/key-store.js';
import { Pkcs11KeyStore } from '../../../server/keys/pkcs11-key-store.js';
import { createRecordSigner } from '../../../server/queries/signer.js';
import { verifyJws } from './key-store-contract.js';
import { newToken, softhsmMissing } from './softhsm.js';

interface Signed {
  kind: 'token' | 'copy';
  jws: string;
  beforeRotation: boolean;
}

async function signThroughRotation(open: () => Promise<ManagedKeyStore>, runMs: number) {
  const server = await open();
  const operator = await open();
  const signer = createRecordSigner(server, 'https://juc.test');
  const signed: Signed[] = [];
  let rotated = false;
  const deadline = Date.now() + runMs;
  const oldKids = [server.current('consent-token').kid, server.current('response-signature').kid];
  try {
    const worker = async (w: number) => {
      for (let i = 0; Date.now() < deadline; i++) {
        // Whether the key in hand is the pre-rotation one is decided when signing starts.
        const beforeRotation = !rotated;
        const token = await signJwt(
          server.current('consent-token'),
          { typ: 'consent+jwt' },
          { jti: `${w}-${i}` },
        );
        const copy = await signer.signRecord({ worker: w, i });
        signed.push(
          { kind: 'token', jws: token, beforeRotation },
          { kind: 'copy', jws: copy, beforeRotation },
        );
        if (i % 16 === 0) await new Promise((r) => setImmediate(r));
      }
    };
    const rotation = (async () => {
      await new Promise((r) => setTimeout(r, runMs / 2));
      await operator.rotate('consent-token', 7 * 86_400_000);
      await operator.rotate('response-signature', 7 * 86_400_000);
      await server.reload();
      rotated = true;
    })();
    await Promise.all([worker(1), worker(2), worker(3), rotation]);
    const jwks = createLocalJWKSet(server.publicJwks() as never);
    let failedBefore = 0;
    let failedAfter = 0;
    for (const s of signed) {
      const ok =
        s.kind === 'token'
          ? await jwtVerify(s.jws, jwks).then(
              () => true,
              () => false,
            )
          : await verifyJws(server.publicJwks(), s.jws).then(
              () => true,
              () => false,
            );
      if (!ok && s.beforeRotation) failedBefore++;
      if (!ok && !s.beforeRotation) failedAfter++;
    }
    const kids = signed.map((s) => decodeProtectedHeader(s.jws).kid!);
    return {
      before: signed.filter((s) => s.beforeRotation).length,
      after: signed.filter((s) => !s.beforeRotation).length,
      failedBefore,
      failedAfter,
      signedWithOld: kids.filter((k) => oldKids.includes(k)).length,
      signedWithNew: kids.filter((k) => !oldKids.includes(k)).length,
      jwksSize: server.publicJwks().keys.length,
    };
  } finally {
    await server.close();
    await operator.close();
  }
}

function check(result: Awaited<ReturnType<typeof signThroughRotation>>, store: string) {
  console.log(`      ${store}: ${JSON.stringify(result)}`);
  expect(result.before).to.be.greaterThan(20);
  expect(result.after).to.be.greaterThan(20);
  expect(result.failedBefore).to.equal(0);
  expect(result.failedAfter).to.equal(0);
  expect(result.signedWithNew).to.be.greaterThan(0);
  expect(result.jwksSize).to.equal(5);
}

describe('rotation under load', function () {
  this.timeout(60_000);

  it('file store: 0 failed verifications of tokens and copies signed before the rotation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'juc-keys-load-'));
    check(await signThroughRotation(() => FileKeyStore.open({ dir, allowGenerate: true }), 1000), 'file');
  });

  const missing = softhsmMissing();
  it(
    missing ??
      'PKCS#11 store (SoftHSM2): 0 failed verifications of tokens and copies signed before the rotation',
    async function () {
      if (missing) this.skip();
      const token = newToken('juc-load');
      check(
        await signThroughRotation(() => Pkcs11KeyStore.open({ ...token, allowGenerate: true }), 1500),
        'pkcs11',
      );
    },
  );
});
