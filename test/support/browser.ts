// Browser tests run in Debian's Chromium through playwright-core. Without it they are skipped, saying
// so plainly; in CI (CI=true) a missing browser is a failure, never a silent skip.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { describe } from 'vitest';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);

if (!available) {
  if (process.env.CI === 'true') throw new Error(`Chromium is not at ${CHROMIUM}: CI must install it (apt-get install -y chromium).`);
  console.warn(`Browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH).`);
}

export const describeInBrowser = available ? describe : describe.skip;

/**
 * Chromium writes its own temporary files (`.org.chromium.Chromium.*`, e.g. for downloads) to TMPDIR and
 * may leave one behind when it is closed mid-write; each browser gets a TMPDIR of its own, removed once
 * the browser has exited, so the run's temp folder check sees nothing of it.
 */
export async function launch(): Promise<Browser> {
  const ownTemp = mkdtempSync(join(tmpdir(), 'chromium-'));
  const removeTemp = (): void => rmSync(ownTemp, { recursive: true, force: true });
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      env: { ...process.env, TMPDIR: ownTemp },
    });
  } catch (error) {
    removeTemp();
    throw error;
  }
  const close = browser.close.bind(browser);
  browser.close = async (...args: Parameters<Browser['close']>) => {
    try {
      await close(...args);
    } finally {
      removeTemp();
    }
  };
  return browser;
}

/**
 * A page that collects its errors: uncaught exceptions and console errors, less what a machine without
 * internet always shows (teams-js reaching its CDN, the CSP refusing it, failed loads, such as the
 * refusals a test provokes on purpose).
 */
export async function pageWithErrors(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
  // A hang guard, not a speed check: a loaded machine may take many times the usual time.
  page.setDefaultTimeout(90_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/res\.cdn\.office\.net|Content Security Policy|ERR_NAME_NOT_RESOLVED|Failed to load resource/.test(message.text())) errors.push(message.text());
  });
  return { page, errors };
}
