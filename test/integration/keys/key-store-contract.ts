/**
 * What every key store must do, run against the file store and the PKCS#11 store alike: sign
 * checkpoints, consent tokens and signed copies that verify with the published public keys only;
 * rotate with an overlap (old signatures verify, JWKS lists both, new ones carry the new kid); retire
 * after the window; keep older checkpoints verifiable; wrap and unwrap data keys across a KEK rotation.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { compactVerify, createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import {
  ed25519Signer,
  signCheckpoint,
  vkeyFor,
  verifierFromVkey,
} from '../../../server/audit/checkpoint.js';
import { verifyNote } from '../../../server/audit/note.js';
import { signJwt } from '../../../server/keys/jws.js';
import type { ManagedKeyStore } from '../../../server/keys/key-store.js';
import { createRecordSigner } from '../../../server/queries/signer.js';

const ORIGIN = 'keys.test/log';
const DAY = 86_400_000;

export interface StoreFactory {
  /** Opens a store on the same keys (another process: the server, the CLI) with this clock. */
  open(now: () => Date): Promise<ManagedKeyStore>;
}

export async function verifyCheckpoint(store: ManagedKeyStore, note: string): Promise<void> {
  const verifiers = store
    .verifyingKeys('checkpoint')
    .map((k) => verifierFromVkey(vkeyFor(ORIGIN, k.publicKey)));
  await verifyNote(note, verifiers);
}

export async function verifyJws(jwks: { keys: JWK[] }, jws: string): Promise<string> {
  const { protectedHeader } = await compactVerify(jws, createLocalJWKSet(jwks as never), {
    algorithms: ['ES256'],
  });
  return protectedHeader.kid!;
}

export function describeKeyStoreContract(factory: () => StoreFactory): void {
  describe('key-store contract', () => contract(factory));
}

