// Browser tests run in Debian's Chromium through playwright-core. Without it they are skipped, saying
// so plainly; in CI (CI=true) a missing browser is a failure, never a silent skip.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
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
