/**
 * The clerk's counter pages in a real browser (issue 20, problems 2, 4, 6, 7 and 9), in Korean (the default)
 * with one English and one Japanese check; axe on every page. Each check fails on the pages as they were:
 * the waiting page kept its QR code and "waiting" title after the citizen refused, had no cancel, countdown,
 * citizen or purpose; the move-in report's default form could not be submitted; an expired session lost the
 * typed form; the slip had no way to verify it and nested identifiers showed as empty rows of their own.
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

const CLERK_LOGIN = 'clerk-jongno';
const CITIZEN_LOGIN = 'citizen-minjun';
const CITIZEN_RRN = '850314-1234562';
const HOUSING = 'welfare.housing-benefit';
const MOVE_IN = 'resident.move-in-report';

describe('clerk counter pages in a real browser (Korean first)', function () {
  this.timeout(120_000);
  let service: E2eService;
  let browser: Browser;
  let clerkContext: BrowserContext;
  let clerk: Page;
  const url = (path: string) => `${service.gateway}${path}`;

  before(async function () {
    this.timeout(180_000);
    [service, browser] = await Promise.all([startE2eService(), launchChromium()]);
    clerkContext = await browser.newContext({ locale: 'ko-KR', viewport: { width: 1100, height: 900 } });
    clerk = await clerkContext.newPage();
    await clerk.goto(url('/console'));
    await clerk.locator('main a.button.primary').click();
    await signInAtDevIdp(clerk, CLERK_LOGIN, service.gateway);
    expect(await clerk.getAttribute('html', 'lang')).to.equal('ko');
  });

  after(async () => {
    await browser?.close();
    await service?.stop();
  });

  async function startCitizenRequest(): Promise<void> {
    await clerk.goto(url(`/console/query?purpose=${HOUSING}`));
    await clerk.fill('#subjectId', CITIZEN_RRN);
    await clerk.check('#consent-citizen');
    await clerk.locator('form.counter button[type="submit"]').click();
    await clerk.waitForSelector('#consent-status[data-status="REQUESTED"]');
  }

  it('problem 2: the waiting page names the citizen and purpose, counts down, and cancels the request', async () => {
    await startCitizenRequest();
    const main = await clerk.locator('main').innerText();
    expect(main).to.contain('850314-1******');
    expect(main).not.to.contain('1234562');
    expect(main).to.contain('주거급여');
    const first = await clerk.locator('#countdown').innerText();
    expect(first).to.match(/^\d+:\d\d$/);
    await clerk.waitForFunction(
      (before) => document.getElementById('countdown')?.textContent !== before,
      first,
    );
    expect(await clerk.locator('svg.qr-code').isVisible()).to.equal(true);
    await screenshot(clerk, 'console-counter-waiting-ko');
    await expectAccessible(clerk, 'waiting (ko)');

    await clerk.locator('#cancel-request').click();
    await clerk.waitForSelector('#consent-status[data-status="WITHDRAWN"]');
    expect(await clerk.locator('#consent-status').innerText()).to.contain('요청을 취소했습니다');
    expect(await clerk.locator('h1').innerText()).to.equal('이 요청은 끝났습니다');
    expect(await clerk.locator('svg.qr-code').isVisible()).to.equal(false);
    expect(await clerk.locator('#cancel-request').isVisible()).to.equal(false);
    const again = clerk.getByRole('link', { name: '처음부터 다시' });
    expect(await again.getAttribute('href')).to.equal(`/console/query?purpose=${HOUSING}`);
    await screenshot(clerk, 'console-counter-cancelled-ko');
    await expectAccessible(clerk, 'cancelled (ko)');
  });

  it('problem 2: when the citizen refuses on the phone, the page drops the QR code and offers Start again', async () => {
    await startCitizenRequest();
    const shortLink = await clerk.locator('[data-testid="short-link"]').innerText();
    const phoneContext = await browser.newContext({ locale: 'ko-KR', viewport: { width: 390, height: 844 } });
    const phone = await phoneContext.newPage();
    await phone.goto(shortLink);
    await signInAtDevIdp(phone, CITIZEN_LOGIN, service.gateway);
    await phone.waitForURL(/\/consent\/[0-9a-f-]{36}$/);
    await phone.locator('button[name="decision"][value="refuse"]').click();
    await phone.waitForLoadState('load');
    await phoneContext.close();

    // No reload: the page polls and changes in place.
    await clerk.waitForSelector('#consent-status[data-status="REJECTED"]', { timeout: 15_000 });
    expect(await clerk.locator('h1').innerText()).to.equal('이 요청은 끝났습니다');
    expect(await clerk.locator('#consent-status').innerText()).to.contain('민원인이 거부했습니다');
    expect(await clerk.locator('svg.qr-code').isVisible()).to.equal(false);
    expect(await clerk.locator('#run-query').isVisible()).to.equal(false);
    expect(await clerk.getByRole('link', { name: '처음부터 다시' }).isVisible()).to.equal(true);
    await screenshot(clerk, 'console-counter-refused-ko');
    await expectAccessible(clerk, 'refused (ko)');
  });

  it('problem 6: the move-in report form can be sent as it opens; the access mode decides which records can be ticked', async () => {
    await clerk.goto(url(`/console/query?purpose=${MOVE_IN}`));
    const box = (id: string) => clerk.locator(`input[name="records"][value="${id}"]`);
    expect(await box('resident.registered-households-at-address').isChecked()).to.equal(false);
    expect(await box('resident.id-card-authenticity').isChecked()).to.equal(false);
    expect(await box('resident.id-card-authenticity').isDisabled()).to.equal(true);
    await clerk.check('#mode-fact-check');
    expect(await box('resident.id-card-authenticity').isDisabled()).to.equal(false);
    expect(await box('resident.registration-abstract').isDisabled()).to.equal(false); // it has yes/no checks
    await clerk.check('#mode-full');
    expect(await box('resident.id-card-authenticity').isDisabled()).to.equal(true);
    await expectAccessible(clerk, 'move-in form (ko)');

    await clerk.fill('#subjectId', CITIZEN_RRN);
    if ((await clerk.locator('#consent-statutory').count()) > 0) await clerk.check('#consent-statutory');
    await clerk.locator('form.counter button[type="submit"]').click();
    await clerk.waitForSelector('h1');
    expect(await clerk.locator('.error-summary').count()).to.equal(0);
    expect(await clerk.locator('h1 .screen-only').innerText()).to.equal('확인 결과');
  });

  it('problem 6: the server refuses a yes/no-only record in full mode with a Korean message naming the fix', async () => {
    await clerk.goto(url(`/console/query?purpose=${MOVE_IN}`));
    await clerk.fill('#subjectId', CITIZEN_RRN);
    if ((await clerk.locator('#consent-statutory').count()) > 0) await clerk.check('#consent-statutory');
    // Without script the box could be ticked: send it as the old default did.
    await clerk.evaluate(() => {
      const el = document.querySelector<HTMLInputElement>('input[value="resident.id-card-authenticity"]')!;
      el.disabled = false;
      el.checked = true;
    });
    await clerk.locator('form.counter button[type="submit"]').click();
    await clerk.waitForSelector('.error-summary');
    expect(await clerk.locator('#error-mode').innerText()).to.contain('선택을 해제해 주십시오');
    await expectAccessible(clerk, 'form errors (ko)');
  });

  it('problems 4 and 9: nested identifiers masked with their form, holders by name, ₩ amounts, a slip that says how to verify it', async () => {
    await clerk.goto(url(`/console/query?purpose=${HOUSING}`));
    await clerk.fill('#subjectId', CITIZEN_RRN);
    await clerk.check('#consent-attested');
    await clerk.fill('#documentReference', 'FORM-2026-0042');
    await clerk.check('#separateAgreement');
    await clerk.locator('form.counter button[type="submit"]').click();
    await clerk.waitForSelector('h1 .screen-only');
    const main = await clerk.locator('main').innerText();
    expect(await clerk.locator('tr[data-field^="/"]').count(), 'nested paths as rows').to.equal(0);
    const members = clerk.locator('tr[data-field="members"] .identifier');
    expect(await members.count()).to.be.greaterThan(0);
    for (const text of await members.allInnerTexts()) expect(text).to.match(/^\d{6}-\*{7}$/);
    expect(await clerk.locator('tr[data-field="members"]').innerText()).to.contain('일부 가림');
    expect(main).not.to.match(/\b\d{13}\b/);
    expect(main).not.to.contain('reference');
    for (const holder of await clerk.locator('[data-testid="holder"]').allInnerTexts()) {
      expect(holder).to.match(/[가-힣]/);
    }
    expect(main).to.match(/₩\d{1,3}(,\d{3})+/);
    const verify = await clerk.locator('[data-testid="verify-url"]').innerText();
    expect(verify).to.equal(`${service.gateway}/portal/history`);
    const entry = await clerk.locator('[data-testid="audit-entry"]').first().innerText();
    expect(await clerk.locator('[data-testid="slip-verify"]').innerText()).to.contain(entry);
    await expectAccessible(clerk, 'result (ko)');
    await clerk.emulateMedia({ media: 'print' });
    expect(await clerk.locator('[data-testid="slip-verify"]').isVisible()).to.equal(true);
    await screenshot(clerk, 'console-counter-slip-print-ko');
    await clerk.emulateMedia({ media: 'screen' });
  });

  it('problem 9: recent queries as CSV in Korean time with words, in Korean and in English', async () => {
    await clerk.goto(url('/console'));
    const link = clerk.getByRole('link', { name: '최근 조회 CSV로 내려받기' });
    expect(await link.getAttribute('href')).to.equal('/console/recent.csv?lang=ko');
    await expectAccessible(clerk, 'console home with recent queries (ko)');
    const ko = await clerkContext.request.get(url('/console/recent.csv'));
    expect(ko.status()).to.equal(200);
    const text = await ko.text();
    const [header, row] = text.replace(/^\uFEFF/, '').split('\r\n');
    expect(header).to.contain('일시(KST, UTC+9)');
    expect(row).to.match(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+09:00,/);
    expect(row).to.contain('주거급여');
    expect(row).not.to.contain(HOUSING);
    const en = await clerkContext.request.get(url('/console/recent.csv?lang=en'));
    expect((await en.text()).split('\r\n')[0]).to.contain('Time (KST, UTC+9)');
  });

  it('problem 7: warns before the idle timeout and keeps the typed form across a new sign-in', async () => {
    const context = await browser.newContext({ locale: 'ko-KR' });
    await context.addCookies(await clerkContext.cookies());
    const page = await context.newPage();
    await page.clock.install();
    await page.goto(url(`/console/query?purpose=${HOUSING}`));
    await page.fill('#subjectId', CITIZEN_RRN);
    await page.check('#consent-attested');
    await page.fill('#documentReference', 'FORM-2026-0077');
    const idle = Number(await page.getAttribute('#session-warning', 'data-idle-seconds'));
    expect(await page.locator('#session-warning').isVisible()).to.equal(false);
    await page.clock.fastForward((idle - 60) * 1000);
    expect(await page.locator('#session-warning').isVisible()).to.equal(true);
    await expectAccessible(page, 'idle warning (ko)');
    // "Stay signed in" renews the session on the server and starts the count again.
    await page.locator('#session-stay').click();
    await page.waitForSelector('#session-warning', { state: 'hidden' });
    await page.clock.fastForward((idle - 60) * 1000);
    expect(await page.locator('#session-expired').isVisible()).to.equal(false);
    await page.clock.fastForward(61_000);
    expect(await page.locator('#session-expired').isVisible()).to.equal(true);

    // The session is gone on the server too: the post comes back to the sign-in, then to the filled form.
    await context.clearCookies();
    await page.locator('form.counter button[type="submit"]').click();
    await page.waitForSelector('#draft-kept:not([hidden])');
    await page.locator('main a.button.primary').click();
    await signInAtDevIdp(page, CLERK_LOGIN, service.gateway);
    await page.waitForURL(/\/console\/query\?purpose=/);
    expect(await page.inputValue('#subjectId')).to.equal(CITIZEN_RRN);
    expect(await page.inputValue('#documentReference')).to.equal('FORM-2026-0077');
    expect(await page.isChecked('#consent-attested')).to.equal(true);
    expect(await page.locator('#draft-restored').isVisible()).to.equal(true);
    await context.close();
  });

  it('speaks English and Japanese too', async () => {
    await clerk.goto(url(`/console/query?purpose=${MOVE_IN}&lang=en`));
    expect(await clerk.locator('main').innerText()).to.contain('yes/no checks only');
    await expectAccessible(clerk, 'move-in form (en)');
    await startCitizenRequest();
    await clerk.locator('.lang-switch [lang="ja"]').click();
    await clerk.waitForSelector('#cancel-request');
    expect(await clerk.getAttribute('html', 'lang')).to.equal('ja');
    expect(await clerk.locator('#cancel-request').innerText()).to.contain('依頼を取り消す');
    expect(await clerk.locator('main').innerText()).to.contain('残り時間');
    await expectAccessible(clerk, 'waiting (ja)');
  });
});
