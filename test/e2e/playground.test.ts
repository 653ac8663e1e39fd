// End to end in the Microsoft 365 Agents Playground (the local Teams emulator), driven in headless
// Chromium: the bot process on a seeded store, the playground in front of it, a person typing.
import type { ChildProcess } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog-file.js';
import { DEFAULT_RULES_FILE } from '../../src/config.js';
import { memberStatus } from '../../src/core/lifecycle.js';
import { dateIn } from '../../src/core/time.js';
import { importRecords } from '../../src/services/import-records.js';
import { readStore, Store } from '../../src/store/store.js';
import { describeInBrowser, launch } from '../support/browser.js';
import { startUntilReady, stopAll } from '../support/ready.js';
import { childTmp, tempDir } from '../support/temp.js';

/** The playground's default user. */
const ALEX = '00000000-0000-0000-0000-0000000000020';
const DAY = 86_400_000;

const processes: ChildProcess[] = [];
const start = (command: string[], env: NodeJS.ProcessEnv, ready: RegExp) => startUntilReady(command, { ...childTmp(), ...env }, ready, processes);

describeInBrowser('in the Agents Playground', () => {
  let browser: Browser;
  let page: Page;
  let db: string;
  const catalog = loadCatalog(DEFAULT_RULES_FILE);
  // Dates relative to today, so the seeded year is the current membership year whenever this runs.
  const today = Date.now();
  const signedUpAt = dateIn(today - 100 * DAY, catalog.timeZone);

  beforeAll(async () => {
    const dir = tempDir('playground-');
    db = join(dir, 'db.json');
    const store = await Store.open(db, { command: 'e2e seed' });
    const seeded = await importRecords(
      store,
      catalog,
      [
        { type: 'member', id: ALEX, email: 'alexw@contoso.com', name: 'Alex Wilber', signedUpAt },
        { type: 'credit', id: 'seed-1', member: ALEX, action: 'cert.configurator', at: new Date(today - 10 * DAY).toISOString() },
        { type: 'credit', id: 'seed-2', member: ALEX, action: 'qa.answer', at: new Date(today - 9 * DAY).toISOString() },
      ].map((value, i) => ({ index: i + 1, value })),
      { source: 'import', by: 'e2e' },
      today,
    );
    expect(seeded.ok).toBe(true);
    await store.close();

    const botUrl = await start(['node', '--import', 'tsx', 'src/main.ts'], { DB_FILE: db, PORT: '0', ADMINS: ALEX, LOG_LEVEL: 'info' }, /"url":"(http:\/\/127\.0\.0\.1:\d+)"/);
    // The playground opens a browser with xdg-open at start and dies without one: give it a no-op.
    writeFileSync(join(dir, 'xdg-open'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(dir, 'xdg-open'), 0o755);
    const port = await start(
      ['node', 'node_modules/@microsoft/m365agentsplayground/cli.js', '-e', `${botUrl}/api/messages`, '-c', 'msteams', '--disable-telemetry', '-p', '0'],
      { PATH: `${dir}:${process.env.PATH}` },
      /Listening on (\d+)/,
    );
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    // A hang guard, not a speed check: a loaded machine may take many times the usual time.
    page.setDefaultTimeout(90_000);
    await page.goto(`http://127.0.0.1:${port}`, { waitUntil: 'load' });
    await page.locator('[role="textbox"][contenteditable="true"]').waitFor();
    // Opening the chat installs the app in personal scope: the welcome card comes first, and once.
    await page.locator('.ac-adaptiveCard', { hasText: 'Welcome to DevOps Points' }).waitFor();
    expect(await page.locator('.ac-adaptiveCard').count()).toBe(1);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stopAll(processes, 'SIGTERM');
  });

  async function say(text: string): Promise<string> {
    const cards = page.locator('.ac-adaptiveCard');
    const before = await cards.count();
    await page.locator('[role="textbox"][contenteditable="true"]').click();
    await page.keyboard.type(text);
    await page.keyboard.press('Enter');
    await expect.poll(() => cards.count(), { timeout: 90_000 }).toBeGreaterThan(before);
    return cards.last().innerText();
  }

  const number = (n: number) => n.toLocaleString('en-US');

  it('shows the seeded numbers on /points, as the status of the CLI computes them', async () => {
    const state = await readStore(db);
    const expected = memberStatus(catalog, state.member(ALEX)!, state.entriesOf(ALEX), Date.now())!;
    const card = await say('/points');
    expect(card).toContain('Alex Wilber');
    expect(card).toContain('DevOps Advocate');
    expect(expected.points).toBe(775);
    expect(card).toContain(number(expected.points));
    expect(card).toContain(`${number(expected.pointsToNextLevel!)} more points this year to reach Enabler`);
    expect(card).toContain(`${expected.year.endDate}, in ${expected.daysToRenewal} days`);
  }, 180_000);

  it('credits 500 a day for an attendance card submitted by the user and approved by an administrator', async () => {
    await say('attendance');
    const form = page.locator('.ac-adaptiveCard').last();
    const fields = form.locator('input[type="text"]');
    await fields.nth(0).fill('DataMiner Automation training');
    await fields.nth(1).click();
    await page.getByRole('option', { name: /On-site training or event/ }).click();
    await form.locator('input[type="radio"]').first().check();
    const first = dateIn(today - 3 * DAY, catalog.timeZone);
    const last = dateIn(today - 2 * DAY, catalog.timeZone);
    await fields.nth(2).fill(first);
    await fields.nth(3).fill(last);
    await form.getByRole('button', { name: 'Submit attendance' }).click();
    // Universal Actions: the card is replaced in place by the outcome.
    await expect.poll(() => page.locator('.ac-adaptiveCard').last().innerText(), { timeout: 90_000 }).toContain('Claim submitted');
    expect(await page.locator('.ac-adaptiveCard').last().innerText()).toContain(`${first}, ${last}`);

    const review = await say('review');
    expect(review).toContain('Claim by Alex Wilber');
    await page.locator('.ac-adaptiveCard').last().getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => page.locator('.ac-adaptiveCard').last().innerText(), { timeout: 90_000 }).toContain('+1,000 points');

    const card = await say('points');
    expect(card).toContain(number(775 + 1000));
    const state = await readStore(db);
    const credited = state.entriesOf(ALEX).filter((e) => e.action === 'training.event');
    expect(credited.map((e) => [e.points, e.inputs.days, e.by])).toEqual([[1000, 2, ALEX]]);
  }, 180_000);
});
