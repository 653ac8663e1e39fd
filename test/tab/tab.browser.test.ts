// The personal tab in headless Chromium against the seeded store: the numbers on the page are those of
// the CLI's `status`, inside a simulated Teams host with SSO and outside Teams with the development
// sign-in; the three themes meet the contrast minimums; the page works by keyboard.
import type { Frame, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeInBrowser } from '../support/browser.js';
import { browserSuite } from './browser-suite.js';
import { FILL_CONTRAST_SCRIPT, LOW_CONTRAST_SCRIPT, type LowContrast } from './contrast.js';
import { cliStatus, type CliStatus } from './cli-status.js';
import { APP_ID_URI } from './entra.js';
import { ALEX, catalog, CY, NOW, TENANT } from './fixtures.js';
import { hostPage } from './teams-host.js';

const levelName = (id: string | null) => catalog.levels.find((l) => l.id === id)?.name ?? 'No level yet';
const figure = async (where: Page | Frame, selector: string) => Number((await where.locator(selector).innerText()).replace(/,/g, ''));

/** Every number the page shows for the status, checked against the CLI's. */
async function expectCliNumbers(where: Page | Frame, cli: CliStatus): Promise<void> {
  expect(await where.locator('#status-level').innerText()).toBe(levelName(cli.status));
  expect(await figure(where, '#points')).toBe(cli.points);
  expect(await figure(where, '#to-next-level')).toBe(cli.pointsToNextLevel);
  expect(await where.locator('#next-level').innerText()).toBe(levelName(cli.nextLevel));
  if (cli.toKeepStatus > 0) expect(await figure(where, '#to-keep')).toBe(cli.toKeepStatus);
  else expect(await where.locator('#secured').count()).toBe(1);
  expect(await figure(where, '#days-to-renewal')).toBe(cli.daysToRenewal);
  expect(await where.locator('#renewal-date').innerText()).toBe(cli.year.end);
  expect(await where.locator('#year-start').innerText()).toBe(cli.year.start);
  expect(await where.locator('p.year').innerText()).toContain(`Membership year ${cli.year.number}: `);
  // The monthly chart adds up to the year's points.
  const months = await where.locator('#months-chart .month:not(.future)').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-points'))));
  expect(months.reduce((a, b) => a + b, 0)).toBe(cli.points);
}

