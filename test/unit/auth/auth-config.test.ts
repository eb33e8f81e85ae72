import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../server/config.js';
import { cookiePolicy } from '../../../server/auth/cookies.js';
import { demoClientPrivateJwk, publicPart } from '../../../server/dev/demo-clients.js';
import { calculateJwkThumbprint, importJWK, SignJWT, jwtVerify } from 'jose';
import { redirectUriVariants } from '../../../server/auth/identity.js';

describe('auth configuration', () => {
  it('defaults to the dev identity provider with 30 min idle and 8 h absolute sessions', () => {
    const { auth } = loadConfig({});
    expect(auth.oidc).to.equal(undefined);
    expect(auth.apiTokenIssuers).to.deep.equal([]);
    expect(auth).to.include({
      sessionIdleTimeoutSec: 1800,
      sessionAbsoluteTimeoutSec: 28800,
      devDataDir: '.data',
    });
  });

  it('reads a real provider with a secret or a private key file, never both', () => {
    const base = { OIDC_ISSUER_URL: 'https://idp.example.go.kr', OIDC_CLIENT_ID: 'gateway' };
    expect(loadConfig({ ...base, OIDC_CLIENT_SECRET: 's3cret' }).auth.oidc).to.deep.equal({
      issuerUrl: 'https://idp.example.go.kr',
      clientId: 'gateway',
      clientSecret: 's3cret',
    });
    expect(() => loadConfig(base)).to.throw(ConfigError, /exactly one of OIDC_CLIENT_SECRET/);
    expect(() =>
      loadConfig({ ...base, OIDC_CLIENT_SECRET: 'a', OIDC_CLIENT_PRIVATE_KEY_FILE: '/k.json' }),
    ).to.throw(ConfigError, /exactly one/);
    expect(() => loadConfig({ OIDC_CLIENT_ID: 'x' })).to.throw(ConfigError, /need OIDC_ISSUER_URL/);
  });

  it('parses API_TOKEN_ISSUERS as a JSON list and names the variable when it is wrong', () => {
    const issuers = [{ issuer: 'https://as.example', jwksUri: 'https://as.example/jwks', audience: 'urn:x' }];
    expect(loadConfig({ API_TOKEN_ISSUERS: JSON.stringify(issuers) }).auth.apiTokenIssuers).to.deep.equal(
      issuers,
    );
    for (const bad of [
      'not json',
      '{}',
      '[{"issuer":"x"}]',
      '[{"issuer":"x","jwksUri":"ftp://x","audience":"a"}]',
    ]) {
      expect(() => loadConfig({ API_TOKEN_ISSUERS: bad }), bad).to.throw(
        ConfigError,
        /API_TOKEN_ISSUERS is invalid/,
      );
    }
  });

  it('marks cookies Secure for https or production only (browsers drop Secure cookies over http)', () => {
    expect(cookiePolicy('http://127.0.0.1:3000', 'development').secure).to.equal(false);
    expect(cookiePolicy(undefined, 'test').secure).to.equal(false);
    expect(cookiePolicy('https://juc.example', 'development').secure).to.equal(true);
    expect(cookiePolicy(undefined, 'production').secure).to.equal(true);
  });

  it('registers loopback redirect URIs under both 127.0.0.1 and localhost', () => {
    expect(redirectUriVariants('http://127.0.0.1:3000', 'auth/callback')).to.deep.equal([
      'http://127.0.0.1:3000/auth/callback',
      'http://localhost:3000/auth/callback',
    ]);
    expect(redirectUriVariants('https://juc.example/base/', 'auth/callback')).to.deep.equal([
      'https://juc.example/base/auth/callback',
    ]);
  });
});

describe('demo API client keys', () => {
  it('are the same on every machine, distinct per client, and a working ES256 pair', async () => {
    const a = await demoClientPrivateJwk('bank-hanbit-app');
    expect(await demoClientPrivateJwk('bank-hanbit-app')).to.deep.equal(a);
    const b = await demoClientPrivateJwk('bank-saebom-app');
    expect(b.d).to.not.equal(a.d);
    const pub = publicPart(a);
    expect(pub).to.not.have.property('d');
    expect(pub.kid).to.equal(await calculateJwkThumbprint(pub));
    const jws = await new SignJWT({ x: 1 })
      .setProtectedHeader({ alg: 'ES256' })
      .sign(await importJWK(a, 'ES256'));
    await jwtVerify(jws, await importJWK(pub, 'ES256'));
  });
});
