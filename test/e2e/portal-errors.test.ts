/**
 * Issue 20 in a real browser (chromium, 390 px phone): problem 3, an unknown page is an HTML page in the
 * person's language with next steps (the API keeps problem+json); problem 5, one counter visit (four records,
 * one requestId) is one card on the history, yes/no checks read as sentences, the clerk is the office's counter
 * clerk with a short reference, and the first access is on the first screen. Axe: no serious or critical.
 */
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { knexAuditRepo } from '../../server/audit/audit.repo.js';
import { createAuditService } from '../../server/audit/audit.service.js';
import type { AuditEntryInput } from '../../server/audit/audit.types.js';
import { citizenSubjectKey } from '../../server/auth/subject.js';
import { DEV_SUBJECT_PEPPER } from '../../server/config.js';
import {
  expectAccessible,
  launchChromium,
  screenshot,
  signInAtDevIdp,
  startE2eService,
  type E2eService,
} from './support/browser.js';

const MINJUN = { login: 'citizen-minjun', nationalId: '8503141234562' };

describe('error pages and the grouped history on a phone (chromium)', function () {
  this.timeout(120_000);
  let service: E2eService;
  let browser: Browser;
  let phoneContext: BrowserContext;
  let phone: Page;

  before(async function () {
    this.timeout(120_000);
    [service, browser] = await Promise.all([startE2eService(), launchChromium()]);
    phoneContext = await browser.newContext({
      locale: 'ko-KR',
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    phone = await phoneContext.newPage();
  });

  after(async () => {
    await browser?.close();
    await service?.stop();
  });

  const url = (path: string) => `${service.gateway}${path}`;

  it('answers an unknown page with an HTML page in ko, en and ja, and the API with problem+json', async () => {
    const response = await phone.goto(url('/no-such-page'));
    expect(response?.status()).to.equal(404);
    expect(response?.headers()['content-type']).to.match(/^text\/html/);
    expect(await phone.getAttribute('html', 'lang')).to.equal('ko');
    expect(await phone.locator('h1').innerText()).to.equal('페이지를 찾을 수 없습니다');
    expect(await phone.getByRole('link', { name: '첫 화면으로' }).getAttribute('href')).to.equal('/');
    await screenshot(phone, 'error-404-ko');
    await expectAccessible(phone, 'error page (ko)');
    await phone.goto(url('/portal/nothing-here?lang=en'));
    expect(await phone.locator('h1').innerText()).to.equal('Page not found');
    expect(await phone.getByRole('link', { name: 'Back to your portal' }).getAttribute('href')).to.equal(
      '/portal',
    );
    await phone.goto(url('/nothing?lang=ja'));
    expect(await phone.locator('h1').innerText()).to.equal('ページが見つかりません');
    await expectAccessible(phone, 'error page (ja)');
    await phoneContext.addCookies([{ name: 'juc_lang', value: 'ko', url: service.gateway }]);

    // The API keeps its contract, even when a browser-like Accept asks for HTML.
    const api = await fetch(url('/v1/no-such-thing'), { headers: { accept: 'text/html,*/*;q=0.8' } });
    expect(api.status).to.equal(404);
    expect(api.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(((await api.json()) as { code: string }).code).to.equal('not_found');
    const plain = await fetch(url('/no-such-page'));
    expect(plain.headers.get('content-type')).to.match(/^application\/problem\+json/);
  });

  it('shows one counter visit as one card with sentences, the counter clerk and the first access on screen', async () => {
    // The E2E service runs with the development pepper (no SUBJECT_PEPPER set).
    const subjectKey = citizenSubjectKey(DEV_SUBJECT_PEPPER, MINJUN.nationalId);
    const audit = createAuditService({ repo: knexAuditRepo(service.running.db), logKeys: () => [] });
    const visit = (recordType: string, fields: AuditEntryInput['fields']): AuditEntryInput => ({
      requestId: 'counter-visit-1',
      subjectKey,
      outcome: 'released',
      requester: { org: 'org-seoul-jongno', clerkRef: 'clerk-jongno-kim' },
      purposeCode: 'welfare.housing-benefit',
      legalBasis: 'Housing Benefit Act art. 21',
      consent: { mode: 'statutory' },
      recordType,
      fields,
    });
    await audit.append(
      visit('social-insurance.health-eligibility-history', [
        { name: 'employee_insured', form: 'predicate:employee_insured' },
      ]),
    );
    await audit.append(visit('land.ledger', [{ name: 'ownerName', form: 'mask' }]));
    await audit.append(visit('resident.registration-abstract', [{ name: 'address', form: 'full' }]));
    await audit.append(
      visit('social-insurance.health-insurance-card', [{ name: 'insuredType', form: 'full' }]),
    );

    await phone.goto(url('/portal/history'));
    await phone
      .getByRole('link', { name: /로그인/ })
      .first()
      .click();
    await signInAtDevIdp(phone, MINJUN.login, service.gateway);
    const cards = phone.locator('ol.access-list > li.access');
    for (let i = 0; i < 20 && (await phone.locator('.access-record').count()) < 4; i++) {
      await phone.waitForTimeout(500);
      await phone.goto(url('/portal/history'));
    }
    expect(await cards.count(), 'one card for the visit').to.equal(1);
    const card = cards.first();
    expect(await card.getAttribute('data-request-id')).to.equal('counter-visit-1');
    expect(await card.locator('.access-record').count()).to.equal(4);
    const text = await card.innerText();
    expect(text).to.contain('창구 담당자 (참조 번호 52EB5A)');
    expect(text).not.to.contain('clerk-jongno-kim');
    // The basis of the visit is on the card itself, not folded away.
    expect(text).to.match(/근거\s+법령: 주거급여법/);
    const summaries = card.locator('.access-record details summary');
    for (let i = 0; i < (await summaries.count()); i++) await summaries.nth(i).click();
    const opened = await card.innerText();
    expect(opened).to.contain('본인이 현재 직장가입자(근로자)로 가입되어 있습니다.');
    expect(opened).not.to.contain('employee_insured');
    expect(opened).not.to.match(/Log entry|공개 기록 \d+번/);
    await phone.goto(url('/portal/history'));
    const box = await phone.locator('ol.access-list > li.access h3').first().boundingBox();
    expect(box, 'the first card').to.not.equal(null);
    expect(box!.y + box!.height, 'first access within the first 844 px screen').to.be.below(844);
    await screenshot(phone, 'history-visit-phone-ko');
    await expectAccessible(phone, 'history (ko, phone)');
    // The overview's latest accesses: the visit is one line, not its four entries.
    await phone.goto(url('/portal'));
    expect(await phone.locator('.recent-list > li').count()).to.equal(1);
    await expectAccessible(phone, 'overview (ko, phone)');
    await phone.goto(url('/portal/history?lang=en'));
    expect(await cards.first().innerText()).to.contain('Counter clerk (reference 52EB5A)');
    await expectAccessible(phone, 'history (en, phone)');
    await phone.goto(url('/portal/history?lang=ja'));
    expect(await cards.first().innerText()).to.contain('窓口担当者（参照番号 52EB5A）');
    await expectAccessible(phone, 'history (ja, phone)');
  });
});
