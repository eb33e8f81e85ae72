// The citizen portal in a real browser (Debian's chromium through playwright-core) against the service as
// `npm start` runs it (dev IdP, demo data): a bank asks for consent, the citizen signs in and approves,
// audited accesses appear in the history and the in-browser integrity check turns "verified", the citizen
// revokes the consent (confirmation dialog) and the bank's next token request is refused, then sets up
// notifications. Every portal page is screenshotted into test/e2e/artifacts/ (git-ignored), scanned with
// axe-core (no serious or critical violations) and rendered in Japanese after switching language.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { importJWK } from 'jose';
import * as client from 'openid-client';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { knexAuditRepo } from '../../server/audit/audit.repo.js';
import { createAuditService } from '../../server/audit/audit.service.js';
import type { AuditEntryInput } from '../../server/audit/audit.types.js';
import { citizenSubjectKey } from '../../server/auth/subject.js';
import { startService, type RunningService } from '../../server/boot.js';
import { loadConfig, type Config } from '../../server/config.js';
import { demoClientPrivateJwk } from '../../server/dev/demo-clients.js';
import { DEFAULT_API_RESOURCE } from '../../server/dev/identity-provider.js';
import { createLogger } from '../../server/http/logger.js';
import { LogCapture } from '../support/app.js';
import { freshDatabase } from '../support/database.js';

const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), 'artifacts');
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const MINJUN = { login: 'citizen-minjun', nationalId: '8503141234562' };

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
}

