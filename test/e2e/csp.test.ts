/**
 * The Content-Security-Policy holds in a real browser with no 'unsafe-inline' anywhere: every page a visitor,
 * a clerk or a citizen opens — the landing page, the API reference (Swagger UI with an operation expanded),
 * the console with its QR code, the approval screen and every portal page — renders with no CSP violation
 * reported by chromium.
 */
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  launchChromium,
  screenshot,
  signInAtDevIdp,
  startE2eService,
  type E2eService,
} from './support/browser.js';

const CITIZEN_LOGIN = 'citizen-minjun';
const CITIZEN_RRN = '850314-1234562';
const CLERK_LOGIN = 'clerk-jongno';
const PURPOSE = 'welfare.housing-benefit';

describe('content security policy in a real browser', function () {
  this.timeout(120_000);
  let service: E2eService;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const violations: string[] = [];

  before(async function () {
    [service, browser] = await Promise.all([startE2eService(), launchChromium()]);
  });

  after(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await service?.stop();
  });

  const url = (path: string) => `${service.gateway}${path}`;

  /** A page whose CSP reports (console messages and securitypolicyviolation events) land in `violations`. */
  async function watchedPage(options: Parameters<Browser['newContext']>[0] = {}): Promise<Page> {
    const context = await browser.newContext({ locale: 'en-GB', ...options });
    contexts.push(context);
    const page = await context.newPage();
    page.on('console', (message) => {
      if (/Content.Security.Policy/i.test(message.text()))
        violations.push(`${page.url()}: ${message.text()}`);
    });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) =>
        console.error(
          `Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI} ${e.sample}`,
        ),
      );
    });
    return page;
  }

  async function visit(page: Page, path: string, status = 200): Promise<void> {
    const res = await page.goto(url(path));
    expect(res?.status(), path).to.equal(status);
    await page.waitForLoadState('load');
  }

  it('sends a policy without unsafe-inline or unsafe-eval on pages and the API reference', async () => {
    for (const path of ['/', '/docs', '/console', '/portal']) {
      const res = await fetch(url(path));
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).to.match(/style-src 'self'(;|$)/);
      expect(csp, path).not.to.contain('unsafe-inline');
      expect(csp, path).not.to.contain('unsafe-eval');
    }
  });

  it('renders the landing page and the API reference with an operation open without violations', async () => {
    const page = await watchedPage();
    await visit(page, '/');
    await visit(page, '/docs');
    await page.waitForSelector('.swagger-ui .info .title');
    const operation = page.locator('.opblock-summary').first();
    await operation.click();
    await page.waitForSelector('.opblock.is-open .opblock-body');
    await page.locator('.model-container, .models-control').first().click();
    await page.waitForTimeout(300);
    await screenshot(page, 'docs-strict-csp');
    expect(violations).to.deep.equal([]);
  });

  it('renders the console (with its QR code), the approval screen and every portal page without violations', async () => {
    const clerk = await watchedPage({ viewport: { width: 1100, height: 900 } });
    await visit(clerk, '/console', 401); // the sign-in page, to a visitor
    await clerk.getByRole('link', { name: 'Sign in with your agency account' }).click();
    await signInAtDevIdp(clerk, CLERK_LOGIN, service.gateway);
    await visit(clerk, `/console/query?purpose=${PURPOSE}`);
    await clerk.fill('#subjectId', CITIZEN_RRN);
    await clerk.check('#consent-citizen');
    await clerk.getByRole('button', { name: 'Continue' }).click();
    await clerk.waitForLoadState('load');
    await clerk.waitForSelector('svg.qr-code');
    const shortLink = await clerk.locator('[data-testid="short-link"]').innerText();

    const phone = await watchedPage({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    await phone.goto(shortLink);
    await signInAtDevIdp(phone, CITIZEN_LOGIN, service.gateway);
    await phone.waitForURL(/\/consent\/[0-9a-f-]{36}$/);
    const consentId = new URL(phone.url()).pathname.split('/').pop()!;
    await phone.getByRole('button', { name: 'Approve' }).click();
    await phone.waitForURL(/\/done$/);
    await clerk.waitForSelector('#consent-status[data-status="ACTIVE"]', { timeout: 15_000 });
    await clerk.locator('#run-query').click();
    await clerk.waitForLoadState('load');

    for (const path of [
      '/portal',
      '/portal/history',
      '/portal/consents',
      `/portal/consents/${consentId}`,
      '/portal/notifications',
    ]) {
      await visit(phone, path);
    }
    await visit(phone, '/portal?lang=ja');
    expect(violations).to.deep.equal([]);
  });
});
