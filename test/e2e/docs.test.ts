/**
 * The API reference at /docs in a real browser: Swagger UI rendered from the contract, scanned with axe-core
 * (issue 20, problem 10: it had 1 critical and 3 serious rules). Checked with the operations collapsed and
 * with one operation expanded (its parameters table and responses), on a desktop and a 390 px phone.
 */
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import {
  expectAccessible,
  launchChromium,
  screenshot,
  startE2eService,
  type E2eService,
} from './support/browser.js';

describe('API docs page in a browser (axe)', function () {
  this.timeout(90_000);
  let service: E2eService;
  let browser: Browser;

  before(async function () {
    this.timeout(120_000);
    [service, browser] = await Promise.all([startE2eService(), launchChromium()]);
  });

  after(async () => {
    await browser?.close();
    await service?.stop();
  });

  async function open(width: number): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${service.gateway}/docs`);
    await page.waitForSelector('.opblock', { timeout: 30_000 });
    return page;
  }

  it('has no serious or critical axe violation, collapsed and with an operation open', async () => {
    const page = await open(1200);
    expect(await page.getAttribute('html', 'lang')).to.equal('en');
    expect(await page.locator('h1').count(), 'one page heading').to.equal(1);
    expect(await page.title()).to.contain('API');
    await expectAccessible(page, 'docs (collapsed)');
    await page.locator('.opblock-summary-control').first().click();
    await page.waitForSelector('.opblock-body', { timeout: 10_000 });
    await screenshot(page, 'docs-open');
    await expectAccessible(page, 'docs (one operation open)');
    await page.context().close();
  });

  it('has no serious or critical axe violation on a 390 px phone', async () => {
    const page = await open(390);
    await screenshot(page, 'docs-phone');
    await expectAccessible(page, 'docs (phone)');
    await page.context().close();
  });
});
