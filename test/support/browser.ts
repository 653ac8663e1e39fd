// Browser tests run in Debian's Chromium through playwright-core. Without it they are skipped, saying
// so plainly; in CI (CI=true) a missing browser is a failure, never a silent skip.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { describe } from 'vitest';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);

if (!available) {
  if (process.env.CI === 'true') throw new Error(`Chromium is not at ${CHROMIUM}: CI must install it (apt-get install -y chromium).`);
  console.warn(`Browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH).`);
}

export const describeInBrowser = available ? describe : describe.skip;

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
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
