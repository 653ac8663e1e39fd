// Screenshots of the personal tab for the README: docs/tab-light.png and docs/tab-dark.png, made in
// headless Chromium against the tab tests' seeded store (test/tab/fixtures.ts), through the
// development sign-in of local mode.
//
//   npx tsx scripts/tab-screenshots.ts        (needs Chromium: apt-get install chromium, or CHROMIUM_PATH)
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from '../test/support/browser.js';
import { buildTab } from '../test/tab/build.js';
import { ALEX, startTabServer } from '../test/tab/fixtures.js';

const DOCS = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'docs');
const SHOTS = [
  { theme: 'default', file: 'tab-light.png' },
  { theme: 'dark', file: 'tab-dark.png' },
];

// Alex is an administrator here too, so the pictures show every part of the page.
const server = await startTabServer({ tabDir: await buildTab(), env: { ADMINS: ALEX } });
const browser = await launch();
try {
  for (const { theme, file } of SHOTS) {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 }, deviceScaleFactor: 1 });
    await page.goto(`${server.url}/tab?theme=${theme}`);
    await page.locator('#dev-member').fill('alex@example.com');
    await page.keyboard.press('Enter');
    await page.locator('#points').waitFor();
    await page.screenshot({ path: join(DOCS, file), fullPage: true });
    console.log(`Wrote docs/${file}`);
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
