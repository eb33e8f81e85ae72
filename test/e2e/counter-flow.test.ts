/**
 * The counter flow end to end in a real browser (Debian's chromium through playwright-core) against the real
 * service (dev IdP, reference registry, demo data): a clerk signs in and starts a query that needs the citizen's
 * consent; the citizen, in a second browser context sized like a phone, opens the short link, signs in and
 * approves; the clerk's page updates by itself and the clerk sees the released fields; the citizen sees that
 * access in their history and revokes the consent; the clerk's next query is refused. Every console page and the
 * landing page is screenshotted into test/e2e/artifacts/, scanned with axe-core, and rendered in Japanese.
 */
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  expectAccessible,
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

interface AccessLogBody {
  entries: {
    entry: {
      outcome: string;
      purpose: string;
      recordType: string;
      requester: { org: string; clerkRef?: string };
      consent?: { id?: string; mode: string };
      fields: { name: string }[];
    };
  }[];
  pending: number;
}

describe('counter flow in a real browser', function () {
  this.timeout(90_000);
  let service: E2eService;
  let browser: Browser;
  let clerkContext: BrowserContext;
  let citizenContext: BrowserContext;
  let clerk: Page;
  let phone: Page;
  const cspViolations: string[] = [];

  before(async function () {
    this.timeout(120_000);
    [service, browser] = await Promise.all([startE2eService(), launchChromium()]);
    clerkContext = await browser.newContext({ locale: 'en-GB', viewport: { width: 1100, height: 900 } });
    citizenContext = await browser.newContext({
      locale: 'en-GB',
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    clerk = await clerkContext.newPage();
    phone = await citizenContext.newPage();
    for (const page of [clerk, phone]) {
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
      });
    }
  });

  after(async () => {
    await browser?.close();
    await service?.stop();
  });

  const url = (path: string) => `${service.gateway}${path}`;

  /** Switches the page to Japanese with its own language control, checks the text, and switches back. */
  async function checkJapanese(page: Page, name: string, expected: string): Promise<void> {
    await Promise.all([page.waitForEvent('load'), page.locator('.lang-switch [lang="ja"]').click()]);
    expect(await page.getAttribute('html', 'lang')).to.equal('ja');
    expect(await page.locator('main').innerText()).to.contain(expected);
    await screenshot(page, `${name}-ja`);
    await expectAccessible(page, `${name} (ja)`);
    await Promise.all([page.waitForEvent('load'), page.locator('.lang-switch [lang="en"]').click()]);
    expect(await page.getAttribute('html', 'lang')).to.equal('en');
  }

  let consentId: string;

  it('shows the landing page with the ways in, in English and Japanese', async () => {
    await clerk.goto(url('/'));
    for (const href of ['/console', '/portal', '/docs']) {
      expect(await clerk.locator(`main a[href="${href}"]`).count(), href).to.equal(1);
    }
    await screenshot(clerk, 'landing-en');
    await expectAccessible(clerk, 'landing');
    await checkJapanese(clerk, 'landing', '窓口コンソール');
  });

  it('a clerk signs in through the agency IdP and sees the purposes and recent queries', async () => {
    await clerk.goto(url('/console'));
    expect(await clerk.locator('h1').innerText()).to.equal('Sign in to the clerk console');
    await screenshot(clerk, 'console-sign-in-en');
    await expectAccessible(clerk, 'console sign-in');
    await checkJapanese(clerk, 'console-sign-in', '窓口コンソールへのログイン');

    await clerk.getByRole('link', { name: 'Sign in with your agency account' }).click();
    await signInAtDevIdp(clerk, CLERK_LOGIN, service.gateway);
    expect(new URL(clerk.url()).pathname).to.equal('/console');
    expect(await clerk.locator('.console-nav').innerText()).to.contain('Bae Ji-min');
    expect(await clerk.locator('#recent-title ~ p').innerText()).to.contain('no queries yet');
    const options = await clerk
      .locator('#purpose option')
      .evaluateAll((els) => els.map((el) => (el as HTMLOptionElement).value));
    expect(options).to.include(PURPOSE);
    expect(options).not.to.include('loan.mortgage-screening');
    await screenshot(clerk, 'console-home-en');
    await expectAccessible(clerk, 'console home');
    await checkJapanese(clerk, 'console-home', '確認を始める');
  });

  it('the counter form checks the identifier as it is typed and offers only the allowed consent modes', async () => {
    await clerk.selectOption('#purpose', PURPOSE);
    await clerk.getByRole('button', { name: 'Continue' }).click();
    await clerk.waitForURL(/\/console\/query\?purpose=/);
    expect(
      await clerk
        .locator('input[name="consentMode"]')
        .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)),
    ).to.deep.equal(['citizen', 'attested']);

    await clerk.fill('#subjectId', '850314-1234567');
    await clerk.locator('#subjectId').blur();
    await clerk.waitForFunction(() =>
      document.getElementById('subjectId-check')?.textContent?.includes('Not a valid'),
    );
    expect(await clerk.getAttribute('#subjectId', 'aria-invalid')).to.equal('true');
    await clerk.fill('#subjectId', CITIZEN_RRN);
    await clerk.waitForFunction(() =>
      document.getElementById('subjectId-check')?.textContent?.includes('850314-1******'),
    );
    expect(await clerk.getAttribute('#subjectId', 'aria-invalid')).to.equal(null);
    await screenshot(clerk, 'console-form-en');
    await expectAccessible(clerk, 'counter form');

    // Server-side validation too: no consent mode chosen → the error summary, focused, linking to the field.
    await clerk.getByRole('button', { name: 'Continue' }).click();
    await clerk.waitForSelector('.error-summary');
    expect(await clerk.evaluate(() => document.activeElement?.className)).to.contain('error-summary');
    expect(await clerk.locator('#error-consentMode').innerText()).to.contain(
      'Choose how the citizen consents.',
    );
    await screenshot(clerk, 'console-form-errors-en');
    await expectAccessible(clerk, 'counter form with errors');

    await clerk.goto(url(`/console/query?purpose=${PURPOSE}`));
    await checkJapanese(clerk, 'console-form', '本人の同意の方法');
  });

  it('citizen mode shows a QR code and short link; the citizen approves on their phone; the console updates by itself', async () => {
    await clerk.fill('#subjectId', CITIZEN_RRN);
    await clerk.check('#consent-citizen');
    await clerk.getByRole('button', { name: 'Continue' }).click();
    await clerk.waitForSelector('#consent-status');
    expect(await clerk.locator('#consent-status').getAttribute('data-status')).to.equal('REQUESTED');
    expect(await clerk.locator('#run-query').isVisible()).to.equal(false);
    const qr = clerk.locator('svg.qr-code');
    expect(await qr.getAttribute('aria-label')).to.match(
      /^QR code for the link http:\/\/127\.0\.0\.1:\d+\/consent\/c\/[0-9A-Za-z]{8}$/,
    );
    expect(await qr.locator('path').getAttribute('d')).to.have.length.greaterThan(1000);
    const shortLink = await clerk.locator('[data-testid="short-link"]').innerText();
    expect(shortLink).to.match(/\/consent\/c\/[0-9A-Za-z]{8}$/);
    await screenshot(clerk, 'console-waiting-en');
    await expectAccessible(clerk, 'waiting for consent');
    // The language switch re-posts the state (step=check), so the page stays the same page.
    await checkJapanese(clerk, 'console-waiting', '本人の同意を待っています');

    // The citizen, on their own phone: short link → sign in → our approval screen → approve.
    await phone.goto(shortLink);
    await signInAtDevIdp(phone, CITIZEN_LOGIN, service.gateway);
    await phone.waitForURL(/\/consent\/[0-9a-f-]{36}$/);
    consentId = new URL(phone.url()).pathname.split('/').pop()!;
    expect(await phone.locator('main').innerText()).to.contain('Jongno');
    await screenshot(phone, 'citizen-consent-phone');
    await phone.getByRole('button', { name: 'Approve' }).click();
    await phone.waitForURL(/\/done$/);

    // No reload: the console polls and reveals "Run the query".
    await clerk.waitForSelector('#consent-status[data-status="ACTIVE"]', { timeout: 15_000 });
    expect(await clerk.locator('#consent-status').innerText()).to.contain('The citizen approved');
    expect(await clerk.locator('#run-query').isVisible()).to.equal(true);
  });

  it('the clerk sees only the released fields, with forms, withheld fields, provenance and the audit reference', async () => {
    await clerk.locator('#run-query').click();
    await clerk.waitForSelector('h1:has-text("Verification result")');
    const releasedRows = clerk.locator('tr[data-field]');
    expect(await releasedRows.count()).to.be.greaterThan(0);
    const text = await clerk.locator('main').innerText();
    expect(text).to.contain('Citizen’s approval');
    expect(text).to.contain(consentId);
    expect(text).to.contain('850314-1******');
    expect(text).not.to.contain('8503141234562');
    expect(text).to.contain('Held by');
    expect(await clerk.locator('[data-testid="audit-entry"]').count()).to.be.greaterThan(0);
    expect(await clerk.locator('[data-print]').isVisible()).to.equal(true);
    await screenshot(clerk, 'console-result-en');
    await expectAccessible(clerk, 'result');
    await clerk.emulateMedia({ media: 'print' });
    expect(await clerk.locator('.site-header').isVisible()).to.equal(false);
    expect(await clerk.locator('.print-only').first().isVisible()).to.equal(true);
    await screenshot(clerk, 'console-result-print-slip');
    await clerk.emulateMedia({ media: 'screen' });

    // Japanese: the switch goes back one step (it never re-runs a query), then the clerk runs it in Japanese.
    await clerk.locator('.lang-switch [lang="ja"]').click();
    await clerk.waitForSelector('#consent-status[data-status="ACTIVE"]');
    expect(await clerk.getAttribute('html', 'lang')).to.equal('ja');
    await clerk.locator('#run-query').click();
    await clerk.waitForSelector('h1:has-text("確認結果")');
    expect(await clerk.locator('main').innerText()).to.contain('提供された項目');
    await screenshot(clerk, 'console-result-ja');
    await expectAccessible(clerk, 'result (ja)');
  });

  it('the citizen sees the access in their history and revokes the consent', async () => {
    let log: AccessLogBody | undefined;
    for (let i = 0; i < 40; i++) {
      const response = await citizenContext.request.get(url('/v1/me/access-log'));
      expect(response.status()).to.equal(200);
      log = (await response.json()) as AccessLogBody;
      if (log.entries.some((e) => e.entry.consent?.id === consentId)) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const ours = log!.entries.filter((e) => e.entry.consent?.id === consentId);
    expect(ours.length, JSON.stringify(log)).to.be.greaterThan(0);
    for (const { entry } of ours) {
      expect(entry.requester.org).to.equal('org-seoul-jongno');
      expect(entry.requester.clerkRef).to.be.a('string');
      expect(entry.purpose).to.equal(PURPOSE);
      expect(entry.consent?.mode).to.equal('citizen');
    }
    expect(ours.some((e) => e.entry.outcome === 'released' && e.entry.fields.length > 0)).to.equal(true);

    const session = await citizenContext.request.get(url('/auth/session'));
    const { csrfToken } = (await session.json()) as { csrfToken: string };
    const revoked = await citizenContext.request.post(url(`/v1/me/consents/${consentId}/revoke`), {
      headers: { 'X-CSRF-Token': csrfToken },
      data: { reason: 'I only wanted it at the counter' },
    });
    expect(revoked.status(), await revoked.text()).to.equal(200);
    expect(((await revoked.json()) as { status: string }).status).to.equal('REVOKED');
  });

  it('the clerk’s next query with that consent is refused, and shows up as refused in recent queries', async () => {
    await clerk.locator('#query-again').click();
    await clerk.waitForSelector('#refusal');
    expect(await clerk.locator('[data-testid="reason-code"]').innerText()).to.equal('consent_revoked');
    expect(await clerk.locator('#refusal').innerText()).to.contain('本人が同意を撤回しました');
    expect(await clerk.locator('tr[data-field]').count()).to.equal(0);
    await screenshot(clerk, 'console-refused-ja');
    await expectAccessible(clerk, 'refusal (ja)');

    await clerk.goto(url('/console?lang=en'));
    const recent = await clerk.locator('table.recent').innerText();
    expect(recent).to.contain('Refused');
    expect(recent).to.contain('consent_revoked');
    expect(recent).to.contain('Released');
    await screenshot(clerk, 'console-home-recent-en');
    await expectAccessible(clerk, 'console home with recent queries');
  });

  it('works at phone width and loaded no inline script (no CSP violation)', async () => {
    await clerk.setViewportSize({ width: 375, height: 812 });
    await clerk.goto(url(`/console/query?purpose=${PURPOSE}`));
    const overflow = await clerk.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).to.be.at.most(0);
    await screenshot(clerk, 'console-form-phone');
    expect(cspViolations).to.deep.equal([]);
  });
});
