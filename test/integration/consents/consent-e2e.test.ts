// End to end over real HTTP: the gateway as `npm start` runs it (dev identity provider, demo data),
// a bank with a DPoP-bound access token from the dev IdP, a citizen signing in through the gateway's
// OIDC login and approving on our screen, and the bank's webhook receiver.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { calculateJwkThumbprint, createRemoteJWKSet, exportJWK, importJWK, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { startService, type RunningService } from '../../../server/boot.js';
import { loadConfig } from '../../../server/config.js';
import { demoClientPrivateJwk } from '../../../server/dev/demo-clients.js';
import { DEFAULT_API_RESOURCE } from '../../../server/dev/identity-provider.js';
import { createLogger } from '../../../server/http/logger.js';
import { LogCapture } from '../../support/app.js';
import { freshDatabase } from '../../support/database.js';
import { CookieJar } from '../auth/login-driver.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Received {
  contentType: string | undefined;
  body: string;
}

async function startWebhookReceiver(): Promise<{ url: string; server: Server; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        contentType: req.headers['content-type'],
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/consent`,
    server,
    received,
  };
}

/**
 * A browser stand-in: follows redirects across the gateway and the dev IdP with one cookie jar, fills
 * the IdP's login and consent prompts, and stops at the first page of the gateway that is not /auth.
 */
async function browse(
  jar: CookieJar,
  start: URL,
  login: string,
  gateway: string,
): Promise<{ url: URL; html: string }> {
  let url = start;
  let init: RequestInit = { method: 'GET' };
  for (let step = 0; step < 25; step++) {
    const cookie = jar.header(url);
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
    });
    jar.store(response);
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      url = new URL(response.headers.get('location')!, url);
      init = { method: 'GET' };
      continue;
    }
    const html = await response.text();
    if (url.href.startsWith(gateway)) {
      expect(response.status, html.slice(0, 300)).to.equal(200);
      return { url, html };
    }
    const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!prompt || !action)
      throw new Error(`Unexpected IdP page (${response.status}): ${html.slice(0, 300)}`);
    const form = new URLSearchParams({ prompt });
    if (prompt === 'login') {
      form.set('login', login);
      form.set('password', 'any password works');
    }
    url = new URL(action, url);
    init = {
      method: 'POST',
      body: form.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    };
  }
  throw new Error('The sign-in did not finish within 25 steps.');
}

describe('consent end to end (real HTTP, dev IdP, webhook)', function () {
  this.timeout(40_000);
  let running: RunningService;
  let hooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let gateway: string;
  let idpIssuer: string;
  const dirs: string[] = [];

  before(async () => {
    const database = await freshDatabase();
    const [port, idpPort] = [await freePort(), await freePort()];
    gateway = `http://127.0.0.1:${port}`;
    idpIssuer = `http://127.0.0.1:${idpPort}`;
    const keyDir = mkdtempSync(join(tmpdir(), 'juc-e2e-keys-'));
    const devDir = mkdtempSync(join(tmpdir(), 'juc-e2e-dev-'));
    dirs.push(keyDir, devDir);
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: gateway,
      KEY_STORE_DIR: keyDir,
      DEV_DATA_DIR: devDir,
      DEV_IDP_PORT: String(idpPort),
      SEED_DEMO_DATA: 'true',
      VALIDATE_RESPONSES: 'true',
      // The bank's webhook receiver listens on 127.0.0.1, which the SSRF guard refuses otherwise.
      WEBHOOK_ALLOW_PRIVATE: 'true',
    });
    running = await startService(config, createLogger('warn', new LogCapture()));
    hooks = await startWebhookReceiver();
  });

  after(async () => {
    hooks?.server.close();
    await running?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  describe('a bank asks, the citizen signs in and approves on our screen, the bank gets a signed webhook and a consent token', () => {
    // Each step carries on from the state the one before left: after a failed (or grep-skipped) step
    // the rest are skipped rather than run against a state that never came to be.
    beforeEach(function () {
      const steps = this.currentTest!.parent!.tests;
      const earlier = steps.slice(0, steps.indexOf(this.currentTest!));
      if (earlier.some((step) => step.state !== 'passed')) this.skip();
    });

    type BankApi = (
      method: string,
      path: string,
      body?: unknown,
    ) => Promise<{ status: number; body: Record<string, unknown> }>;
    let api: BankApi;
    let jkt: string;
    let id: string;
    let citizenUrl: string;
    const jar = new CookieJar();
    let screenHtml: string;
    let jwks: ReturnType<typeof createRemoteJWKSet>;

    it('the bank, with a DPoP-bound access token from the dev IdP, asks for consent and gets the link to our screen', async () => {
      // private_key_jwt at the dev IdP, a DPoP-bound access token for the gateway.
      const bankJwk = await demoClientPrivateJwk('bank-hanbit-app');
      const bankKey = (await importJWK(bankJwk, 'ES256')) as CryptoKey;
      const as = await client.discovery(
        new URL(idpIssuer),
        'bank-hanbit-app',
        {},
        client.PrivateKeyJwt({ key: bankKey, kid: bankJwk.kid! }),
        { execute: [client.allowInsecureRequests] },
      );
      const dpopKeys = await client.randomDPoPKeyPair('ES256');
      const DPoP = client.getDPoPHandle(as, dpopKeys);
      jkt = await calculateJwkThumbprint(await exportJWK(dpopKeys.publicKey));
      const tokens = await client.clientCredentialsGrant(
        as,
        { scope: 'consents:request consents:read', resource: DEFAULT_API_RESOURCE },
        { DPoP },
      );
      api = async (method, path, body) => {
        const response = await client.fetchProtectedResource(
          as,
          tokens.access_token,
          new URL(path, gateway),
          method,
          body === undefined ? undefined : JSON.stringify(body),
          new Headers(body === undefined ? {} : { 'content-type': 'application/json' }),
          { DPoP },
        );
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      };

      const created = await api('POST', '/v1/consent-requests', {
        subject: { scheme: 'rrn', id: '850314-1234562' },
        purpose: 'loan.mortgage-screening',
        records: [
          {
            recordType: 'resident.registration-abstract',
            fields: { required: ['householdHeadName', 'address'], optional: ['members'] },
          },
        ],
        durationDays: 60,
        usage: { fetch: 'limited', maxUses: 2 },
        dataLife: { unit: 'month', value: 3 },
        redirectUri: 'http://127.0.0.1:9/return',
        state: 'loan-42',
        webhookUrl: hooks.url,
      });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      id = created.body.id as string;
      expect(created.body.citizenUrl).to.equal(`${gateway}/consent/${id}`);
      citizenUrl = created.body.citizenUrl as string;
    });

    it('the citizen opens the link, signs in at the dev IdP and lands on our screen, in Korean', async () => {
      const screen = await browse(jar, new URL(citizenUrl), 'citizen-minjun', gateway);
      expect(screen.url.pathname).to.equal(`/consent/${id}`);
      // No language asked for: the screen speaks Korean, the first language of the service.
      expect(screen.html).to.contain('<html lang="ko">');
      expect(screen.html).to.contain('한빛은행');
      expect(screen.html).to.contain('주택담보대출 심사');
      screenHtml = screen.html;
    });

    it("she approves without the optional field; the done page sends her back to the bank's return address", async () => {
      const csrf = /name="_csrf" value="([^"]+)"/.exec(screenHtml)![1]!;
      const form = new URLSearchParams({ _csrf: csrf, decision: 'approve', lang: 'ko' }); // unticks "members"
      const posted = await fetch(new URL(`/consent/${id}`, gateway), {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          cookie: jar.header(new URL(gateway)),
        },
        body: form.toString(),
      });
      expect(posted.status).to.equal(303);
      const done = await fetch(new URL(posted.headers.get('location')!, gateway), {
        headers: { cookie: jar.header(new URL(gateway)) },
      });
      const doneHtml = await done.text();
      expect(doneHtml).to.contain('요청에 동의하셨습니다. 한빛은행에 결과를 알렸습니다.');
      expect(doneHtml).to.contain(
        `http://127.0.0.1:9/return?consent_id=${id}&amp;status=approved&amp;state=loan-42`,
      );
    });

    it("the bank's webhook arrives, signed with a key published at /.well-known/jwks.json", async () => {
      jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', gateway));
      const deadline = Date.now() + 15_000;
      while (hooks.received.length === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(hooks.received, 'webhook').to.have.length.greaterThan(0);
      expect(hooks.received[0]!.contentType).to.equal('application/secevent+jwt');
      const event = await jwtVerify(hooks.received[0]!.body, jwks, {
        issuer: gateway,
        audience: 'bank-hanbit-app',
        typ: 'secevent+jwt',
      });
      const status = (event.payload.events as Record<string, Record<string, unknown>>)[
        'urn:joint-use-center:event:consent-status'
      ]!;
      expect(status).to.include({ cid: id, status: 'ACTIVE', event: 'approved', cver: 2 });
    });

    it('the bank polls, then fetches a consent token that verifies against our JWKS and is bound to its key', async () => {
      const polled = await api('GET', `/v1/consent-requests/${id}`);
      expect(polled.body.status).to.equal('ACTIVE');
      expect(polled.body.fieldsGranted).to.deep.equal({
        'resident.registration-abstract': ['householdHeadName', 'address'],
      });
      const issued = await api('POST', `/v1/consents/${id}/token`);
      expect(issued.status, JSON.stringify(issued.body)).to.equal(200);
      const verified = await jwtVerify(issued.body.token as string, jwks, {
        issuer: gateway,
        audience: `${gateway}/v1/queries`,
        typ: 'consent+jwt',
        algorithms: ['ES256'],
      });
      expect(verified.payload).to.include({
        cid: id,
        cver: 2,
        client_id: 'bank-hanbit-app',
        org: 'org-bank-hanbit',
      });
      expect(verified.payload.cnf).to.deep.equal({ jkt });
      expect(verified.payload.acr).to.equal('urn:joint-use-center:acr:dev-password');
      expect(verified.payload.amr).to.deep.equal(['pwd']);
      expect(verified.payload.auth_time).to.be.a('number');
      expect(verified.payload.exp! - verified.payload.iat!).to.be.at.most(600);
    });

    it('the citizen revokes from the portal API (session + CSRF header); the bank hears of it by webhook', async () => {
      const session = await fetch(new URL('/auth/session', gateway), {
        headers: { cookie: jar.header(new URL(gateway)) },
      });
      const { csrfToken } = (await session.json()) as { csrfToken: string };
      const revoked = await fetch(new URL(`/v1/me/consents/${id}/revoke`, gateway), {
        method: 'POST',
        headers: {
          cookie: jar.header(new URL(gateway)),
          'content-type': 'application/json',
          'x-csrf-token': csrfToken,
        },
        body: JSON.stringify({ reason: 'changed my mind' }),
      });
      expect(revoked.status).to.equal(200);
      const until = Date.now() + 15_000;
      while (hooks.received.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      const second = await jwtVerify(hooks.received[1]!.body, jwks, {
        issuer: gateway,
        audience: 'bank-hanbit-app',
      });
      expect(
        (second.payload.events as Record<string, Record<string, unknown>>)[
          'urn:joint-use-center:event:consent-status'
        ],
      ).to.include({ cid: id, status: 'REVOKED', event: 'revoked' });
    });

    it("the bank's next consent-token request is refused: consent_revoked", async () => {
      const refused = await api('POST', `/v1/consents/${id}/token`);
      expect(refused.status).to.equal(403);
      expect(refused.body.code).to.equal('consent_revoked');
    });
  });
});
