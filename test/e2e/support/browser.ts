/**
 * Browser-test helpers: Debian's chromium through playwright-core (no browser download), the real service on
 * random ports (dev IdP, reference registry, demo data), screenshots into the git-ignored test/e2e/artifacts/,
 * axe-core scans, and signing in at the dev identity provider like a person would.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { expect } from 'chai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startService, type RunningService } from '../../../server/boot.js';
import { loadConfig } from '../../../server/config.js';
import { createLogger } from '../../../server/http/logger.js';
import { LogCapture } from '../../support/app.js';
import { freshDatabase } from '../../support/database.js';

export const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'artifacts');

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/**
 * A free port below Linux's ephemeral range (32768–60999). A port the kernel handed out for
 * `listen(0)` and we released could be handed out again to the witnesses and registry the service
 * starts on port 0 before the gateway binds its own (EADDRINUSE in CI once); these never are.
 */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const server = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!bound) continue;
    await new Promise((resolve) => server.close(resolve));
    return port;
  }
}

export interface E2eService {
  gateway: string;
  running: RunningService;
  stop(): Promise<void>;
}

/** The service as `npm start` runs it: dev IdP, in-process reference registry, demo organisations and people. */
export async function startE2eService(): Promise<E2eService> {
  const database = await freshDatabase();
  const [port, idpPort] = [await freePort(), await freePort()];
  const gateway = `http://127.0.0.1:${port}`;
  const keyDir = mkdtempSync(join(tmpdir(), 'juc-e2e-keys-'));
  const devDir = mkdtempSync(join(tmpdir(), 'juc-e2e-dev-'));
  const config = loadConfig({
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
  const running = await startService(config, createLogger('warn', new LogCapture()));
  return {
    gateway,
    running,
    async stop() {
      await running.stop();
      for (const dir of [keyDir, devDir]) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Runs axe-core (WCAG 2.0–2.2 A/AA rules and best practices) on the page and fails on any serious or critical
 * violation. The source is evaluated through the DevTools protocol, so the pages keep their real CSP.
 */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run(context: unknown, options: unknown): Promise<{ violations: unknown[] }> };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'],
      },
    });
    return result.violations;
  })) as AxeViolation[];
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    serious.map(
      (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    ),
    `axe on ${label}`,
  ).to.deep.equal([]);
}

/** Fills the dev IdP's login (and consent) prompts until the browser is back on the gateway. */
export async function signInAtDevIdp(page: Page, login: string, gateway: string): Promise<void> {
  for (let step = 0; step < 6; step++) {
    if (page.url().startsWith(gateway)) return;
    const before = page.url();
    if ((await page.locator('input[name="login"]').count()) > 0) {
      await page.fill('input[name="login"]', login);
      await page.fill('input[name="password"]', 'any password works');
    }
    await page.locator('button[type="submit"]').first().click();
    await page.waitForURL((url) => url.href !== before);
    await page.waitForLoadState('load');
  }
  expect(page.url(), 'the sign-in did not come back to the gateway').to.match(new RegExp(`^${gateway}`));
}
