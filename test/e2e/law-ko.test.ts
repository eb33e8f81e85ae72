/**
 * What the law and the citizen expect (issue 22), walked in a real browser whose language is Korean
 * (chromium, locale ko-KR, Accept-Language only, no ?lang=): a guardian approves a bank's consent
 * request for a minor on a screen that says on whose behalf and names both; a citizen bars the bank on
 * the protections page, after which its consent request is a plain `forbidden` and the citizen's history
 * shows the refusal in Korean; a police investigation's access is a gap the citizen can count, and,
 * once the service's clock passes the embargo, an entry. Every page visited says <html lang="ko">,
 * speaks Korean and has no serious or critical axe violation; screenshots go to test/e2e/artifacts/.
 *
 * The service is the production composition on a loopback port with the reference registry, a clock
 * the test moves (`now`), and the test principal header in place of the identity provider: the
 * browser context of each person sends who they are (sign-in through the dev IdP is walked in
 * korean.test.ts and portal.test.ts).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import type { CitizenPrincipal, ClerkPrincipal } from '../../server/auth/principal.js';
import { createHttpServer } from '../../server/http/http-server.js';
import { createLogger } from '../../server/http/logger.js';
import {
  ADMIN,
  asPrincipal,
  buildTestApp,
  LogCapture,
  principalFromTestHeader,
  type TestApp,
} from '../support/app.js';
import { freshDatabase } from '../support/database.js';
import { startTestRegistry } from '../support/registry.js';
import {
  CLERK,
  HANBIT,
  MINJUN_ID,
  citizen,
  mortgageRequest,
  seedConsentWorld,
} from '../api/consents/consent-fixtures.js';
import { expectAccessible, launchChromium, screenshot } from './support/browser.js';

const CHILD_ID = '1505054123454';
const DAY_MS = 86_400_000;
const DETECTIVE: ClerkPrincipal = {
  kind: 'clerk',
  sub: 'clerk-knpa',
  clerkId: 'clerk-test-knpa-detective',
  orgId: 'org-knpa',
};

describe('the law in Korean, in a real browser: representatives, protection orders, embargoes', function () {
  this.timeout(120_000);
  let t: TestApp;
  let server: Server;
  let gateway: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let offsetMs = 0;
  let minjun: CitizenPrincipal;

  before(async function () {
    this.timeout(120_000);
    const database = await freshDatabase();
    const registry = await startTestRegistry(database);
    [t, browser] = await Promise.all([
      buildTestApp({
        database,
        registry,
        authenticate: principalFromTestHeader,
        now: () => new Date(Date.now() + offsetMs),
      }),
      launchChromium(),
    ]);
    await seedConsentWorld(t);
    minjun = citizen(t, MINJUN_ID, 'citizen-minjun');
    server = createHttpServer(t.app, createLogger('warn', new LogCapture()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    gateway = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  });

  /** A Korean browser for one person (none: a visitor who has not signed in). */
  async function koreanBrowser(who?: CitizenPrincipal): Promise<Page> {
    const context = await browser.newContext({
      locale: 'ko-KR',
      viewport: { width: 1000, height: 900 },
      ...(who ? { extraHTTPHeaders: { 'X-Test-Principal': JSON.stringify(who) } } : {}),
    });
    contexts.push(context);
    return context.newPage();
  }

  /** The page is Korean: its language, the switch's current language, no message key; then axe. */
  async function expectKorean(page: Page, name: string): Promise<string> {
    expect(await page.getAttribute('html', 'lang'), name).to.equal('ko');
    expect(page.url(), name).not.to.contain('lang=');
    const current = page.locator('.lang-switch [aria-current="true"]');
    expect(await current.first().innerText(), name).to.equal('한국어');
    const text = await page.locator('main').innerText();
    expect(text, `${name}: a message key instead of text`).not.to.match(
      /\b(protections|representative|portal|history|consent|reason)\.[a-z]+/,
    );
    expect(text, `${name}: Korean words`).to.match(/[가-힣]{2,}/);
    await screenshot(page, `law-${name}-ko`);
    await expectAccessible(page, `${name} (ko)`);
    return text;
  }

  async function sequence() {
    await t.composition.audit.sequencer.runOnce();
    await t.composition.audit.checkpointer.publish(true);
  }

  const askHanbit = (nationalId: string) =>
    request(t.app)
      .post('/v1/consent-requests')
      .set(...asPrincipal(HANBIT))
      .send(mortgageRequest({ subject: { scheme: 'rrn', id: nationalId } }));

  const query = (who: ClerkPrincipal, purpose: string) =>
    request(t.app)
      .post('/v1/queries')
      .set(...asPrincipal(who))
      .send({
        purpose,
        subject: { scheme: 'rrn', id: MINJUN_ID },
        mode: 'full',
        records: [{ recordType: 'resident.registration-abstract-individual' }],
        consent: { mode: 'statutory' },
      });

  it('a guardian approves a consent for a minor: the screen says on whose behalf and names both', async () => {
    const grant = await request(t.app)
      .post('/v1/admin/representatives')
      .set(...asPrincipal(ADMIN))
      .send({
        kind: 'guardian_minor',
        representative: { scheme: 'rrn', id: MINJUN_ID, name: '김민준' },
        principal: { scheme: 'rrn', id: CHILD_ID, name: '김하늘' },
        recordTypes: ['resident.registration-abstract', 'tax.income-amount-certificate'],
        validUntil: new Date(Date.now() + 365 * DAY_MS).toISOString(),
        evidence: { kind: 'family_relation', reference: '가족관계증명서 2026-0001' },
      });
    expect(grant.status, JSON.stringify(grant.body)).to.equal(201);
    const asked = await askHanbit(CHILD_ID);
    expect(asked.status, JSON.stringify(asked.body)).to.equal(201);

    const visitor = await koreanBrowser();
    await visitor.goto(`${gateway}/portal/protections`);
    const signIn = await expectKorean(visitor, 'protections-sign-in');
    expect(signIn).to.contain('로그인');

    const guardian = await koreanBrowser(minjun);
    await guardian.goto(`${gateway}/portal/protections`);
    const mine = await expectKorean(guardian, 'protections-guardian');
    expect(await guardian.locator('h1').innerText()).to.equal('열람 제한과 대리인');
    expect(mine).to.contain('내가 대리하는 사람');
    expect(await guardian.locator('#principals ~ ul li.grant').innerText()).to.match(
      /김하늘 · 미성년자의 법정대리인 · .*까지 · 유효/,
    );

    await guardian.goto(`${gateway}/consent/${asked.body.id}`);
    const screen = await expectKorean(guardian, 'consent-on-behalf');
    expect(screen).to.contain('김하늘 님을 대리하여 결정합니다');
    expect(screen).to.contain('대리인 김민준 님과 본인 김하늘 님의 이름이 함께 기록');
    expect(screen).to.contain('미성년자의 법정대리인');
    expect(screen).to.contain('한빛은행');
    await guardian.getByRole('button', { name: '동의합니다' }).click();
    await guardian.waitForURL(/\/done$/);
    const done = await expectKorean(guardian, 'consent-on-behalf-done');
    expect(done).to.contain('요청에 동의하셨습니다.');

    const event = await t.database
      .db('consent_event')
      .where({ consent_id: asked.body.id, type: 'approved' })
      .first();
    expect(event.actor).to.equal('representative');
    expect(event.detail.representation.representative.name).to.equal('김민준');
    expect(event.detail.representation.principal.name).to.equal('김하늘');
  });

  it('a citizen bars the bank on the page; its request is then plain forbidden; the history says why in Korean', async () => {
    const page = await koreanBrowser(minjun);
    await page.goto(`${gateway}/portal/protections`);
    await expectKorean(page, 'protections-before-order');
    await page.getByRole('radio', { name: '기관' }).check();
    await page.getByLabel('기관을 제한할 때: 기관').selectOption({ label: '한빛은행' });
    await page.getByLabel('나만 보는 메모 (예: 전 배우자)').fill('예전 거래 은행');
    await page.getByRole('button', { name: '제한 신청' }).click();
    await page.waitForURL(/\/portal\/protections\?done=1$/);
    const after = await expectKorean(page, 'protections-order-made');
    expect(after).to.contain('처리되었습니다.');
    const order = await page.locator('li.protection-order').innerText();
    expect(order).to.match(/기관\s+한빛은행\s+\(예전 거래 은행\) · 본인 신청 · .* · 효력 있음/);

    const refused = await askHanbit(MINJUN_ID);
    expect(refused.status).to.equal(403);
    expect(refused.body.code).to.equal('forbidden');
    expect(JSON.stringify(refused.body)).not.to.match(/protection|예전/);
    await sequence();

    await page.goto(`${gateway}/portal/history`);
    const history = await expectKorean(page, 'history-protection-refusal');
    expect(history).to.contain('회원님의 열람 제한 신청(보호명령)에 따라 거부되었습니다');
    expect(history).to.contain('한빛은행');
  });

  it('an investigation is a counted gap while embargoed, and an entry once the embargo ends', async () => {
    expect((await query(CLERK, 'resident.move-in-report')).status).to.equal(200);
    const investigation = await query(DETECTIVE, 'police.criminal-investigation');
    expect(investigation.status, JSON.stringify(investigation.body)).to.equal(200);
    expect((await query(CLERK, 'resident.move-in-report')).status).to.equal(200);
    await sequence();

    const page = await koreanBrowser(minjun);
    await page.goto(`${gateway}/portal/history`);
    const hidden = await expectKorean(page, 'history-embargo-gap');
    expect(hidden).to.contain('이 사이의 열람 1건은 법에 따른 공개 유예');
    expect(hidden).not.to.contain('경찰청');
    expect(hidden).not.to.contain('범죄 수사');

    offsetMs = 91 * DAY_MS;
    await page.goto(`${gateway}/portal/history`);
    const shown = await expectKorean(page, 'history-embargo-ended');
    expect(shown).to.contain('경찰청');
    expect(shown).to.contain('범죄 수사');
    expect(shown).to.contain('공개가 유예됩니다');
    expect(shown).not.to.contain('이 사이의 열람');
  });
});
