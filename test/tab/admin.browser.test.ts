// The administrators' view in headless Chromium, in the simulated Teams host with Teams SSO against the
// real server: the overview and the renewals show the CLI's numbers at the same instant, claims are
// approved and rejected from the tab with the /review card's outcomes, the member search opens a
// member, the three themes meet the contrast minimums, and a member sees no admin section at all.
import { readFile } from 'node:fs/promises';
import type { Frame, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { pendingClaims } from '../../src/core/claims.js';
import { describeInBrowser } from '../support/browser.js';
import { browserSuite } from './browser-suite.js';
import { LOW_CONTRAST_SCRIPT, type LowContrast } from './contrast.js';
import { cliExport, cliStatus } from './cli-status.js';
import { APP_ID_URI } from './entra.js';
import { ADMIN_ROUTES, ALEX, BO, catalog, CY, FAY, NOW, TENANT, type TabServer } from './fixtures.js';
import { openInTeams } from './teams-host.js';

const levelName = (id: string | null) => catalog.levels.find((l) => l.id === id)?.name ?? 'No level';
describeInBrowser('the administrators’ view in Chromium', () => {
  const { entra, start: startServer, newPage } = browserSuite();
  const start = (env: Record<string, string> = {}) =>
    startServer({ env: { TAB_APP_ID_URI: APP_ID_URI, TAB_OPENID_METADATA_URL: entra.metadataUrl, ...env }, credentials: true });

  /** The tab in the simulated Teams host, signed in with SSO as `who`, once the admin view has loaded (when it is there). */
  async function inTeams(server: TabServer, who: string, theme = 'default'): Promise<{ page: Page; frame: Frame; errors: string[] }> {
    const { page, errors } = await newPage();
    const frame = await openInTeams(page, server.url, { tokens: [await entra.token(who)], context: { locale: 'en-us', theme, userObjectId: who, tid: TENANT } });
    return { page, frame, errors };
  }

  async function adminLoaded(frame: Frame): Promise<void> {
    for (const selector of ['#admin-levels-chart', '#admin-renewals', '#admin-queue, #admin-queue-none']) await frame.locator(selector).first().waitFor();
  }

  it('shows the overview, the renewals and the queue with the numbers of the CLI’s status at the same instant', async () => {
    const server = await start();
    const { frame, errors } = await inTeams(server, CY);
    await adminLoaded(frame);
    const statuses = await Promise.all([ALEX, BO, FAY].map((m) => cliStatus(server.file, m)));
    expect(await frame.locator('#admin-enrolled').innerText()).toBe(String(statuses.length));
    const bars = await frame.locator('#admin-levels-chart .level').evaluateAll((els) => els.map((e) => [e.getAttribute('data-level'), Number(e.getAttribute('data-members'))]));
    expect(bars).toEqual([null, ...catalog.levels.map((l) => l.id)].map((level) => [level ?? 'none', statuses.filter((s) => s.status === level).length]));
    expect(await frame.locator('#admin-levels-chart').getAttribute('aria-label')).toBe('Members per level. No level: 0; Advocate: 1; Enabler: 2; Catalyst: 0.');
    const months = await frame.locator('#admin-months-chart .month').evaluateAll((els) => els.map((e) => [e.getAttribute('data-month'), Number(e.getAttribute('data-points'))]));
    expect(months).toHaveLength(12);
    expect(months.at(-1)).toEqual(['2026-11', 75]);
    expect(await frame.locator('#admin-top-actions tbody tr').count()).toBe(10);
    expect(await frame.locator('#admin-top-actions tbody tr').first().innerText()).toBe(`${catalog.byId.get('content.blog')!.title}\t4,000\t1`);

    // The renewals: Fay's row, cell by cell, against her CLI status.
    const fay = await cliStatus(server.file, FAY);
    const cells = await frame.locator(`#admin-renewals tr[data-member="${FAY}"] td`).allInnerTexts();
    expect(cells).toEqual([
      'Fay Okafor · fay@example.com',
      levelName(fay.status),
      fay.points.toLocaleString('en-US'),
      fay.toKeepStatus.toLocaleString('en-US'),
      `${fay.year.end} in ${fay.daysToRenewal} days`,
      '30 days before (sent 2026-11-10)',
    ]);
    expect(await frame.locator('#admin-renewals th').allInnerTexts()).toEqual(['Member', 'Level now', 'Points this year', 'Still needed to keep', 'Anniversary', 'Reminders sent']);

    // The queue, oldest first, as the store has it.
    const queued = await frame.locator('#admin-queue > li').evaluateAll((els) => els.map((e) => e.getAttribute('data-claim')));
    expect(queued).toEqual(pendingClaims(server.store.state.claims.values()).map((c) => c.id));
    expect(await frame.locator('#claims-waiting').innerText()).toBe('3');
    expect(errors).toEqual([]);
  });

  it('downloads every export as the CLI writes it, takes the dates each export needs, and says why a download is refused', async () => {
    const server = await start();
    const { page, frame, errors } = await inTeams(server, CY);
    await adminLoaded(frame);
    const downloaded = async (): Promise<{ name: string; bytes: Buffer }> => {
      const [file] = await Promise.all([page.waitForEvent('download'), frame.getByRole('button', { name: 'Download' }).click()]);
      const bytes = await readFile((await file.path())!);
      await expect.poll(() => frame.locator('#admin-export-outcome').innerText()).toBe(`Downloaded ${file.suggestedFilename()}.`);
      return { name: file.suggestedFilename(), bytes };
    };
    for (const kind of ['statuses', 'ledger', 'claims', 'leaderboard', 'partners']) {
      await frame.locator('#admin-export-kind').selectOption(kind);
      const { name, bytes } = await downloaded();
      expect(name).toMatch(new RegExp(`^${kind}-[0-9a-z-]+\\.csv$`));
      expect(bytes.equals(await cliExport(server.file, [kind]))).toBe(true);
    }

    // The ledger of June in JSON Lines: only From and To are offered for it.
    await frame.locator('#admin-export-kind').selectOption('ledger');
    await frame.locator('#admin-export-format').selectOption('jsonl');
    expect(await frame.locator('#admin-export-at').isHidden()).toBe(true);
    await frame.locator('#admin-export-from').fill('2026-06-01');
    await frame.locator('#admin-export-to').fill('2026-06-30');
    const june = await downloaded();
    expect(june.name).toBe('ledger-2026-06-01-to-2026-06-30.jsonl');
    expect(june.bytes.equals(await cliExport(server.file, ['ledger', '--format', 'jsonl', '--from', '2026-06-01', '--to', '2026-06-30']))).toBe(true);
    // June in Brussels time, and not empty, so the comparison has content.
    const rows = june.bytes.toString('utf8').trim().split('\n').map((line) => JSON.parse(line) as { at: string });
    expect(rows.length).toBeGreaterThan(2);
    expect(rows.every((r) => r.at >= '2026-05-31T22:00:00.000Z' && r.at < '2026-06-30T22:00:00.000Z')).toBe(true);

    // A period the wrong way round: the server's sentence, and no file.
    await frame.locator('#admin-export-from').fill('2026-07-01');
    let files = 0;
    page.on('download', () => void (files += 1));
    await frame.getByRole('button', { name: 'Download' }).click();
    await expect.poll(() => frame.locator('#admin-export-outcome').innerText()).toBe('"from" (2026-07-01) comes after "to" (2026-06-30).');
    expect(files).toBe(0);
    expect(errors).toEqual([]);
  });

  it('approves and rejects from the tab by keyboard; a claim decided elsewhere meanwhile is refused as already decided', async () => {
    const server = await start();
    const { frame, errors } = await inTeams(server, CY);
    const second = await inTeams(server, CY);
    await adminLoaded(frame);
    await adminLoaded(second.frame);

    // Approve claim-alex-1 (a range rule): type the points and press Enter in the field.
    const blog = frame.locator('#admin-queue > li[data-claim="claim-alex-1"]');
    await blog.getByLabel('Points (2,500 to 5,000)').focus();
    await frame.page().keyboard.type('3000');
    await frame.page().keyboard.press('Enter');
    await expect.poll(() => frame.locator('#admin-outcome').innerText()).toBe('Claim claim-alex-1 approved: Alex Wilber +3,000 points. The member is told.');
    expect(await frame.locator('#admin-outcome').getAttribute('role')).toBe('status');
    expect(server.store.state.claims.get('claim-alex-1')).toMatchObject({ status: 'approved', decidedBy: CY, points: 3000, credited: ['claim-alex-1.1'] });
    expect(server.store.state.entry('claim-alex-1.1')).toMatchObject({ memberId: ALEX, points: 3000 });
    expect(server.store.state.notifications.get(`claim-decision:claim-alex-1:${ALEX}`)).toMatchObject({ delivery: 'pending', status: 'approved' });
    await expect.poll(() => frame.locator('#admin-queue > li').count()).toBe(2);
    expect(await frame.locator('#claims-waiting').innerText()).toBe('2');
    // Focus stays in the queue after the claim leaves it.
    expect(await frame.evaluate(() => document.activeElement?.id)).toBe('admin-queue-card-heading');

    // The second page still shows claim-alex-1: its approve is refused, and nothing changes.
    const entries = server.store.state.ledger.size;
    const stale = second.frame.locator('#admin-queue > li[data-claim="claim-alex-1"]');
    await stale.getByLabel('Points (2,500 to 5,000)').fill('5000');
    await stale.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => second.frame.locator('#admin-outcome').innerText()).toBe(`Claim claim-alex-1 was already approved by ${CY} on 2026-11-23. Nothing was changed.`);
    expect(server.store.state.ledger.size).toBe(entries);
    expect(server.store.state.claims.get('claim-alex-1')?.points).toBe(3000);
    await expect.poll(() => second.frame.locator('#admin-queue > li').count()).toBe(2);

    // Reject claim-bo-1 with a reason; an empty reason is not sent (the field is required).
    const docs = frame.locator('#admin-queue > li[data-claim="claim-bo-1"]');
    await docs.getByRole('button', { name: 'Reject' }).click();
    expect(server.store.state.claims.get('claim-bo-1')?.status).toBe('pending');
    await docs.getByLabel('Reason for the member').fill('Already in the documentation.');
    await docs.getByRole('button', { name: 'Reject' }).click();
    await expect.poll(() => frame.locator('#admin-outcome').innerText()).toBe('Claim claim-bo-1 rejected. Reason given to the member: Already in the documentation.');
    expect(server.store.state.claims.get('claim-bo-1')).toMatchObject({ status: 'rejected', decidedBy: CY, reason: 'Already in the documentation.' });
    await expect.poll(() => frame.locator('#admin-queue > li').count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('finds a member by name and opens their status and history, with the CLI’s numbers', async () => {
    const server = await start();
    const { frame } = await inTeams(server, CY);
    await frame.getByLabel('Name or email').fill('LARSEN');
    await frame.getByLabel('Name or email').press('Enter');
    await frame.locator('#admin-search-results button').first().waitFor();
    expect(await frame.locator('#admin-search-results p').innerText()).toBe('1 member found.');
    await frame.locator('#admin-search-results button').first().focus();
    await frame.page().keyboard.press('Enter');
    await frame.locator('#admin-member-history').waitFor();
    const bo = await cliStatus(server.file, BO);
    expect(await frame.locator('#admin-member-level').innerText()).toBe(levelName(bo.status));
    expect(await frame.locator('#admin-member-points').innerText()).toBe(bo.points.toLocaleString('en-US'));
    expect(await frame.locator('#admin-member-renewal').innerText()).toBe(bo.year.end);
    expect(await frame.locator('#admin-member-history tbody tr').count()).toBe(3);
    expect(await frame.evaluate(() => document.activeElement?.closest('#admin-member')?.tagName)).toBe('DIV');
    await frame.getByLabel('Name or email').fill('nobody');
    await frame.getByLabel('Name or email').press('Enter');
    await expect.poll(() => frame.locator('#admin-search-results p').innerText()).toBe('No member’s name or email contains “nobody”.');
  });

  it.each(['default', 'dark', 'contrast'])('meets the contrast minimums in the %s theme, outcomes included', async (theme) => {
    const server = await start();
    const { frame } = await inTeams(server, CY, theme);
    await adminLoaded(frame);
    expect(await frame.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
    await frame.getByLabel('Name or email').fill('alex');
    await frame.getByLabel('Name or email').press('Enter');
    await frame.locator('#admin-search-results button').first().click();
    await frame.locator('#admin-member-history').waitFor();
    // A refusal in the outcome line: claim-bo-1 is decided in the store after the page listed it.
    const claim = server.store.state.claims.get('claim-bo-1')!;
    await server.store.transact((tx) => {
      tx.put(['claims', { ...claim, status: 'rejected', decidedBy: CY, decidedAt: new Date(NOW).toISOString(), reason: 'Decided in chat.' }]);
    });
    const docs = frame.locator('#admin-queue > li[data-claim="claim-bo-1"]');
    await docs.getByLabel('Points (1 to 5,000)').fill('10');
    await docs.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => frame.locator('#admin-outcome.error').innerText()).toContain('Nothing was changed.');
    expect((await frame.evaluate(LOW_CONTRAST_SCRIPT)) as LowContrast[]).toEqual([]);
  });

  it('a member sees no admin section, and their token gets 403 on every admin route', async () => {
    const server = await start();
    const { frame, errors } = await inTeams(server, ALEX);
    await frame.locator('#points').waitFor();
    expect(await frame.locator('#admin-view, #admin-heading, #claims-waiting').count()).toBe(0);
    const token = await entra.token(ALEX);
    const before = JSON.stringify(server.store.state.collections());
    for (const [method, path] of ADMIN_ROUTES) {
      const response = await fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(method === 'POST' && { body: '{"points":3000,"reason":"x"}' }) });
      expect([method, path, response.status]).toEqual([method, path, 403]);
      expect(await response.json()).toEqual({ code: 'not-admin', error: 'Only the program’s administrators can use this.' });
    }
    expect(JSON.stringify(server.store.state.collections())).toBe(before);
    expect(errors).toEqual([]);
  });
});
