/**
 * The staff consoles in a real browser (Debian's chromium through playwright-core), in Korean (a ko-KR browser),
 * against the real service (dev IdP, demo data): the auditor signs in at the dev IdP, lands on /audit, sees the
 * harvesting flag of a clerk who read 101 citizens in one hour (the default threshold is 100), drills down to its
 * entries, keeps a case note and status through the CSRF form, filters entries by clerk and downloads the CSV;
 * the administrator signs in, lands on /admin, registers a clerk and an API client (public JWKS, DPoP required)
 * through the forms and sees them listed, and a JWKS with a private key is refused with a Korean message.
 * Every page is scanned with axe-core; one page is checked in English and one in Japanese.
 */
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { knexAuditRepo } from '../../server/audit/audit.repo.js';
import { createAuditService } from '../../server/audit/audit.service.js';
import type { AuditEntryInput } from '../../server/audit/audit.types.js';
import {
  expectAccessible,
  launchChromium,
  screenshot,
  signInAtDevIdp,
  startE2eService,
  type E2eService,
} from './support/browser.js';

const HARVESTER = 'clerk-harvest';
const QUIET = 'clerk-quiet';
const EC_PUBLIC = {
  kty: 'EC',
  crv: 'P-256',
  kid: 'e2e-key-1',
  x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
  y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
};

function entry(n: number, clerkRef: string): AuditEntryInput {
  return {
    requestId: `req-e2e-staff-${clerkRef}-${n}`,
    subjectKey: createHash('sha256').update(`e2e-staff-subject-${n}`).digest('hex'),
    outcome: 'released',
    requester: { org: 'org-seoul-jongno', clerkRef },
    purposeCode: 'welfare.housing-benefit',
    legalBasis: 'Housing Benefit Act art. 5',
    consent: { id: 'c-e2e', mode: 'attested' },
    recordType: 'resident.registration-abstract',
    fields: [{ name: 'address', form: 'full' }],
  };
}