describe('citizen portal in a browser (chromium, dev IdP)', function () {
  this.timeout(90_000);
  let running: RunningService;
  let config: Readonly<Config>;
  let gateway: string;
  let idpIssuer: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let scanPage: Page | undefined;
  const dirs: string[] = [];
  const cspErrors: string[] = [];

  /**
   * axe-core in a second page whose context bypasses CSP (so axe can be injected before the page's own
   * scripts), sharing the citizen's cookies. Fails on any serious or critical violation.
   */
  async function expectAccessible(path: string, label: string, waitFor?: string): Promise<void> {
    if (!scanPage) {
      const scanContext = await browser.newContext({
        bypassCSP: true,
        storageState: await context.storageState(),
      });
      await scanContext.addInitScript({ content: AXE_SOURCE });
      scanPage = await scanContext.newPage();
    }
    await scanPage.goto(`${gateway}${path}`);
    if (waitFor) await scanPage.waitForSelector(waitFor, { timeout: 20_000 });
    const result = (await scanPage.evaluate(() =>
      (window as unknown as { axe: { run(c: unknown, o: unknown): Promise<unknown> } }).axe.run(document, {
        runOnly: {
          type: 'tag',
          values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'],
        },
        resultTypes: ['violations'],
      }),
    )) as AxeResult;
    const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(
      serious.map(
        (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
      ),
      `axe on ${label}`,
    ).to.deep.equal([]);
  }

  async function shot(name: string, target: Page = page): Promise<void> {
    await target.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  }

  /** Switches to Japanese with the header's language link, checks, screenshots, scans, switches back. */
  async function checkJapanese(name: string, heading: string, waitFor?: string): Promise<void> {
    await page.getByRole('link', { name: '日本語' }).click();
    await page.waitForLoadState('load');
    expect(await page.getAttribute('html', 'lang')).to.equal('ja');
    expect(await page.locator('h1').first().innerText()).to.contain(heading);
    if (waitFor) await page.waitForSelector(waitFor, { timeout: 20_000 });
    await shot(`${name}-ja`);
    const path = new URL(page.url()).pathname;
    await expectAccessible(`${path}?lang=ja`, `${name} (ja)`, waitFor);
    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForLoadState('load');
    expect(await page.getAttribute('html', 'lang')).to.equal('en');
    // The scan page remembers Japanese through its cookie: back to English there too.
    await scanPage?.context().addCookies([{ name: 'juc_lang', value: 'en', url: gateway }]);
  }

  async function bankApi() {
    const jwk = await demoClientPrivateJwk('bank-hanbit-app');
    const key = (await importJWK(jwk, 'ES256')) as CryptoKey;
    const as = await client.discovery(
      new URL(idpIssuer),
      'bank-hanbit-app',
      {},
      client.PrivateKeyJwt({ key, kid: jwk.kid! }),
      { execute: [client.allowInsecureRequests] },
    );
    const DPoP = client.getDPoPHandle(as, await client.randomDPoPKeyPair('ES256'));
    const tokens = await client.clientCredentialsGrant(
      as,
      { scope: 'consents:request consents:read', resource: DEFAULT_API_RESOURCE },
      { DPoP },
    );
    return async (method: string, path: string, body?: unknown) => {
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
  }

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const database = await freshDatabase();
    const [port, idpPort] = [await freePort(), await freePort()];
    gateway = `http://127.0.0.1:${port}`;
    idpIssuer = `http://127.0.0.1:${idpPort}`;
    const keyDir = mkdtempSync(join(tmpdir(), 'juc-portal-e2e-keys-'));
    const devDir = mkdtempSync(join(tmpdir(), 'juc-portal-e2e-dev-'));
    dirs.push(keyDir, devDir);
    config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: gateway,
      KEY_STORE_DIR: keyDir,
      DEV_DATA_DIR: devDir,
      DEV_IDP_PORT: String(idpPort),
      SEED_DEMO_DATA: 'true',
    });
    running = await startService(config, createLogger('warn', new LogCapture()));
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
    context = await browser.newContext({ viewport: { width: 1100, height: 900 }, locale: 'en-GB' });
    page = await context.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspErrors.push(message.text());
    });
  });

  after(async () => {
    await browser?.close();
    await running?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  describe('Min-jun approves a bank, checks her history, revokes the consent and sets notifications, in English and Japanese', () => {
    // Each step carries on from the page and the state the one before left: after a failed (or
    // grep-skipped) step the rest are skipped rather than run against a state that never came to be.
    beforeEach(function () {
      const steps = this.currentTest!.parent!.tests;
      const earlier = steps.slice(0, steps.indexOf(this.currentTest!));
      if (earlier.some((step) => step.state !== 'passed')) this.skip();
    });

    let api: Awaited<ReturnType<typeof bankApi>>;
    let consentId: string;

    it('a bank asks Min-jun for consent (API) and three accesses about her are audited', async () => {
      // As a bank's loan application would.
      api = await bankApi();
      const created = await api('POST', '/v1/consent-requests', {
        subject: { scheme: 'rrn', id: MINJUN.nationalId },
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
      });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      consentId = created.body.id as string;

      // Appended as the query gateway does; the running sequencer and checkpointer put them in the
      // log and sign a checkpoint within a second or two.
      const subjectKey = citizenSubjectKey(config.subjectPepper, MINJUN.nationalId);
      const audit = createAuditService({ repo: knexAuditRepo(running.db), logKeys: () => [] });
      const entry = (overrides: Partial<AuditEntryInput>): AuditEntryInput => ({
        requestId: `portal-e2e-${Math.random().toString(36).slice(2)}`,
        subjectKey,
        outcome: 'released',
        requester: { org: 'org-bank-hanbit', clientId: 'bank-hanbit-app' },
        purposeCode: 'loan.mortgage-screening',
        legalBasis: 'Credit Information Use and Protection Act, Art. 32',
        consent: { id: consentId, mode: 'citizen' },
        recordType: 'resident.registration-abstract',
        fields: [
          { name: 'householdHeadName', form: 'full' },
          { name: 'address', form: 'generalise:district' },
        ],
        ...overrides,
      });
      await audit.append(entry({}));
      await audit.append(
        entry({
          requester: { org: 'org-seoul-jongno', clerkRef: 'clerk-jongno-kim' },
          purposeCode: 'welfare.housing-benefit',
          consent: { mode: 'statutory' },
          recordType: 'land.ledger',
          fields: [{ name: 'ownerName', form: 'mask' }],
        }),
      );
      await audit.append(
        entry({ outcome: 'denied', reasonCode: 'consent_required', consent: null, fields: [] }),
      );
    });

    it('not signed in, she is offered the national-ID sign-in and comes back to the portal', async () => {
      await page.goto(`${gateway}/portal`);
      await shot('portal-sign-in');
      await page.getByRole('link', { name: 'Sign in with your national ID' }).click();
      for (let step = 0; step < 6 && !page.url().startsWith(gateway); step++) {
        const before = page.url();
        if ((await page.locator('input[name="login"]').count()) > 0) {
          await page.fill('input[name="login"]', MINJUN.login);
          await page.fill('input[name="password"]', 'any password works');
        }
        await page.locator('button[type="submit"]').first().click();
        await page.waitForURL((url) => url.href !== before);
      }
      await page.waitForURL(`${gateway}/portal`);
    });

    it("she approves the bank's request on the approval screen (the link the bank sent)", async () => {
      await page.goto(`${gateway}/consent/${consentId}`);
      await page.getByRole('button', { name: 'Approve' }).click();
      await page.waitForURL(`${gateway}/consent/${consentId}/done`);
    });

    it('the overview: the first Tab reaches the skip link; accessible; in Japanese', async () => {
      await page.goto(`${gateway}/portal`);
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.className)).to.equal('skip-link');
      expect(await page.locator('h1').innerText()).to.equal('My records portal');
      await shot('portal-overview');
      await expectAccessible('/portal', 'overview');
      await checkJapanese('portal-overview', 'マイ記録ポータル');
    });

    it('the access history: three entries, each verified in the browser against the signed checkpoint', async () => {
      await page
        .getByRole('navigation', { name: 'Portal' })
        .getByRole('link', { name: 'Access history' })
        .click();
      const items = page.locator('ol.access-list > li.access');
      const summary = page.locator('#verify-summary');
      for (let i = 0; i < 20 && (await items.count()) < 3; i++) {
        await page.waitForTimeout(500);
        await page.reload();
      }
      expect(await items.count()).to.equal(3);
      await page.waitForSelector('#verify-summary[data-verify-status="verified"]', { timeout: 20_000 });
      expect(await summary.innerText()).to.contain('All 3 entries on this page are in the signed log');
      expect(await page.locator('[data-verify-index][data-verify-status="verified"]').count()).to.equal(3);
      expect(await items.first().innerText()).to.contain('Hanbit Bank');
      expect(await page.locator('ol.access-list').innerText()).to.contain('Counter clerk (reference 52EB5A)');
      expect(await page.locator('ol.access-list').innerText()).not.to.contain('clerk-jongno-kim');
      expect(await page.locator('ol.access-list').innerText()).to.contain('Refused');
      await shot('portal-history');
      await expectAccessible('/portal/history', 'history', '#verify-summary[data-verify-status="verified"]');
      await checkJapanese('portal-history', 'アクセス履歴', '#verify-summary[data-verify-status="verified"]');
    });

    it('filters (a GET form folded above the list) narrow the history; the check runs again on the filtered page', async () => {
      const items = page.locator('ol.access-list > li.access');
      await page.getByText('Search by period, organisation or record').click();
      await page.getByLabel('Record', { exact: true }).selectOption('land.ledger');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.waitForURL(/record_type=land.ledger/);
      expect(await items.count()).to.equal(1);
      await page.waitForSelector('#verify-summary[data-verify-status="verified"]', { timeout: 20_000 });
    });

    it('the history on a phone: verified, no horizontal scrolling', async () => {
      const phone = await context.newPage();
      await phone.setViewportSize({ width: 390, height: 844 });
      await phone.goto(`${gateway}/portal/history`);
      await phone.waitForSelector('#verify-summary[data-verify-status="verified"]', { timeout: 20_000 });
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, 'no horizontal scrolling at phone width').to.be.at.most(0);
      await shot('portal-history-phone', phone);
      await phone.close();
    });

    it('the consents page lists the consent as active; accessible; in Japanese', async () => {
      await page.goto(`${gateway}/portal/consents`);
      const consent = page.locator(`li.consent[data-consent-id="${consentId}"]`);
      expect(await consent.innerText()).to.contain('Active');
      await shot('portal-consents');
      await expectAccessible('/portal/consents', 'consents');
      await checkJapanese('portal-consents', '同意');
    });

    it("she revokes with one click and a confirmation dialog; the bank's next token request is refused", async () => {
      const consent = page.locator(`li.consent[data-consent-id="${consentId}"]`);
      expect((await api('POST', `/v1/consents/${consentId}/token`)).status).to.equal(200);
      await consent.getByRole('button', { name: 'Revoke' }).click();
      const dialog = page.getByRole('dialog', { name: 'Revoke this consent?' });
      await dialog.waitFor();
      expect(await dialog.innerText()).to.contain('Hanbit Bank will not be able to use it any more');
      await shot('portal-consents-confirm');
      await dialog.getByRole('button', { name: 'Yes, revoke' }).click();
      await page.waitForURL(`${gateway}/portal/consents/${consentId}?done=revoke`);
      expect(await page.getByRole('status').first().innerText()).to.contain('The consent is revoked.');
      expect(await page.locator('table.events').innerText()).to.contain('Revoked');
      const refused = await api('POST', `/v1/consents/${consentId}/token`);
      expect(refused.status).to.equal(403);
      expect(refused.body.code).to.equal('consent_revoked');
      await shot('portal-consent-details');
      await expectAccessible(`/portal/consents/${consentId}`, 'consent details');
      await checkJapanese('portal-consent-details', '同意の詳細');
    });

    it('notifications: a mistake is reported at its field, then the preference is saved', async () => {
      await page.goto(`${gateway}/portal/notifications`);
      await page.getByLabel('E-mail me').check();
      await page.getByLabel('E-mail address').fill('not an address');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.waitForLoadState('load');
      expect(await page.getByRole('alert').innerText()).to.contain(
        'Enter an e-mail address like name@example.com.',
      );
      expect(await page.getByLabel('E-mail address').getAttribute('aria-invalid')).to.equal('true');
      await shot('portal-notifications-error');
      await page.getByLabel('E-mail address').fill('minjun@example.com');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.waitForURL(`${gateway}/portal/notifications?saved=on`);
      expect(await page.getByRole('status').first().innerText()).to.contain(
        'Your notification settings are saved.',
      );
      await shot('portal-notifications');
      await expectAccessible('/portal/notifications', 'notifications');
      await checkJapanese('portal-notifications', '通知');
    });

    it('no page of the flow broke its Content Security Policy', () => {
      expect(cspErrors, 'no CSP violations').to.deep.equal([]);
    });
  });
});
