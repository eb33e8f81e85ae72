import { expect } from 'chai';
import { exportJWK, exportSPKI, SignJWT } from 'jose';
import {
  createAccessTokenVerifier,
  type AccessTokenVerifierOptions,
} from '../../../server/auth/access-token.js';
import { createMemoryReplayStore } from '../../../server/auth/replay-store.js';
import {
  API_URL,
  AUDIENCE,
  b64url,
  expectUnauthenticated,
  ISSUER,
  mintAccessToken,
  newSigningKey,
  nowSec,
  sleep,
  startJwksServer,
  type JwksServer,
  type SigningKey,
} from './token-kit.js';

describe('access token verifier', () => {
  let es256: SigningKey;
  let eddsa: SigningKey;
  let jwksServer: JwksServer;
  let attacker: JwksServer;
  let attackerKey: SigningKey;

  before(async () => {
    es256 = await newSigningKey('ES256', 'as-es256');
    eddsa = await newSigningKey('EdDSA', 'as-eddsa');
    attackerKey = await newSigningKey('ES256', 'attacker');
    jwksServer = await startJwksServer({ keys: [es256.publicJwk, eddsa.publicJwk] });
    attacker = await startJwksServer({ keys: [attackerKey.publicJwk] });
  });

  after(async () => {
    await jwksServer.close();
    await attacker.close();
  });

  function verifier(overrides: Partial<AccessTokenVerifierOptions> = {}) {
    return createAccessTokenVerifier({
      issuers: [{ issuer: ISSUER, jwksUri: jwksServer.url, audience: AUDIENCE }],
      jwksCooldownMs: 200,
      dpop: { replayStore: createMemoryReplayStore() },
      ...overrides,
    });
  }

  const request = (token: string) => ({ authorization: `Bearer ${token}`, method: 'POST', url: API_URL });

  describe('accepts', () => {
    it('an ES256 token and returns the principal', async () => {
      const principal = await verifier().verify(request(await mintAccessToken(es256)));
      expect(principal).to.deep.include({
        issuer: ISSUER,
        sub: 'bank-hana',
        clientId: 'bank-hana',
        org: 'org-bank-hana',
        scope: ['records:query'],
        cnfJkt: undefined,
      });
      expect(principal.expiresAt.getTime()).to.be.greaterThan(Date.now());
    });

    it('an EdDSA token with typ application/at+jwt', async () => {
      const token = await mintAccessToken(eddsa, {}, { typ: 'application/at+jwt' });
      expect((await verifier().verify(request(token))).clientId).to.equal('bank-hana');
    });

    it('an audience array that contains ours, and time claims within 60 s of skew', async () => {
      const t = nowSec();
      const token = await mintAccessToken(es256, { aud: ['other', AUDIENCE], exp: t - 30, nbf: t + 30 });
      expect((await verifier().verify(request(token))).sub).to.equal('bank-hana');
    });
  });

  describe('refuses', () => {
    it('a missing or malformed Authorization header', async () => {
      const v = verifier();
      await expectUnauthenticated(
        v.verify({ authorization: undefined, method: 'GET', url: API_URL }),
        /required/,
      );
      await expectUnauthenticated(
        v.verify({ authorization: 'Basic Zm9vOmJhcg==', method: 'GET', url: API_URL }),
      );
      await expectUnauthenticated(v.verify({ authorization: 'Bearer a b', method: 'GET', url: API_URL }));
      await expectUnauthenticated(v.verify(request('not-a-jwt')), /malformed/);
    });

    it('alg none, without fetching keys', async () => {
      const before = jwksServer.hits;
      const t = nowSec();
      const claims = { iss: ISSUER, aud: AUDIENCE, sub: 'x', client_id: 'x', jti: 'j', iat: t, exp: t + 60 };
      const token = `${b64url({ alg: 'none', typ: 'at+jwt' })}.${b64url(claims)}.`;
      await expectUnauthenticated(verifier().verify(request(token)), /algorithm/);
      expect(jwksServer.hits).to.equal(before);
    });

    it("HS256 keyed with the issuer's public key bytes (algorithm confusion)", async () => {
      const pem = await exportSPKI(es256.publicKey);
      const t = nowSec();
      for (const secret of [pem, JSON.stringify(es256.publicJwk), es256.publicJwk.x!]) {
        const token = await new SignJWT({
          iss: ISSUER,
          aud: AUDIENCE,
          sub: 'x',
          client_id: 'x',
          jti: 'j',
          iat: t,
          exp: t + 60,
        })
          .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: es256.kid })
          .sign(new TextEncoder().encode(secret));
        await expectUnauthenticated(verifier().verify(request(token)), /algorithm/);
      }
    });

    it('a token from an issuer that is not configured, without fetching anything', async () => {
      const before = jwksServer.hits;
      const token = await mintAccessToken(es256, { iss: 'https://evil.example.test' });
      await expectUnauthenticated(verifier().verify(request(token)), /trusted issuer/);
      expect(jwksServer.hits).to.equal(before);
    });

    it('a token for another audience', async () => {
      await expectUnauthenticated(
        verifier().verify(request(await mintAccessToken(es256, { aud: 'urn:other:api' }))),
        /not meant for this API/,
      );
    });

    it('a token expired more than 60 s ago', async () => {
      const t = nowSec();
      const token = await mintAccessToken(es256, { iat: t - 600, exp: t - 61 });
      await expectUnauthenticated(verifier().verify(request(token)), /expired/);
    });

    it('a token whose nbf is more than 60 s ahead', async () => {
      await expectUnauthenticated(
        verifier().verify(request(await mintAccessToken(es256, { nbf: nowSec() + 120 }))),
        /not valid yet/,
      );
    });

    it('an ID token or any token without typ at+jwt', async () => {
      await expectUnauthenticated(
        verifier().verify(request(await mintAccessToken(es256, {}, { typ: 'JWT' }))),
        /typ/,
      );
      await expectUnauthenticated(
        verifier().verify(request(await mintAccessToken(es256, {}, { typ: undefined }))),
        /typ/,
      );
    });

    it('a token without client_id, jti or exp', async () => {
      for (const missing of ['client_id', 'jti', 'exp']) {
        const token = await mintAccessToken(es256, { [missing]: undefined });
        await expectUnauthenticated(verifier().verify(request(token)), /required claim/);
      }
    });

    it('a token with a forged signature', async () => {
      const token = await mintAccessToken(attackerKey, {}, { kid: es256.kid });
      const error = await expectUnauthenticated(verifier().verify(request(token)), /signature/);
      // Details name the failed check only: no token, key id or issuer internals.
      for (const secret of [token.split('.')[1]!, es256.kid, jwksServer.url]) {
        expect(error.detail).to.not.include(secret);
        expect(error.message).to.not.include(secret);
      }
    });

    it('a token bound to a certificate (cnf x5t#S256) we cannot check', async () => {
      const token = await mintAccessToken(es256, { cnf: { 'x5t#S256': 'abc' } });
      await expectUnauthenticated(verifier().verify(request(token)), /proof method/);
    });

    it('jku/x5u pointing at another server, and never contacts it', async () => {
      const v = verifier();
      for (const header of [
        { jku: attacker.url },
        { x5u: attacker.url },
        { jku: attacker.url, x5u: attacker.url },
      ]) {
        const forged = await mintAccessToken(attackerKey, {}, header);
        await expectUnauthenticated(v.verify(request(forged)));
      }
      // A genuine token that carries jku is judged on the configured keys alone.
      const genuine = await mintAccessToken(es256, {}, { jku: attacker.url, x5u: attacker.url });
      expect((await v.verify(request(genuine))).sub).to.equal('bank-hana');
      expect(attacker.hits).to.equal(0);
    });
  });

  describe('JWKS unavailable', () => {
    it('says the keys are unavailable, not that the token is bad', async () => {
      const down = await startJwksServer({ keys: [] });
      const url = down.url;
      await down.close();
      const v = verifier({ issuers: [{ issuer: ISSUER, jwksUri: url, audience: AUDIENCE }] });
      await expectUnauthenticated(v.verify(request(await mintAccessToken(es256))), /keys are unavailable/);
    });

    it('treats a non-JSON JWKS response the same way', async () => {
      const notJson = await startJwksServer({ keys: [] });
      const v = verifier({
        issuers: [{ issuer: ISSUER, jwksUri: notJson.url, audience: AUDIENCE }],
        fetch: async () => new Response('<html>maintenance</html>', { status: 503 }),
      });
      try {
        await expectUnauthenticated(v.verify(request(await mintAccessToken(es256))), /keys are unavailable/);
        expect(notJson.hits, 'custom fetch is used instead of the network').to.equal(0);
      } finally {
        await notJson.close();
      }
    });
  });

  describe('JWKS refresh', () => {
    it('refetches on an unknown kid at most once per cooldown, and picks up rotated keys', async () => {
      const v = verifier({ jwksCooldownMs: 300 });
      const base = jwksServer.hits;
      await v.verify(request(await mintAccessToken(es256)));
      expect(jwksServer.hits - base, 'initial fetch').to.equal(1);

      const stranger = await newSigningKey('ES256', 'unknown-kid');
      const unknown = await mintAccessToken(stranger);
      await expectUnauthenticated(v.verify(request(unknown)), /key the issuer does not publish/);
      expect(jwksServer.hits - base, 'within cooldown: no refetch').to.equal(1);

      await sleep(350);
      await Promise.all(
        Array.from({ length: 5 }, () =>
          expectUnauthenticated(v.verify(request(unknown)), /does not publish/),
        ),
      );
      for (let i = 0; i < 3; i++) await expectUnauthenticated(v.verify(request(unknown)));
      expect(jwksServer.hits - base, 'one refetch after cooldown').to.equal(2);

      const rotated = await newSigningKey('ES256', 'as-es256-2');
      const original = jwksServer.jwks;
      jwksServer.jwks = { keys: [...original.keys, rotated.publicJwk] };
      try {
        await expectUnauthenticated(v.verify(request(await mintAccessToken(rotated))));
        expect(jwksServer.hits - base, 'rotation seen only after cooldown').to.equal(2);
        await sleep(350);
        expect((await v.verify(request(await mintAccessToken(rotated)))).sub).to.equal('bank-hana');
        expect(jwksServer.hits - base).to.equal(3);
      } finally {
        jwksServer.jwks = original;
      }
    });
  });

  describe('configuration', () => {
    const base = { dpop: { replayStore: createMemoryReplayStore() } };
    const issuer = { issuer: ISSUER, jwksUri: 'http://127.0.0.1:1/jwks', audience: AUDIENCE };

    it('refuses symmetric or unsigned algorithms in the allow-list', () => {
      for (const alg of ['HS256', 'none', 'RS256']) {
        expect(() => createAccessTokenVerifier({ ...base, issuers: [issuer], algorithms: [alg] })).to.throw(
          alg,
        );
      }
    });

    it('refuses more than 60 s of clock tolerance', () => {
      expect(() => createAccessTokenVerifier({ ...base, issuers: [issuer], clockToleranceSec: 61 })).to.throw(
        /60/,
      );
    });

    it('refuses plain-http JWKS URIs off loopback and private keys in inline JWKS', async () => {
      expect(() =>
        createAccessTokenVerifier({
          ...base,
          issuers: [{ ...issuer, jwksUri: 'http://idp.example.test/jwks' }],
        }),
      ).to.throw(/https/);
      const key = await newSigningKey('ES256');
      const privateJwk = await exportJWK(key.privateKey);
      expect(() =>
        createAccessTokenVerifier({
          ...base,
          issuers: [{ issuer: ISSUER, jwks: { keys: [privateJwk] }, audience: AUDIENCE }],
        }),
      ).to.throw(/public keys only/);
    });
  });
});