describe('staff consoles in a real browser (Korean)', function () {
  this.timeout(90_000);
  let service: E2eService;
  let browser: Browser;
  let auditorContext: BrowserContext;
  let adminContext: BrowserContext;
  let auditor: Page;
  let admin: Page;
  const scanned: string[] = [];
  const cspViolations: string[] = [];

  before(async function () {
    this.timeout(120_000);
    [service, browser] = await Promise.all([startE2eService(), launchChromium()]);
    // 101 different citizens read by one clerk within this hour (threshold 100): harvesting. 2 by another: no flag.
    const audit = createAuditService({ repo: knexAuditRepo(service.running.db), logKeys: () => [] });
    await audit.appendMany([
      ...Array.from({ length: 101 }, (_, i) => entry(i, HARVESTER)),
      entry(500, QUIET),
      entry(501, QUIET),
    ]);
    auditorContext = await browser.newContext({ locale: 'ko-KR', viewport: { width: 1100, height: 900 } });
    adminContext = await browser.newContext({ locale: 'ko-KR', viewport: { width: 1100, height: 900 } });
    auditor = await auditorContext.newPage();
    admin = await adminContext.newPage();
    for (const page of [auditor, admin]) {
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

  /** The page is Korean (<html lang="ko">, the expected text in <main>), screenshotted and free of serious axe findings. */
  async function checkKorean(page: Page, name: string, expected: string): Promise<void> {
    expect(await page.getAttribute('html', 'lang'), name).to.equal('ko');
    expect(await page.locator('main').innerText(), name).to.contain(expected);
    await screenshot(page, `staff-${name}-ko`);
    await expectAccessible(page, name);
    scanned.push(name);
  }

  /** Opens a page through its own language control, checks the text, then switches back to Korean. */
  async function checkLanguage(page: Page, name: string, lang: 'en' | 'ja', expected: string) {
    await Promise.all([page.waitForEvent('load'), page.locator(`.lang-switch [lang="${lang}"]`).click()]);
    expect(await page.getAttribute('html', 'lang')).to.equal(lang);
    expect(await page.locator('main').innerText()).to.contain(expected);
    await screenshot(page, `staff-${name}-${lang}`);
    await expectAccessible(page, `${name} (${lang})`);
    scanned.push(`${name} (${lang})`);
    await Promise.all([page.waitForEvent('load'), page.locator('.lang-switch [lang="ko"]').click()]);
    expect(await page.getAttribute('html', 'lang')).to.equal('ko');
  }

  describe('auditor', () => {
    it('signs in through the dev IdP and lands on the anomaly flags, with the harvesting flag', async () => {
      await auditor.goto(url('/audit'));
      await checkKorean(auditor, 'sign-in', '감사·관리 콘솔 로그인');
      await auditor.getByRole('link', { name: '운영 계정으로 로그인' }).click();
      await signInAtDevIdp(auditor, 'auditor', service.gateway);
      expect(new URL(auditor.url()).pathname).to.equal('/audit');
      expect(await auditor.locator('.console-nav').innerText()).to.contain('auditor (감사관) 로그인됨');
      const harvesting = auditor.locator('tbody tr', { hasText: '대량 수집 의심' });
      expect(await harvesting.count()).to.equal(1);
      const row = await harvesting.innerText();
      expect(row).to.contain(`담당자 ${HARVESTER}`);
      expect(row).to.contain('국민 101명');
      expect(row).to.contain('검토 전');
      expect(await auditor.locator('main').innerText()).not.to.contain(QUIET);
      await checkKorean(auditor, 'flags', '이상 징후');
      await checkLanguage(auditor, 'flags', 'en', 'Possible harvesting');
    });

    it('drills down to the flag’s entries and keeps a case note and status', async () => {
      await Promise.all([
        auditor.waitForURL(/\/audit\/flag\?kind=harvesting/),
        auditor.locator('tbody tr', { hasText: '대량 수집 의심' }).getByRole('link').click(),
      ]);
      const main = auditor.locator('main');
      expect(await auditor.locator('h1').innerText()).to.equal('대량 수집 의심');
      // 50 entries a page, then a link to the rest.
      expect(await main.innerText()).to.contain('열람 기록 50건 (최근 순)');
      expect(
        await auditor.locator('section[aria-labelledby="flag-entries-title"] tbody tr').count(),
      ).to.equal(50);
      expect(await auditor.getByRole('link', { name: '다음 페이지' }).count()).to.equal(1);
      await checkKorean(auditor, 'flag', '사건 메모와 처리 상태');

      await auditor.selectOption('#status', 'investigating');
      await auditor.fill('#note', '종로구청에 한 시간에 101명을 조회한 사유를 문의함');
      await Promise.all([
        auditor.waitForURL(/saved=1/),
        auditor.getByRole('button', { name: '저장' }).click(),
      ]);
      expect(await main.innerText()).to.contain('사건 메모와 처리 상태를 저장했습니다.');
      expect(await auditor.inputValue('#note')).to.equal('종로구청에 한 시간에 101명을 조회한 사유를 문의함');
      expect(await auditor.inputValue('#status')).to.equal('investigating');
      expect(await main.innerText()).to.contain('마지막 수정: auditor:auditor');
      await checkKorean(auditor, 'flag-saved', '조사 중');
      await checkLanguage(auditor, 'flag-saved', 'ja', '調査中');

      await auditor.goto(url('/audit'));
      expect(await auditor.locator('tbody tr', { hasText: '대량 수집 의심' }).innerText()).to.contain(
        '조사 중',
      );
    });

    it('filters the entries by clerk, and the CSV link answers with those entries', async () => {
      await auditor.locator('.console-nav a[href="/audit/entries"]').click();
      await auditor.waitForURL(/\/audit\/entries/);
      await checkKorean(auditor, 'entries', '열람 기록');
      await auditor.fill('#clerk', QUIET);
      await Promise.all([
        auditor.waitForURL(new RegExp(`clerk=${QUIET}`)),
        auditor.getByRole('button', { name: '조회' }).click(),
      ]);
      const main = await auditor.locator('main').innerText();
      expect(main).to.contain('열람 기록 2건 (최근 순)');
      expect(main).not.to.contain(HARVESTER);
      await checkKorean(auditor, 'entries-filtered', `담당자 ${QUIET}`);

      const href = await auditor.getByRole('link', { name: /CSV로 내려받기/ }).getAttribute('href');
      expect(href).to.match(new RegExp(`^/audit/entries\\.csv\\?.*clerk=${QUIET}`));
      const csv = await auditorContext.request.get(url(href!));
      expect(csv.status()).to.equal(200);
      expect(csv.headers()['content-type']).to.match(/^text\/csv/);
      const lines = (await csv.text())
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n');
      expect(lines[0]).to.match(/^entry_id,time_kst,organisation,clerk,/);
      expect(lines).to.have.length(3);
      for (const line of lines.slice(1)) expect(line).to.contain(`,org-seoul-jongno,${QUIET},`);
    });
  });

  describe('administrator', () => {
    const ORG = '/admin/organisations/org-seoul-jongno';

    it('signs in through the dev IdP and lands on the organisations', async () => {
      await admin.goto(url('/admin'));
      await admin.getByRole('link', { name: '운영 계정으로 로그인' }).click();
      await signInAtDevIdp(admin, 'admin', service.gateway);
      expect(new URL(admin.url()).pathname).to.equal('/admin');
      expect(await admin.locator('.console-nav').innerText()).to.contain('admin (관리자) 로그인됨');
      expect(await admin.locator(`main a[href="${ORG}"]`).count()).to.be.greaterThan(0);
      await checkKorean(admin, 'admin-home', '기관');
    });

    it('registers a clerk and an API client with a public JWKS and DPoP required, and lists them', async () => {
      await admin.goto(url(ORG));
      await checkKorean(admin, 'organisation', '담당자 등록');
      await admin.fill('#clerkName', '김서연');
      await admin.fill('#idpSub', 'clerk-jongno-e2e');
      await admin.fill('#idpIssuer', 'https://idp.example.kr');
      await Promise.all([
        admin.waitForURL(/done=clerk/),
        admin.getByRole('button', { name: '담당자 등록' }).click(),
      ]);
      expect(await admin.locator('main').innerText()).to.contain('담당자를 등록했습니다.');
      expect(await admin.locator('section[aria-labelledby="clerks-title"] table').innerText()).to.contain(
        '김서연',
      );
      await checkKorean(admin, 'organisation-clerk-added', '김서연');

      await admin.fill('#clientName', '종로 민원 앱');
      await admin.fill('#clientId', 'jongno-e2e-app');
      await admin.fill('#jwks', JSON.stringify({ keys: [EC_PUBLIC] }));
      expect(await admin.isChecked('#dpopRequired')).to.equal(true);
      await Promise.all([
        admin.waitForURL(/done=client/),
        admin.getByRole('button', { name: '클라이언트 등록' }).click(),
      ]);
      expect(await admin.locator('main').innerText()).to.contain('API 클라이언트를 등록했습니다.');
      const row = await admin
        .locator('section[aria-labelledby="clients-title"] tr', { hasText: 'jongno-e2e-app' })
        .innerText();
      expect(row).to.contain('종로 민원 앱');
      expect(row).to.contain('e2e-key-1 EC P-256');
      expect(row).to.contain('필수');
      await checkKorean(admin, 'organisation-client-added', 'jongno-e2e-app');
    });

    it('refuses a JWKS carrying a private key with a Korean message, keeping what was typed', async () => {
      await admin.fill('#clientName', '유출 앱');
      await admin.fill('#jwks', JSON.stringify({ keys: [{ ...EC_PUBLIC, kid: 'leaky', d: 'secret' }] }));
      await admin.getByRole('button', { name: '클라이언트 등록' }).click();
      await admin.waitForSelector('.error-summary');
      const summary = await admin.locator('.error-summary').innerText();
      expect(summary).to.contain('처리하지 못했습니다');
      expect(summary).to.contain('입력한 내용을 확인해 주십시오.');
      expect(summary).to.contain('/jwks/keys/0/d');
      expect(await admin.inputValue('#clientName')).to.equal('유출 앱');
      expect(await admin.locator('main').innerText()).not.to.contain('API 클라이언트를 등록했습니다.');
      await checkKorean(admin, 'organisation-private-key-refused', '처리하지 못했습니다');
      const listed = await admin.locator('section[aria-labelledby="clients-title"] table').innerText();
      expect(listed).not.to.contain('유출 앱');
    });

    it('visited every page with no serious or critical axe finding and no CSP violation', () => {
      expect(scanned).to.deep.equal([
        'sign-in',
        'flags',
        'flags (en)',
        'flag',
        'flag-saved',
        'flag-saved (ja)',
        'entries',
        'entries-filtered',
        'admin-home',
        'organisation',
        'organisation-clerk-added',
        'organisation-client-added',
        'organisation-private-key-refused',
      ]);
      expect(cspViolations).to.deep.equal([]);
    });
  });
});
