import { expect } from 'chai';
import { exportJWK } from 'jose';
import { createAccessTokenVerifier, type AccessTokenVerifier } from '../../../server/auth/access-token.js';
import { normalizeHtu } from '../../../server/auth/dpop.js';
import { createMemoryReplayStore, type MemoryReplayStore } from '../../../server/auth/replay-store.js';
import {
  API_URL,
  AUDIENCE,
  expectUnauthenticated,
  ISSUER,
  mintAccessToken,
  mintProof,
  newDPoPKey,
  newSigningKey,
  nowSec,
  type DPoPKey,
  type SigningKey,
} from './token-kit.js';

describe('access token verifier: DPoP', () => {
  let asKey: SigningKey;
  let holder: DPoPKey;
  let replayStore: MemoryReplayStore;
  let verifier: AccessTokenVerifier;
  let token: string;

  before(async () => {
    asKey = await newSigningKey('ES256', 'as');
    holder = await newDPoPKey();
  });

  beforeEach(async () => {
    replayStore = createMemoryReplayStore();
    verifier = createAccessTokenVerifier({
      issuers: [{ issuer: ISSUER, jwks: { keys: [asKey.publicJwk] }, audience: AUDIENCE }],
      dpop: { replayStore },
    });
    token = await mintAccessToken(asKey, { cnf: { jkt: holder.jkt } });
  });

  const call = (proof: string | string[] | undefined, overrides: Record<string, unknown> = {}) =>
    verifier.verify({
      authorization: `DPoP ${token}`,
      dpop: proof,
      method: 'POST',
      url: API_URL,
      ...overrides,
    });

  it('accepts a fresh proof from the bound key, ignoring the query string in htu', async () => {
    const proof = await mintProof(holder, token, { htu: `${API_URL}?x=1#frag` });
    const principal = await call(proof, { url: `${API_URL}?page=2`, requireDPoP: true });
    expect(principal.cnfJkt).to.equal(holder.jkt);
    expect(replayStore.size).to.equal(1);
  });

  it('normalises htu the way RFC 9449 asks (case, default port, no query or fragment)', () => {
    expect(normalizeHtu('HTTPS://Gateway.Example.TEST:443/v1/queries?a=1#b')).to.equal(
      'https://gateway.example.test/v1/queries',
    );
    expect(normalizeHtu('https://gateway.example.test/v1/../v1/queries')).to.equal(
      'https://gateway.example.test/v1/queries',
    );
    expect(normalizeHtu('urn:x:y')).to.equal(undefined);
  });

  it('refuses a bound token without a proof', async () => {
    await expectUnauthenticated(call(undefined), /DPoP header is required/);
  });

  it('refuses a bound token sent with the Bearer scheme', async () => {
    const proof = await mintProof(holder, token);
    await expectUnauthenticated(
      verifier.verify({ authorization: `Bearer ${token}`, dpop: proof, method: 'POST', url: API_URL }),
      /DPoP scheme/,
    );
  });

  it('refuses an unbound token when the client must use DPoP, or when sent with the DPoP scheme', async () => {
    const bearer = await mintAccessToken(asKey);
    await expectUnauthenticated(
      verifier.verify({ authorization: `Bearer ${bearer}`, method: 'GET', url: API_URL, requireDPoP: true }),
      /must use a DPoP-bound/,
    );
    await expectUnauthenticated(
      verifier.verify({ authorization: `DPoP ${bearer}`, method: 'GET', url: API_URL }),
      /requires a DPoP-bound/,
    );
  });

  it('refuses a proof signed by another key', async () => {
    const other = await newDPoPKey();
    await expectUnauthenticated(call(await mintProof(other, token)), /not bound to/);
  });

  it('refuses a replayed proof', async () => {
    const proof = await mintProof(holder, token);
    await call(proof);
    await expectUnauthenticated(call(proof), /used before/);
  });

  it('does not burn the jti of a proof that fails another check', async () => {
    const jti = 'fixed-jti';
    await expectUnauthenticated(call(await mintProof(holder, token, { jti, htm: 'GET' })), /htm/);
    await call(await mintProof(holder, token, { jti }));
  });

  it('refuses a wrong htu', async () => {
    await expectUnauthenticated(
      call(await mintProof(holder, token, { htu: 'https://gateway.example.test/v1/consents' })),
      /htu/,
    );
    await expectUnauthenticated(
      call(await mintProof(holder, token, { htu: 'https://evil.example.test/v1/queries' })),
      /htu/,
    );
  });

  it('refuses a wrong htm', async () => {
    await expectUnauthenticated(call(await mintProof(holder, token, { htm: 'GET' })), /htm/);
  });

  it('refuses an ath that does not match the token, or no ath', async () => {
    const otherToken = await mintAccessToken(asKey, { cnf: { jkt: holder.jkt } });
    await expectUnauthenticated(call(await mintProof(holder, otherToken)), /ath/);
    await expectUnauthenticated(call(await mintProof(holder, token, { ath: undefined })), /ath/);
  });

  it('refuses a proof issued too long ago or in the future', async () => {
    await expectUnauthenticated(call(await mintProof(holder, token, { iat: nowSec() - 300 })), /too old/);
    await expectUnauthenticated(call(await mintProof(holder, token, { iat: nowSec() + 120 })), /future/);
  });

  it('refuses a proof with the wrong typ, a symmetric alg or a private key in jwk', async () => {
    await expectUnauthenticated(call(await mintProof(holder, token, {}, { typ: 'JWT' })), /typ/);
    const privateJwk = await exportJWK(holder.privateKey);
    await expectUnauthenticated(call(await mintProof(holder, token, {}, { jwk: privateJwk })), /public key/);
    const [h = '', p = ''] = (await mintProof(holder, token)).split('.');
    const header = { ...JSON.parse(Buffer.from(h, 'base64url').toString()), alg: 'HS256' };
    const forged = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${p}.AAAA`;
    await expectUnauthenticated(call(forged), /alg/);
  });

  it('refuses several DPoP headers and proofs that are not JWS', async () => {
    const proof = await mintProof(holder, token);
    await expectUnauthenticated(call([proof, proof]), /exactly one/);
    await expectUnauthenticated(call('garbage'), /compact JWS/);
  });

  it('refuses a proof with a tampered signature', async () => {
    const proof = await mintProof(holder, token);
    const tampered = `${proof.slice(0, -4)}${proof.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    await expectUnauthenticated(call(tampered), /signature/);
  });
});
