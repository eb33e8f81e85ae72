/**
 * A gateway on a real loopback port with the dev identity provider, the demo organisations, bank
 * clients and clerks, plus a headless browser (fetch + cookie jar) and a bank client (openid-client
 * with private_key_jwt, optionally DPoP) to drive it end to end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import * as oidc from 'openid-client';
import type { Identity } from '../../server/auth/identity.js';
import { DEV_API_AUDIENCE, startIdentityOrDevIdp } from '../../server/dev/dev-identity.js';
import { readDemoClientKey, seedDemoAccess, writeDemoClientKeys } from '../../server/dev/demo-clients.js';
import { createHttpServer } from '../../server/http/http-server.js';
import { createLogger } from '../../server/http/logger.js';
import { seedOrganisations } from '../../server/organisations/seed.js';
import { completeDevLogin, CookieJar } from '../integration/auth/login-driver.js';
import { buildTestApp, LogCapture, testConfig, type TestApp } from './app.js';
import { freshDatabase, type TestDatabase } from './database.js';
import type { TestRegistry } from './registry.js';
import { onStopAll } from './resources.js';

export interface TestGateway extends TestApp {
  url: string;
  identity: Identity;
  devDataDir: string;
  server: Server;
}

export async function startTestGateway(
  options: {
    env?: Record<string, string>;
    registry?: (database: TestDatabase) => Promise<TestRegistry>;
  } = {},
): Promise<TestGateway> {
  // The app runs on this pool, so DB_STATEMENT_TIMEOUT_MS in `env` is its sessions' timeout too.
  const timeout = options.env?.DB_STATEMENT_TIMEOUT_MS;
  const database = await freshDatabase(timeout ? { statementTimeoutMs: Number(timeout) } : {});
  const registry = options.registry ? await options.registry(database) : undefined;
  const devDataDir = mkdtempSync(join(tmpdir(), 'juc-dev-data-'));
  const env = { DEV_DATA_DIR: devDataDir, ...options.env };
  const identity = await startIdentityOrDevIdp({
    config: testConfig(env),
    db: database.db,
    logger: createLogger('silent', new LogCapture()),
  });
  const testApp = await buildTestApp({
    database,
    env,
    identity: identity.setup,
    ...(registry ? { registry } : {}),
  });
  const { organisations } = testApp.composition.services;
  await seedOrganisations(organisations);
  await seedDemoAccess(organisations, { idpIssuer: identity.devIdp!.issuer });
  await writeDemoClientKeys(devDataDir);

  // The production HTTP server, so errors Node meets before Express are answered as they are live.
  const server = createHttpServer(testApp.app, createLogger('info', testApp.logs));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  identity.gatewayListening(url);
  onStopAll(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await identity.stop();
    rmSync(devDataDir, { recursive: true, force: true });
  });
  return { ...testApp, url, identity, devDataDir, server };
}

/** A browser: one cookie jar, manual redirects, so every hop can be inspected. */
export class Browser {
  readonly jar = new CookieJar();
  readonly base: string;
  constructor(base: string) {
    this.base = base;
  }

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const url = new URL(path, this.base);
    const cookie = this.jar.header(url);
    const headers = new Headers(init.headers);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.jar.store(response);
    return response;
  }

  /** Signs in through the dev IdP; returns the gateway's final redirect (to return_to). */
  async login(login: string, as: 'citizen' | 'clerk' | 'staff', returnTo = '/v1/me'): Promise<Response> {
    const start = await this.fetch(`/auth/login?as=${as}&return_to=${encodeURIComponent(returnTo)}`);
    if (start.status !== 303) throw new Error(`login start answered ${start.status}: ${await start.text()}`);
    const authorizationUrl = new URL(start.headers.get('location')!);
    const callback = await completeDevLogin({
      authorizationUrl,
      redirectUri: `${this.base}/auth/callback`,
      login,
    });
    return this.fetch(callback.pathname + callback.search);
  }

  async csrfToken(): Promise<string> {
    const response = await this.fetch('/auth/session');
    const body = (await response.json()) as { csrfToken: string };
    return body.csrfToken;
  }
}

export interface BankClient {
  clientId: string;
  config: oidc.Configuration;
  dpopKeys: CryptoKeyPair;
  dpopJwk: JWK;
  /** A DPoP-bound token (dpop: true) or a bearer token from the dev IdP. */
  token(dpop: boolean): Promise<string>;
  /** Calls the gateway the way openid-client does (fresh DPoP proof per request). */
  call(url: string, method?: string, token?: string): Promise<Response>;
}

export async function bankClient(gateway: TestGateway, clientId: string): Promise<BankClient> {
  const jwk = readDemoClientKey(gateway.devDataDir, clientId);
  const key = (await importJWK(jwk, 'ES256')) as CryptoKey;
  const config = await oidc.discovery(
    new URL(gateway.identity.devIdp!.issuer),
    clientId,
    {},
    oidc.PrivateKeyJwt({ key, kid: jwk.kid! }),
    { execute: [oidc.allowInsecureRequests] },
  );
  const dpopKeys = (await generateKeyPair('ES256', { extractable: true })) as CryptoKeyPair;
  const dpopJwk = await exportJWK(dpopKeys.publicKey);
  let current: { token: string; dpop: boolean } | undefined;
  const handle = oidc.getDPoPHandle(config, dpopKeys);
  const token = async (dpop: boolean) => {
    const tokens = await oidc.clientCredentialsGrant(
      config,
      { scope: 'records:query', resource: DEV_API_AUDIENCE },
      dpop ? { DPoP: handle } : undefined,
    );
    current = { token: tokens.access_token, dpop };
    return tokens.access_token;
  };
  return {
    clientId,
    config,
    dpopKeys,
    dpopJwk,
    token,
    async call(url, method = 'GET', explicit) {
      const accessToken = explicit ?? current?.token ?? (await token(true));
      const dpop = explicit ? true : (current?.dpop ?? true);
      return oidc.fetchProtectedResource(
        config,
        accessToken,
        new URL(url),
        method,
        null,
        new Headers(),
        dpop ? { DPoP: handle } : undefined,
      );
    },
  };
}