describeInBrowser('the personal tab in Chromium', () => {
  const { entra, start, newPage } = browserSuite();

  /** Outside Teams, local mode: the development sign-in, by keyboard only. */
  async function signInByKeyboard(page: Page, member: string): Promise<void> {
    await page.locator('#dev-member').waitFor();
    for (let i = 0; i < 10 && (await page.evaluate(() => document.activeElement?.id)) !== 'dev-member'; i += 1) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('dev-member');
    await page.keyboard.type(member);
    await page.keyboard.press('Enter');
    await page.locator('#points').waitFor();
  }

  it('outside Teams in local mode: development sign-in by keyboard; the numbers are those of the CLI', async () => {
    const server = await start();
    const { page, errors } = await newPage();
    await page.goto(`${server.url}/tab`);
    await expect.poll(() => page.locator('main').innerText()).toContain('You are not in Microsoft Teams.');
    expect(await page.locator('h2#dev-heading').innerText()).toBe('Development sign-in');
    expect(await page.getByLabel('Member id or email').count()).toBe(1);
    await signInByKeyboard(page, 'alex@example.com');
    await expectCliNumbers(page, await cliStatus(server.file, ALEX));
    expect(await page.locator('.dev-bar').innerText()).toContain('Development sign-in (local mode)');
    expect(await page.locator('#history tbody tr').count()).toBe(12);
    expect(await page.locator('#history tbody tr.reversed').innerText()).toContain('reversed later');
    expect(await page.locator('#history').innerText()).toContain('Answer removed as a duplicate');
    expect(await page.locator('#pending tbody tr').allInnerTexts()).toEqual([
      '2026-11-19\tBlog post\t2026-11-18'.replace('Blog post', catalog.byId.get('content.blog')!.title),
      '2026-11-14\tInternal automation workshop\t2026-11-12, 2026-11-13',
    ]);
    expect(await page.locator('#claims-waiting').count()).toBe(0);
    // Sign out, back to the form, by keyboard.
    await page.getByRole('button', { name: 'Sign out' }).focus();
    await page.keyboard.press('Enter');
    await page.locator('#dev-member').waitFor();
    // An unknown member: the sentence, and focus back in the field.
    await page.locator('#dev-member').fill('nobody@example.com');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('alert').innerText()).toBe('No member with id or email "nobody@example.com".');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('dev-member');
    expect(errors).toEqual([]);
  });

  it('in a simulated Teams host: Teams SSO, the theme from the context and its changes, a retry for an expired token', async () => {
    const server = await start({ env: { TAB_APP_ID_URI: APP_ID_URI, TAB_OPENID_METADATA_URL: entra.metadataUrl }, credentials: true });
    const expired = await entra.token(ALEX, { exp: Math.floor(NOW / 1000) - 300 });
    const valid = await entra.token(ALEX);
    const { page, errors } = await newPage();
    await page.route(`${server.url}/teams`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: hostPage({
          tabPath: '/tab',
          tokens: [expired, valid],
          context: { locale: 'en-us', theme: 'contrast', userObjectId: ALEX, tid: TENANT, hostName: 'Teams', hostClientType: 'web', frameContext: 'content', entityId: 'my-points', appSessionId: 'session-1' },
        }),
      }),
    );
    await page.goto(`${server.url}/teams`);
    const tab = page.frameLocator('#tab');
    await tab.locator('#points').waitFor();
    const frame = page.frames().find((f) => f.url().endsWith('/tab'))!;
    await expectCliNumbers(frame, await cliStatus(server.file, ALEX));
    expect(await frame.evaluate(() => document.documentElement.dataset.theme)).toBe('contrast');
    const requests = (await page.evaluate('window.requests')) as string[];
    expect(requests.filter((r) => r === 'authentication.getAuthToken')).toHaveLength(2);
    expect(requests).toContain('getContext');
    expect(await frame.locator('.dev-bar').count()).toBe(0);
    await page.evaluate("window.changeTheme('dark')");
    await expect.poll(() => frame.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    expect(errors).toEqual([]);
  });

  it('in Teams, a sign-in Teams refuses is a sentence and a button to try again', async () => {
    const server = await start({ env: { TAB_APP_ID_URI: APP_ID_URI, TAB_OPENID_METADATA_URL: entra.metadataUrl }, credentials: true });
    const { page } = await newPage();
    const token = await entra.token(CY);
    await page.route(`${server.url}/teams`, (route) =>
      route.fulfill({ contentType: 'text/html', body: hostPage({ tabPath: '/tab', tokens: [null, token], context: { locale: 'en-us', theme: 'default', userObjectId: CY, tid: TENANT } }) }),
    );
    await page.goto(`${server.url}/teams`);
    const tab = page.frameLocator('#tab');
    await expect.poll(() => tab.getByRole('alert').innerText()).toBe('Teams could not sign you in: resourceDisabled.');
    await tab.getByRole('button', { name: 'Try again' }).click();
    await expect.poll(() => tab.locator('main').innerText()).toContain('You are not enrolled');
    expect(await tab.locator('#claims-waiting').innerText()).toBe('3');
  });

  it('outside Teams on a server with credentials: says so and offers nothing to click', async () => {
    const server = await start({ credentials: true });
    const { page, errors } = await newPage();
    await page.goto(`${server.url}/tab`);
    await expect.poll(() => page.locator('main').innerText()).toContain('You are not in Microsoft Teams.');
    expect(await page.locator('main').innerText()).toContain('Open DevOps Points in Teams');
    expect(await page.locator('button, input, a, form').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it.each(['default', 'dark', 'contrast'])('meets the contrast minimums in the %s theme', async (theme) => {
    const server = await start({ env: { ADMINS: ALEX } });
    const { page } = await newPage();
    await page.goto(`${server.url}/tab?theme=${theme}`);
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
    expect((await page.evaluate(LOW_CONTRAST_SCRIPT)) as LowContrast[]).toEqual([]); // the sign-in form
    await signInByKeyboard(page, ALEX);
    expect(await page.locator('#claims-waiting').innerText()).toBe('3');
    expect((await page.evaluate(LOW_CONTRAST_SCRIPT)) as LowContrast[]).toEqual([]);
    expect(await page.evaluate(FILL_CONTRAST_SCRIPT)).toBeGreaterThanOrEqual(3);
  });
});