function contract(factory: () => StoreFactory): void {
  let clock: Date;
  const now = () => clock;
  let store: ManagedKeyStore;
  let operator: ManagedKeyStore;

  beforeEach(async () => {
    clock = new Date('2026-03-01T09:00:00Z');
    store = await factory().open(now);
    operator = await factory().open(now);
  });
  afterEach(async () => {
    await store.close();
    await operator.close();
  });

  it('signs a checkpoint (Ed25519) that verifies with the published log key only', async () => {
    const note = await signCheckpoint({ origin: ORIGIN, size: 7, rootHash: new Uint8Array(32).fill(9) }, [
      ed25519Signer(ORIGIN, store.current('checkpoint')),
    ]);
    await verifyCheckpoint(store, note);
    const stranger = generateKeyPairSync('ed25519').privateKey;
    const forged = await signCheckpoint({ origin: ORIGIN, size: 7, rootHash: new Uint8Array(32).fill(9) }, [
      ed25519Signer(ORIGIN, stranger),
    ]);
    let refused = false;
    await verifyCheckpoint(store, forged).catch(() => (refused = true));
    expect(refused).to.equal(true);
  });

  it('signs consent tokens and signed copies (ES256) that jose verifies against the JWKS', async () => {
    const token = await signJwt(
      store.current('consent-token'),
      { typ: 'consent+jwt' },
      { sub: 'p-1', jti: 'a' },
    );
    const { payload, protectedHeader } = await jwtVerify(
      token,
      createLocalJWKSet(store.publicJwks() as never),
    );
    expect(payload.sub).to.equal('p-1');
    expect(protectedHeader).to.deep.include({ alg: 'ES256', typ: 'consent+jwt' });
    expect(protectedHeader.kid).to.equal(store.current('consent-token').kid);
    const copy = await createRecordSigner(store, 'https://juc.test').signRecord({
      record: { name: '김민준' },
    });
    expect(await verifyJws(store.publicJwks(), copy)).to.equal(store.current('response-signature').kid);
    // The JWS signature is raw r||s (64 bytes), not DER.
    expect(Buffer.from(copy.split('.')[2]!, 'base64url')).to.have.length(64);
  });

  it('rotates with an overlap: old tokens and copies verify, the JWKS lists both, new ones use the new kid', async () => {
    const oldToken = await signJwt(store.current('consent-token'), { typ: 'consent+jwt' }, { jti: 'old' });
    const oldCopy = await createRecordSigner(store, 'https://juc.test').signRecord({ n: 1 });
    const oldKid = decodeProtectedHeader(oldToken).kid;
    const rotated = await operator.rotate('consent-token', 7 * DAY);
    await operator.rotate('response-signature', 7 * DAY);
    expect(rotated.kid).to.not.equal(oldKid);
    await store.reload();
    const kids = store.publicJwks().keys.map((k) => k.kid);
    expect(kids).to.include.members([oldKid, rotated.kid]);
    expect(kids).to.have.length(5); // checkpoint 1, consent-token 2, response-signature 2
    clock = new Date(clock.getTime() + 6 * DAY);
    await jwtVerify(oldToken, createLocalJWKSet(store.publicJwks() as never));
    await verifyJws(store.publicJwks(), oldCopy);
    const newToken = await signJwt(store.current('consent-token'), { typ: 'consent+jwt' }, { jti: 'new' });
    expect(decodeProtectedHeader(newToken).kid).to.equal(rotated.kid);
    // After the window the old kid is gone from the JWKS and its tokens no longer verify.
    clock = new Date(clock.getTime() + 2 * DAY);
    expect(store.publicJwks().keys.map((k) => k.kid)).to.not.include(oldKid);
    let refused = false;
    await jwtVerify(oldToken, createLocalJWKSet(store.publicJwks() as never)).catch(() => (refused = true));
    expect(refused).to.equal(true);
    expect(await operator.retire()).to.include(oldKid);
    await store.reload();
    expect(store.list().map((k) => k.kid)).to.not.include(oldKid);
    await jwtVerify(newToken, createLocalJWKSet(store.publicJwks() as never));
  });

  it('retire leaves a key alone while its window is open', async () => {
    const oldKid = store.current('response-signature').kid;
    await operator.rotate('response-signature', 7 * DAY);
    expect(await operator.retire({ purpose: 'response-signature' })).to.deep.equal([]);
    clock = new Date(clock.getTime() + 7 * DAY + 1);
    expect(await operator.retire({ purpose: 'response-signature' })).to.deep.equal([oldKid]);
  });

  it('keeps checkpoints of a rotated and retired log key verifiable; nothing signs with it again', async () => {
    const oldNote = await signCheckpoint({ origin: ORIGIN, size: 3, rootHash: new Uint8Array(32).fill(1) }, [
      ed25519Signer(ORIGIN, store.current('checkpoint')),
    ]);
    const oldKid = store.current('checkpoint').kid;
    await operator.rotate('checkpoint', 7 * DAY);
    clock = new Date(clock.getTime() + 400 * DAY);
    expect(await operator.retire()).to.deep.equal([oldKid]);
    await store.reload();
    const old = store.list().find((k) => k.kid === oldKid)!;
    expect(old).to.include({ canSign: false });
    expect(old.expiresAt).to.equal(undefined);
    expect(store.verifyingKeys('checkpoint').map((k) => k.kid)).to.deep.equal([
      store.current('checkpoint').kid,
      oldKid,
    ]);
    await verifyCheckpoint(store, oldNote);
    const newNote = await signCheckpoint({ origin: ORIGIN, size: 4, rootHash: new Uint8Array(32).fill(2) }, [
      ed25519Signer(ORIGIN, store.current('checkpoint')),
    ]);
    await verifyCheckpoint(store, newNote);
  });

  it('wraps data keys under the KEK; a KEK rotation keeps older wrapped keys opening', async () => {
    const dataKey = randomBytes(32);
    const wrapped = await store.wrapKey(dataKey);
    expect(wrapped).to.match(/^kw1\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{64}$/);
    expect(Buffer.from(await store.unwrapKey(wrapped)).equals(dataKey)).to.equal(true);
    const kek = await operator.rotate('data-key', 0);
    const later = await operator.wrapKey(dataKey);
    expect(later.split('.')[1]).to.equal(kek.kid);
    // The serving store learns the new KEK when it meets a key wrapped by it.
    expect(Buffer.from(await store.unwrapKey(later)).equals(dataKey)).to.equal(true);
    expect(Buffer.from(await operator.unwrapKey(wrapped)).equals(dataKey)).to.equal(true);
    const [v, kid, iv, sealed] = wrapped.split('.');
    const flipped = Buffer.from(sealed!, 'base64url');
    flipped[0]! ^= 1;
    let refused = '';
    await store
      .unwrapKey([v, kid, iv, flipped.toString('base64url')].join('.'))
      .catch((e: Error) => (refused = e.message));
    expect(refused).to.equal('wrapped data key does not authenticate');
  });
}
