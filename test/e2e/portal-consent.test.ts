/**
 * The phone approval screen of a counter visit (issue 20, problem 8) in a real browser: a clerk at Jongno asks
 * for a citizen's approval; on a 390 px phone the screen says whom it is about and which clerk asks (the office's
 * counter clerk with a short reference, not the staff id), times carry the zone, optional fields are not explained
 * when there are none, plurals are right in English; the citizen allows less (1 day, 1 use) and the consent in
 * the portal has exactly that. Korean by default, English and Japanese checked; axe on each.
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

describe('the approval screen of a counter visit on a phone (chromium)', function () {
  this.timeout(120_000);
  let service: E2eService;
  let browser: Browser;
  let clerkContext: BrowserContext;
  let phoneContext: BrowserContext;
  let clerk: Page;
  let phone: Page;

  before(async function () {
    this.timeout(120_000);
    [service, browser] = await Promise.all([startE2eService(), launchChromium()]);
    clerkContext = await browser.newContext({ locale: 'ko-KR', viewport: { width: 1100, height: 900 } });
    phoneContext = await browser.newContext({
      locale: 'ko-KR',
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    clerk = await clerkContext.newPage();
    phone = await phoneContext.newPage();
  });

  after(async () => {
    await browser?.close();
    await service?.stop();
  });

  const url = (path: string) => `${service.gateway}${path}`;

  it('names whom and who, lets the citizen allow less, and the consent keeps exactly that', async () => {
    await clerk.goto(url('/console'));
    await clerk.getByRole('link', { name: '기관 계정으로 로그인' }).click();
    await signInAtDevIdp(clerk, CLERK_LOGIN, service.gateway);
    await clerk.selectOption('#purpose', PURPOSE);
    await clerk.getByRole('button', { name: '다음' }).click();
    await clerk.waitForURL(/\/console\/query\?purpose=/);
    await clerk.fill('#subjectId', CITIZEN_RRN);
    await clerk.check('#consent-citizen');
    await clerk.getByRole('button', { name: '다음' }).click();
    await clerk.waitForSelector('#consent-status');
    const shortLink = await clerk.locator('[data-testid="short-link"]').innerText();

    await phone.goto(shortLink);
    await signInAtDevIdp(phone, CITIZEN_LOGIN, service.gateway);
    await phone.waitForURL(/\/consent\/[0-9a-f-]{36}$/);
    const path = new URL(phone.url()).pathname;
    const ko = await phone.locator('main').innerText();
    expect(ko).to.contain('누구의 정보');
    expect(ko).to.contain('로그인하신 회원님 본인');
    expect(ko).to.match(/종로구청 창구 담당자 \(참조 번호 [0-9A-F]{6}\)/);
    expect(ko).not.to.contain(CLERK_LOGIN);
    expect(ko).to.match(/\(KST\)/);
    if ((await phone.locator('input[name="keep"]').count()) === 0) {
      expect(ko, 'no optional fields: no explanation of them').not.to.contain('“선택” 항목');
    }
    for (const item of await phone.locator('li.never-released').allInnerTexts()) {
      expect(item, 'a field never released is not "needed"').not.to.contain('필수');
    }
    expect(await phone.locator('fieldset.shorten legend').innerText()).to.equal('더 짧게 허락하기 (선택)');
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).to.be.at.most(0);
    await screenshot(phone, 'consent-counter-phone-ko');
    await expectAccessible(phone, 'approval screen (ko, phone)');

    await phone.goto(url(`${path}?lang=en`));
    const en = await phone.locator('main').innerText();
    expect(en).to.match(/Counter clerk at .+ \(reference [0-9A-F]{6}\)/);
    expect(en).to.contain('You, the person signed in');
    expect(en).not.to.match(/\b1 days\b/);
    expect((await phone.locator('#duration-days option').first().innerText()).trim()).to.equal('1 day');
    expect((await phone.locator('#max-uses option').first().innerText()).trim()).to.equal('once');
    await expectAccessible(phone, 'approval screen (en, phone)');
    await phone.goto(url(`${path}?lang=ja`));
    const ja = await phone.locator('main').innerText();
    expect(ja).to.match(/窓口担当者（参照番号 [0-9A-F]{6}）/);
    expect(ja).to.contain('ログイン中のあなた本人');
    await expectAccessible(phone, 'approval screen (ja, phone)');

    await phone.goto(url(`${path}?lang=ko`));
    await phone.selectOption('#duration-days', '1');
    await phone.selectOption('#max-uses', '1');
    await phone.getByRole('button', { name: '동의합니다' }).click();
    await phone.waitForURL(/\/done$/);
    const done = await phone.locator('main').innerText();
    expect(done).to.contain('요청에 동의하셨습니다.');
    expect(await phone.getByRole('link', { name: '내 동의 목록 보기' }).count()).to.be.at.most(1);

    await phone.goto(url(`/portal/consents/${path.split('/')[2]}`));
    const details = await phone.locator('main').innerText();
    expect(details).to.contain('1회 중 0회 이용');
    const today = new Intl.DateTimeFormat('ko-KR', { dateStyle: 'long', timeZone: 'Asia/Seoul' });
    const now = Date.now();
    expect(details).to.contain(`${today.format(now)} ~ ${today.format(now + 86_400_000)}`);
    await expectAccessible(phone, 'consent details after a shortened approval');
  });
});
