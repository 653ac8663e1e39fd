// The /points status card as rendered through the real server: the progress bar's parts, and the
// membership year numbered as the CLI and the tab number it.
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { botPerTest, cardText, message, NOW, type BotHarness, type Speaker } from '../support/bot-server.js';

const ann: Speaker = { id: '29:ann', aadObjectId: 'aad-ann', name: 'Ann Peeters' };
const zoe: Speaker = { id: '29:zoe', aadObjectId: 'aad-zoe', name: 'Zoe Maes' };
const seed = [
  // Ann's second membership year runs from 2025-11-30; 750 points in it: Advocate, 15 % of the way to Enabler (5,000).
  { type: 'member', id: 'aad-ann', email: 'ann@example.com', name: 'Ann Peeters', signedUpAt: '2024-11-30' },
  { type: 'credit', id: 'c1', member: 'aad-ann', action: 'cert.configurator', at: '2026-06-12T08:00:00Z' },
  // Zoe joined this month and has no points.
  { type: 'member', id: 'aad-zoe', email: 'zoe@example.com', name: 'Zoe Maes', signedUpAt: '2026-11-01' },
];

const bot = botPerTest({ seed });

interface Column {
  style?: string;
  width?: unknown;
}

async function statusCard(h: BotHarness, from: Speaker): Promise<Record<string, unknown>> {
  h.connector.clear();
  expect((await h.post(message(h, from, 'points'))).status).toBe(200);
  const [sent] = h.connector.sent();
  return (sent!.attachments as { content: Record<string, unknown> }[])[0]!.content;
}

/** The bar: the column set whose columns are coloured blocks (accent: reached, emphasis: still to go). */
function bar(card: Record<string, unknown>): { style: string | undefined; width: unknown }[] {
  const sets = (card.body as { type: string; columns?: Column[] }[]).filter((b) => b.type === 'ColumnSet' && b.columns?.every((c) => c.style === 'accent' || c.style === 'emphasis'));
  expect(sets).toHaveLength(1);
  return sets[0]!.columns!.map((c) => ({ style: c.style, width: c.width }));
}

async function cli(h: BotHarness, args: string[]): Promise<string> {
  let out = '';
  expect(await run(['--db', h.store.file, ...args], {}, { out: (t) => (out += `${t}\n`), err: (t) => (out += t) }, new Date(NOW))).toBe(0);
  return out;
}

describe('the status card', () => {
  it('shows an empty bar at 0 points', async () => {
    expect(bar(await statusCard(bot(), zoe))).toEqual([{ style: 'emphasis', width: 100 }]);
  });

  it('fills the bar by the share of the next level reached', async () => {
    expect(bar(await statusCard(bot(), ann))).toEqual([
      { style: 'accent', width: 15 },
      { style: 'emphasis', width: 85 },
    ]);
  });

  it('numbers the membership year as the CLI does: the first year is year 1', async () => {
    const h = bot();
    expect(cardText(await statusCard(h, zoe))).toContain('Membership year: 2026-11-01 to 2027-11-01 (year 1)');
    expect(cardText(await statusCard(h, ann))).toContain('Membership year: 2025-11-30 to 2026-11-30 (year 2)');
    expect(JSON.parse(await cli(h, ['status', 'ann@example.com']))).toMatchObject({ year: { number: 2, start: '2025-11-30', end: '2026-11-30' } });
    expect(await cli(h, ['history', 'ann@example.com'])).toContain('Membership year 2 (2025-11-30 to 2026-11-30)');
  });
});
