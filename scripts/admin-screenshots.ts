// Screenshots of the administrators' view for the README: docs/admin-light.png and docs/admin-dark.png,
// made in headless Chromium against the tab tests' seeded store (test/tab/fixtures.ts), signed in as
// an administrator through the development sign-in of local mode.
//
//   npx tsx scripts/admin-screenshots.ts        (needs Chromium: apt-get install chromium, or CHROMIUM_PATH)
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from '../test/support/browser.js';
import { removeTemp } from '../test/support/temp.js';
import { buildTab } from '../test/tab/build.js';
import { ALEX, startTabServer } from '../test/tab/fixtures.js';

const DOCS = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'docs');
const SHOTS = [
  { theme: 'default', file: 'admin-light.png' },
  { theme: 'dark', file: 'admin-dark.png' },
];

const server = await startTabServer({ tabDir: await buildTab(), env: { ADMINS: ALEX } });
const browser = await launch();
try {
  for (const { theme, file } of SHOTS) {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 }, deviceScaleFactor: 1 });
    await page.goto(`${server.url}/tab?theme=${theme}`);
    await page.locator('#dev-member').fill('alex@example.com');
    await page.keyboard.press('Enter');
    await page.locator('#admin-levels-chart').waitFor();
    await page.locator('#admin-renewals').waitFor();
    await page.locator('#admin-queue').waitFor();
    // A member opened from the search, so the picture shows every part of the view.
    await page.locator('#admin-search-q').fill('larsen');
    await page.keyboard.press('Enter');
    await page.locator('#admin-search-results button').first().click();
    await page.locator('#admin-member-history').waitFor();
    await page.locator('#admin-view').screenshot({ path: join(DOCS, file) });
    console.log(`Wrote docs/${file}`);
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
  // The built page and the seeded store were made in temporary folders.
  removeTemp();
}
