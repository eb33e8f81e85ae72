/**
 * The pages in Korean, their first language, in a real browser whose language is Korean (Accept-Language
 * ko-KR, no ?lang=): a clerk at the counter page starts a query that needs the citizen's approval; the citizen,
 * on a 390 px phone, approves on the approval screen; the clerk sees the result with the time in Korean time;
 * the citizen reads their history. Each page must say <html lang="ko">, speak Korean (not a key, not English)
 * and have no serious or critical axe violation. Screenshots go to test/e2e/artifacts/*-ko.png.
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

describe('the pages in Korean, in a real browser', function () {
  this.timeout(90_000);
  let service: E2eService;
  let browser: Browser;
  let clerkContext: BrowserContext;
  let citizenContext: BrowserContext;
  let clerk: Page;
  let phone: Page;
  let shortLink: string;

  before(async function () {
    this.timeout(120_000);
    [service, browser] = await Promise.all([startE2eService(), launchChromium()]);
    clerkContext = await browser.newContext({ locale: 'ko-KR', viewport: { width: 1100, height: 900 } });
    citizenContext = await browser.newContext({
      locale: 'ko-KR',
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    clerk = await clerkContext.newPage();
    phone = await citizenContext.newPage();
  });

  after(async () => {
    await browser?.close();
    await service?.stop();
  });

  const url = (path: string) => `${service.gateway}${path}`;

  /** Korean page: the language attribute, the switch showing 한국어 as current, and no raw message key. */
  async function expectKorean(page: Page, name: string): Promise<string> {
    expect(await page.getAttribute('html', 'lang'), name).to.equal('ko');
    const current = page.locator('.lang-switch [aria-current="true"]');
    if ((await current.count()) > 0) expect(await current.first().innerText()).to.equal('한국어');
    const text = await page.locator('main').innerText();
    expect(text, `${name}: a message key instead of text`).not.to.match(
      /\b(console|portal|history|consent)\.[a-z]+\.[a-zA-Z]/,
    );
    await screenshot(page, `${name}-ko`);
    await expectAccessible(page, `${name} (ko)`);
    return text;
  }

  it('the counter page: sign-in, purposes and the form speak Korean', async () => {
    await clerk.goto(url('/console'));
    expect(await clerk.locator('h1').innerText()).to.equal('민원 창구 콘솔 로그인');
    await expectKorean(clerk, 'console-sign-in');
    await clerk.getByRole('link', { name: '기관 계정으로 로그인' }).click();
    await signInAtDevIdp(clerk, CLERK_LOGIN, service.gateway);
    expect(new URL(clerk.url()).pathname).to.equal('/console');
    const home = await expectKorean(clerk, 'console-home');
    expect(home).to.contain('확인 시작');
    expect(home).to.contain('아직 조회한 내역이 없습니다.');

    await clerk.selectOption('#purpose', PURPOSE);
    await clerk.getByRole('button', { name: '다음' }).click();
    await clerk.waitForURL(/\/console\/query\?purpose=/);
    const form = await expectKorean(clerk, 'console-form');
    expect(form).to.contain('주거급여 수급자격 조사');
    expect(form).to.contain('주거급여법 제5조');
    expect(form).to.contain('민원인의 동의 방법');
    await clerk.fill('#subjectId', '850314-1234567');
    await clerk.locator('#subjectId').blur();
    await clerk.waitForFunction(() =>
      document.getElementById('subjectId-check')?.textContent?.includes('아직 올바른 주민등록번호'),
    );
  });

  it('the clerk waits for the approval, shown in Korean with the QR code and short link', async () => {
    await clerk.fill('#subjectId', CITIZEN_RRN);
    await clerk.check('#consent-citizen');
    await clerk.getByRole('button', { name: '다음' }).click();
    await clerk.waitForSelector('#consent-status');
    const waiting = await expectKorean(clerk, 'console-waiting');
    expect(waiting).to.contain('민원인의 승인을 기다리고 있습니다');
    expect(await clerk.locator('svg.qr-code').getAttribute('aria-label')).to.match(
      /^링크 http:\/\/.+의 QR 코드$/,
    );
    shortLink = await clerk.locator('[data-testid="short-link"]').innerText();
  });

  it('the citizen approves on a phone: the approval screen speaks Korean', async () => {
    await phone.goto(shortLink);
    await signInAtDevIdp(phone, CITIZEN_LOGIN, service.gateway);
    await phone.waitForURL(/\/consent\/[0-9a-f-]{36}$/);
    const screen = await expectKorean(phone, 'citizen-consent-phone');
    for (const text of [
      '정보 제공 동의 요청',
      '요청 기관',
      '이용 목적',
      '법적 근거',
      '제공되는 정보',
      '응답 기한',
    ]) {
      expect(screen, text).to.contain(text);
    }
    expect(screen).to.match(/\d{4}년 \d{1,2}월 \d{1,2}일 \d{2}:\d{2} \(KST\)/);
    expect(screen).to.contain('종로');
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).to.be.at.most(0);
    await phone.getByRole('button', { name: '동의합니다' }).click();
    await phone.waitForURL(/\/done$/);
    expect(await phone.locator('main').innerText()).to.contain('요청에 동의하셨습니다.');
  });

  it('the clerk runs the query: the result speaks Korean, with Korean time and the zone', async () => {
    await clerk.waitForSelector('#consent-status[data-status="ACTIVE"]', { timeout: 15_000 });
    expect(await clerk.locator('#consent-status').innerText()).to.contain('민원인이 승인했습니다');
    await clerk.locator('#run-query').click();
    await clerk.waitForSelector('h1:has-text("확인 결과")');
    const result = await expectKorean(clerk, 'console-result');
    expect(result).to.contain('제공된 항목');
    expect(result).to.contain('본인 승인');
    expect(result).to.match(/\d{4}년 \d{1,2}월 \d{1,2}일 \d{2}:\d{2} \(KST\)/);
    expect(result).to.contain('850314-1******');
    // Won amounts as ₩ with separators, code values in words (the land category, the household change).
    expect(result).to.match(/₩\d{1,3}(,\d{3})+/);
    expect(result).not.to.contain('household-split');
    expect(result).to.contain('구성원');
  });

  it('the citizen reads their history in Korean', async () => {
    await phone.goto(url('/portal/history'));
    const history = await expectKorean(phone, 'portal-history-phone');
    expect(await phone.locator('h1').first().innerText()).to.equal('열람 이력');
    expect(history).to.contain('주거급여 수급자격 조사');
    expect(history).to.contain('본인이 직접 승인');
    expect(history).not.to.contain('Released');
  });
});
