import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose';
import * as client from 'openid-client';
import { createAccessTokenVerifier, type AccessTokenVerifier } from '../../../server/auth/access-token.js';
import { createMemoryReplayStore } from '../../../server/auth/replay-store.js';
import { AppError } from '../../../server/errors.js';
import {
  DEFAULT_API_RESOURCE,
  DEV_ACR,
  startDevIdentityProvider,
  type DevIdentityProvider,
} from '../../../server/dev/identity-provider.js';
import { DEMO_CITIZENS, DEMO_CLERKS } from '../../../server/dev/demo-identities.js';
import { completeDevLogin } from './login-driver.js';

const REDIRECT_URI = 'http://127.0.0.1:8089/auth/callback';
const PORTAL = { clientId: 'citizen-portal', clientSecret: 'portal-secret-for-tests-only' };

// A protected resource on loopback that runs the verifier on every request, so the bank's
// openid-client DPoP handling meets our checks over real HTTP.
async function startResourceServer(verifier: AccessTokenVerifier): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const { port } = server.address() as AddressInfo;
    verifier
      .verify({
        authorization: req.headers.authorization,
        dpop: req.headers.dpop,
        method: req.method ?? 'GET',
        url: `http://127.0.0.1:${port}${req.url ?? '/'}`,
        requireDPoP: true,
      })
      .then((principal) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(principal));
      })
      .catch((err: unknown) => {
        const detail = err instanceof AppError ? err.detail : 'internal';
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ detail }));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('dev identity provider (integration)', function () {
  this.timeout(30_000);

  let idp: DevIdentityProvider;
  let bankKey: CryptoKey;
  let bankKid: string;

  before(async () => {
    const pair = await generateKeyPair('ES256');
    bankKey = pair.privateKey;
    const publicJwk = await exportJWK(pair.publicKey);
    bankKid = await calculateJwkThumbprint(publicJwk);
    idp = await startDevIdentityProvider({
      nodeEnv: 'test',
      port: 0,
      clients: {
        web: [{ ...PORTAL, redirectUris: [REDIRECT_URI] }],
        api: [
          {
            clientId: 'bank-hana',
            org: 'org-bank-hana',
            jwks: { keys: [{ ...publicJwk, kid: bankKid, alg: 'ES256', use: 'sig' }] },
            dpopRequired: true,
            scope: 'records:query',
          },
        ],
      },
    });
  });

  after(async () => {
    await idp?.stop();
  });

  it('refuses to start in production', async () => {
    let error: unknown;
    try {
      await startDevIdentityProvider({ nodeEnv: 'production', clients: {} });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).message).to.match(/production/);
  });

  it('publishes ES256 and EdDSA keys and an https-free loopback issuer', async () => {
    expect(idp.issuer).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    const jwks = (await (await fetch(`${idp.url}/jwks`)).json()) as { keys: { alg: string; d?: string }[] };
    expect(jwks.keys.map((k) => k.alg).sort()).to.deep.equal(['ES256', 'EdDSA']);
    expect(jwks.keys.every((k) => k.d === undefined)).to.equal(true);
    expect(idp.keys.public.every((k) => k.d === undefined)).to.equal(true);
  });

  async function bankConfig(): Promise<client.Configuration> {
    return client.discovery(
      new URL(idp.issuer),
      'bank-hana',
      {},
      client.PrivateKeyJwt({ key: bankKey, kid: bankKid }),
      { execute: [client.allowInsecureRequests] },
    );
  }

  it('issues a DPoP-bound RFC 9068 access token that our verifier accepts', async () => {
    const config = await bankConfig();
    const dpopKeys = await client.randomDPoPKeyPair('ES256');
    const DPoP = client.getDPoPHandle(config, dpopKeys);
    const tokens = await client.clientCredentialsGrant(
      config,
      { scope: 'records:query', resource: DEFAULT_API_RESOURCE },
      { DPoP },
    );

    expect(tokens.token_type.toLowerCase()).to.equal('dpop');
    const header = decodeProtectedHeader(tokens.access_token);
    const claims = decodeJwt(tokens.access_token);
    expect(header).to.include({ typ: 'at+jwt', alg: 'ES256' });
    expect(claims).to.include({ iss: idp.issuer, aud: DEFAULT_API_RESOURCE, client_id: 'bank-hana' });
    expect(claims).to.include({ org: 'org-bank-hana', scope: 'records:query' });
    const jkt = await calculateJwkThumbprint(await exportJWK(dpopKeys.publicKey));
    expect(claims.cnf).to.deep.equal({ jkt });

    const verifier = createAccessTokenVerifier({
      issuers: [{ issuer: idp.issuer, jwksUri: `${idp.url}/jwks`, audience: DEFAULT_API_RESOURCE }],
      dpop: { replayStore: createMemoryReplayStore() },
    });
    const rs = await startResourceServer(verifier);
    try {
      const response = await client.fetchProtectedResource(
        config,
        tokens.access_token,
        new URL(`${rs.url}/v1/queries?trace=1`),
        'POST',
        '{}',
        new Headers({ 'content-type': 'application/json' }),
        { DPoP },
      );
      const principal = (await response.json()) as Record<string, unknown>;
      expect(response.status, JSON.stringify(principal)).to.equal(200);
      expect(principal).to.deep.include({
        issuer: idp.issuer,
        sub: 'bank-hana',
        clientId: 'bank-hana',
        org: 'org-bank-hana',
        scope: ['records:query'],
        cnfJkt: jkt,
      });

      // The same token without a proof, or as a plain bearer token, is refused.
      const bare = await fetch(`${rs.url}/v1/queries`, {
        headers: { authorization: `DPoP ${tokens.access_token}` },
      });
      expect(bare.status).to.equal(401);
      const bearer = await fetch(`${rs.url}/v1/queries`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      expect(bearer.status).to.equal(401);
    } finally {
      rs.server.close();
    }
  });

  it('refuses a token request without DPoP from a client that requires it', async () => {
    const config = await bankConfig();
    let error: unknown;
    try {
      await client.clientCredentialsGrant(config, { scope: 'records:query', resource: DEFAULT_API_RESOURCE });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(client.ResponseBodyError);
    // oidc-provider reports a missing required DPoP proof as invalid_grant (description masked).
    expect((error as client.ResponseBodyError).error).to.equal('invalid_grant');
  });

  async function loginAs(login: string, scope: string) {
    const config = await client.discovery(
      new URL(idp.issuer),
      PORTAL.clientId,
      {},
      client.ClientSecretBasic(PORTAL.clientSecret),
      { execute: [client.allowInsecureRequests] },
    );
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const callback = await completeDevLogin({ authorizationUrl, redirectUri: REDIRECT_URI, login });
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: codeVerifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    return { tokens, claims: tokens.claims()! };
  }

  it('logs a citizen in with code + PKCE and puts national_id, acr and amr in the ID token', async () => {
    const citizen = DEMO_CITIZENS[0]!;
    const { tokens, claims } = await loginAs(citizen.sub, 'openid profile national_id');
    expect(decodeProtectedHeader(tokens.id_token!).alg).to.equal('ES256');
    expect(claims).to.include({
      iss: idp.issuer,
      sub: citizen.sub,
      name: citizen.name,
      birthdate: citizen.birthdate,
      national_id: citizen.national_id,
      acr: DEV_ACR,
    });
    expect(claims.amr).to.deep.equal(['pwd']);
  });

  it('refuses a login name that is not a demo account', async () => {
    let error: unknown;
    try {
      await loginAs('mallory', 'openid');
    } catch (err) {
      error = err;
    }
    expect((error as Error).message).to.match(/IdP answered 400: Unknown demo account/);
  });

  it('logs a clerk in with org and role claims and no national_id', async () => {
    const clerk = DEMO_CLERKS[0]!;
    const { claims } = await loginAs(clerk.sub, 'openid profile organisation');
    expect(claims).to.include({ sub: clerk.sub, org: clerk.org, role: 'clerk' });
    expect(claims).to.not.have.property('national_id');
  });
});
