// Screenshots of the personal tab for the README, made in headless Chromium against the tab tests'
// seeded store (test/tab/fixtures.ts) through the development sign-in of local mode:
// docs/tab-light.png and docs/tab-dark.png (a member's page), docs/admin-light.png and
// docs/admin-dark.png (the administrators' view, with a member opened from the search).
//
//   npx tsx scripts/tab-screenshots.ts        (needs Chromium: apt-get install chromium, or CHROMIUM_PATH)
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { launch } from '../test/support/browser.js';
import { removeTemp } from '../test/support/temp.js';
import { buildTab } from '../test/tab/build.js';
import { ALEX, startTabServer } from '../test/tab/fixtures.js';

const DOCS = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'docs');

async function memberPage(page: Page, file: string): Promise<void> {
  await page.locator('#points').waitFor();
  await page.screenshot({ path: join(DOCS, file), fullPage: true });
}

async function adminView(page: Page, file: string): Promise<void> {
  for (const part of ['#admin-levels-chart', '#admin-renewals', '#admin-queue']) await page.locator(part).waitFor();
  await page.locator('#admin-search-q').fill('larsen');
  await page.keyboard.press('Enter');
  await page.locator('#admin-search-results button').first().click();
  await page.locator('#admin-member-history').waitFor();
  await page.locator('#admin-view').screenshot({ path: join(DOCS, file) });
}

// Alex as a member for the member's page; as an administrator for the administrators' view.
const SHOTS: { admins: Record<string, string>; theme: string; file: string; take: (page: Page, file: string) => Promise<void> }[] = [
  { admins: {}, theme: 'default', file: 'tab-light.png', take: memberPage },
  { admins: {}, theme: 'dark', file: 'tab-dark.png', take: memberPage },
  { admins: { ADMINS: ALEX }, theme: 'default', file: 'admin-light.png', take: adminView },
  { admins: { ADMINS: ALEX }, theme: 'dark', file: 'admin-dark.png', take: adminView },
];

const tabDir = await buildTab();
const browser = await launch();
try {
  for (const { admins, theme, file, take } of SHOTS) {
    const server = await startTabServer({ tabDir, env: admins });
    try {
      const page = await browser.newPage({ viewport: { width: 1000, height: 900 }, deviceScaleFactor: 1 });
      await page.goto(`${server.url}/tab?theme=${theme}`);
      await page.locator('#dev-member').fill('alex@example.com');
      await page.keyboard.press('Enter');
      await take(page, file);
      console.log(`Wrote docs/${file}`);
      await page.close();
    } finally {
      await server.close();
    }
  }
} finally {
  await browser.close();
  // The built page and the seeded stores were made in temporary folders.
  removeTemp();
}
