// The partner and redeem commands, and partner records through cli import.
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readStore } from '../../src/store/store.js';
import { defaultCatalogJson } from '../support/catalog.js';
import { cliAt, importedStore, jsonl } from '../support/cli.js';
import { childTmp, tempDb } from '../support/temp.js';

const NOW = new Date('2025-11-20T12:00:00Z');

const cli = cliAt(NOW);

const activity = (id: string, metric: string, at: string, extra: Record<string, unknown> = {}) => ({ type: 'partner-activity', id, partner: 'p-acme', metric, at, ...extra });

const records = [
  { type: 'partner', id: 'p-acme', name: 'Acme Media' },
  { type: 'partner', id: 'p-beta', name: 'Beta Broadcast', legacyLevel: { technical: 'creator' } },
  { type: 'member', id: 'ann', email: 'ann@acme.example', name: 'Ann', signedUpAt: '2024-01-10', partnerId: 'p-acme' },
  { type: 'member', id: 'bob', email: 'bob@acme.example', name: 'Bob', signedUpAt: '2024-06-01', partnerId: 'p-acme' },
  { type: 'member', id: 'cas', email: 'cas@example.com', name: 'Cas', signedUpAt: '2024-06-01' },
  // 750 + 500 DevOps Points of Acme's people in November 2025: 2 full 500, 10 technical credits. Cas is no partner's.
  { type: 'credit', id: 'c1', member: 'ann', action: 'cert.automation', at: '2025-11-03T10:00:00Z' },
  { type: 'credit', id: 'c2', member: 'bob', action: 'cert.fundamentals', at: '2025-11-05T10:00:00Z' },
  { type: 'credit', id: 'c3', member: 'cas', action: 'cert.automation', at: '2025-11-05T10:00:00Z' },
  activity('a1', 'technical.certification', '2025-03-01T10:00:00Z', { count: 3 }), // 30: Collaborator
  activity('a2', 'technical.downloads', '2025-04-02T10:00:00Z', { count: 7 }), // 10 (one full 5)
  activity('a3', 'business.deal', '2025-02-01T10:00:00Z', { deal: 'D-1', status: 'registered' }),
  activity('a4', 'business.deal', '2025-05-01T10:00:00Z', { deal: 'D-1', status: 'won' }), // 50: Collaborator
  activity('a5', 'business.event', '2025-06-10T10:00:00Z'), // 100: Creator
  activity('a6', 'business.deal', '2025-09-01T10:00:00Z', { deal: 'D-2', status: 'registered' }), // pending: nothing
];

const seeded = () => importedStore(cli, records, 'cli-partner-', 'partners.jsonl');

/** The default catalog with discount rates and a credit value filled in, as an administrator would. */
function filledCatalog(db: string): string {
  const raw = defaultCatalogJson();
  Object.assign(raw.partner as Record<string, unknown>, {
    discountPercent: { member: 0, collaborator: 5, creator: 10 },
    creditValue: { amount: 10, currency: 'EUR' },
  });
  const file = join(dirname(db), 'rules.json');
  writeFileSync(file, JSON.stringify(raw));
  return file;
}

describe('cli import of partner records', () => {
  it('counts partners and partner activities in the summary, and a second import is a no-op', async () => {
    const { db, summary } = await seeded();
    expect(summary).toEqual({
      file: expect.stringContaining('partners.jsonl'),
      records: 14,
      new: { member: 3, credit: 3, reversal: 0, partner: 2, 'partner-activity': 6 },
      known: { member: 0, credit: 0, reversal: 0, partner: 0, 'partner-activity': 0 },
      entries: 3,
      points: 2000,
    });
    const again = await cli(['--db', db, 'import', jsonl(db, 'partners.jsonl', records)]);
    expect(JSON.parse(again.out)).toMatchObject({ new: { partner: 0, 'partner-activity': 0 }, known: { member: 3, credit: 3, partner: 2, 'partner-activity': 6 }, entries: 0 });
  });

  it('stamps a legacy level with the import instant: it holds until the end of next year', async () => {
    const { db } = await seeded();
    expect((await readStore(db)).partner('p-beta')).toEqual({
      id: 'p-beta',
      name: 'Beta Broadcast',
      legacyLevel: { technical: 'creator' },
      legacyAt: NOW.toISOString(),
      legacyValidUntil: '2026-12-31',
    });
  });

  it('names every bad line on stderr and imports nothing', async () => {
    const { db } = await seeded();
    const before = JSON.stringify((await readStore(db)).collections());
    const result = await cli([
      '--db',
      db,
      'import',
      jsonl(db, 'bad.jsonl', [
        activity('n1', 'technical.certification', '2025-11-01T10:00:00Z'),
        activity('n2', 'business.webinar', '2025-11-01T10:00:00Z'),
        activity('n3', 'business.deal', '2025-11-01T10:00:00Z', { deal: 'D-9', status: 'won' }),
        activity('n4', 'technical.downloads', '2025-11-01T10:00:00Z', { count: -4 }),
        { ...activity('n5', 'technical.certification', '2025-11-01T10:00:00Z'), partner: 'p-nobody' },
      ]),
    ]);
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(result.err.trimEnd().split('\n')).toEqual([
      'line 2: unknown partner metric "business.webinar" (the catalog has technical.certification, technical.downloads, technical.demo-lab, business.event, business.customer-meeting, business.website, business.dojo-profile, business.blog-or-pr, business.linkedin-post, business.sales-target, business.new-customer, business.deal)',
      'line 3: deal D-9 of partner p-acme cannot be won: it was never registered (import its registration first)',
      'line 4: "count" must be a whole number above 0',
      'line 5: no partner with id "p-nobody" (import the partner first)',
      'Nothing was imported: 4 line(s) need fixing.',
    ]);
    expect(JSON.stringify((await readStore(db)).collections())).toBe(before);
  });
});

describe('cli partner', () => {
  it('prints the partner object now: credits, levels and validity per track, the level, the discount and this month\'s DevOps Points', async () => {
    const { db } = await seeded();
    const result = await cli(['--db', db, 'partner', 'p-acme']);
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(JSON.parse(result.out)).toEqual({
      partner: 'p-acme',
      at: '2025-11-20T12:00:00.000Z',
      year: 2025,
      tracks: {
        technical: { credits: 50, level: 'collaborator', levelValidUntil: '2026-12-31' },
        business: { credits: 100, level: 'creator', levelValidUntil: '2026-12-31' },
      },
      level: 'creator',
      discountPercent: null,
      devopsPointsThisMonth: 1250,
    });
    // Exactly these keys, in this order.
    expect(Object.keys(JSON.parse(result.out) as object)).toEqual(['partner', 'at', 'year', 'tracks', 'level', 'discountPercent', 'devopsPointsThisMonth']);
  });

  it('takes --at: a date means the end of that day in program time', async () => {
    const { db } = await seeded();
    const march = JSON.parse((await cli(['--db', db, 'partner', 'p-acme', '--at', '2025-03-01'])).out);
    expect(march).toEqual({
      partner: 'p-acme',
      at: '2025-03-01T22:59:59.999Z',
      year: 2025,
      tracks: {
        technical: { credits: 30, level: 'collaborator', levelValidUntil: '2026-12-31' },
        business: { credits: 0, level: 'member', levelValidUntil: null },
      },
      level: 'collaborator',
      discountPercent: null,
      devopsPointsThisMonth: 0,
    });
  });

  it('keeps last year\'s levels in the new year, with no credits yet', async () => {
    const { db } = await seeded();
    const next = JSON.parse((await cli(['--db', db, 'partner', 'p-acme', '--at', '2026-02-01T10:00:00+01:00'])).out);
    expect(next).toMatchObject({
      year: 2026,
      tracks: {
        technical: { credits: 0, level: 'collaborator', levelValidUntil: '2026-12-31' },
        business: { credits: 0, level: 'creator', levelValidUntil: '2026-12-31' },
      },
      level: 'creator',
      devopsPointsThisMonth: 0,
    });
  });

  it('shows a legacy level and the discount rate the catalog gives the level', async () => {
    const { db } = await seeded();
    const beta = JSON.parse((await cli(['--db', db, 'partner', 'p-beta'], { RULES_FILE: filledCatalog(db) })).out);
    expect(beta).toEqual({
      partner: 'p-beta',
      at: '2025-11-20T12:00:00.000Z',
      year: 2025,
      tracks: {
        technical: { credits: 0, level: 'creator', levelValidUntil: '2026-12-31' },
        business: { credits: 0, level: 'member', levelValidUntil: null },
      },
      level: 'creator',
      discountPercent: 10,
      devopsPointsThisMonth: 0,
    });
  });

  it.each([
    [['partner', 'p-nobody'], /^No partner with id "p-nobody"\.$/m],
    [['partner'], /^Expected: partner PARTNER \[--at WHEN\]$/m],
    [['partner', 'p-acme', 'p-beta'], /^Expected: partner PARTNER/m],
    [['partner', 'p-acme', '--at', 'soon'], /--at must be a date YYYY-MM-DD or an ISO-8601 instant with an offset, not "soon"\./],
  ])('refuses %j with a sentence', async (args, message) => {
    const { db } = await seeded();
    const result = await cli(['--db', db, ...args]);
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(result.err).toMatch(message);
  });

  it('says so when there is no store, and creates none', async () => {
    const db = tempDb('cli-partner-');
    const result = await cli(['--db', db, 'partner', 'p-acme']);
    expect(result).toMatchObject({ code: 1, err: `There is no store at ${db} yet: import members first, or name the store with --db.\n` });
    expect(existsSync(db)).toBe(false);
  });
});

describe('cli redeem', () => {
  const basis = "The 150 available credits are those earned in 2025 on both tracks (technical 50, business 100); credits already spent are not recorded, so nothing is deducted.";

  it.each([
    { order: 'training', amount: '1000', out: { capPercent: 50, capAmount: 500, available: 150, credits: 50, value: 500, limitedBy: 'cap' } },
    { order: 'end-customer', amount: '100000', out: { capPercent: 5, capAmount: 5000, available: 150, credits: 150, value: 1500, limitedBy: 'available' } },
    { order: 'self-use', amount: '999.99', out: { capPercent: 25, capAmount: 249.99, available: 150, credits: 24, value: 240, limitedBy: 'cap' } },
  ])('prints the most credits a $order order of $amount may use, and their value', async ({ order, amount, out }) => {
    const { db } = await seeded();
    const result = await cli(['--db', db, 'redeem', 'p-acme', '--order', order, '--amount', amount], { RULES_FILE: filledCatalog(db) });
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(JSON.parse(result.out)).toEqual({
      partner: 'p-acme',
      at: '2025-11-20T12:00:00.000Z',
      year: 2025,
      order,
      amount: Number(amount),
      currency: 'EUR',
      creditValue: 10,
      ...out,
      note: basis,
    });
  });

  it('says the credit value is not set yet, and gives the cap in money', async () => {
    const { db } = await seeded();
    const result = await cli(['--db', db, 'redeem', 'p-acme', '--order', 'training', '--amount', '1000']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toEqual({
      partner: 'p-acme',
      at: '2025-11-20T12:00:00.000Z',
      year: 2025,
      order: 'training',
      amount: 1000,
      currency: 'EUR',
      capPercent: 50,
      capAmount: 500,
      creditValue: null,
      available: 150,
      credits: null,
      value: null,
      limitedBy: null,
      note: `The value of one credit is not set in the catalog (partner.creditValue.amount): credits may pay at most 500.00 EUR of this order. ${basis}`,
    });
  });

  it('counts the credits of the year of --at: none early in the next year', async () => {
    const { db } = await seeded();
    const result = await cli(['--db', db, 'redeem', 'p-acme', '--order', 'training', '--amount', '1000', '--at', '2026-01-15'], { RULES_FILE: filledCatalog(db) });
    expect(JSON.parse(result.out)).toMatchObject({ year: 2026, available: 0, credits: 0, value: 0, limitedBy: 'available' });
  });

  it.each([
    [['redeem', 'p-acme', '--amount', '100'], /^Expected: redeem PARTNER --order end-customer\|self-use\|training --amount N \[--at WHEN\]$/m],
    [['redeem', 'p-acme', '--order', 'training'], /^Expected: redeem PARTNER/m],
    [['redeem', '--order', 'training', '--amount', '100'], /^Expected: redeem PARTNER/m],
    [['redeem', 'p-acme', '--order', 'lab', '--amount', '100'], /^--order must be end-customer, self-use, training, not "lab"\.$/m],
    [['redeem', 'p-acme', '--order', 'training', '--amount=-5'], /^--amount must be the order's amount, 0 or more with at most two decimals .*not "-5"\.$/m],
    [['redeem', 'p-acme', '--order', 'training', '--amount', '1.234'], /not "1\.234"/],
    [['redeem', 'p-acme', '--order', 'training', '--amount', 'lots'], /not "lots"/],
    [['redeem', 'p-nobody', '--order', 'training', '--amount', '100'], /^No partner with id "p-nobody"\.$/m],
  ])('refuses %j with a sentence', async (args, message) => {
    const { db } = await seeded();
    const result = await cli(['--db', db, ...args]);
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(result.err).toMatch(message);
  });
});

describe('partner and redeem as a process', () => {
  it('run through npm run -s cli with DB_FILE', async () => {
    const db = tempDb('cli-partner-');
    const file = jsonl(db, 'p.jsonl', records);
    const env = { ...process.env, ...childTmp(), DB_FILE: db };
    const exec = promisify(execFile);
    await exec('npm', ['run', '-s', 'cli', '--', 'import', file], { env });
    const partner = await exec('npm', ['run', '-s', 'cli', '--', 'partner', 'p-acme', '--at', '2025-11-20T12:00:00Z'], { env });
    expect(JSON.parse(partner.stdout)).toMatchObject({ partner: 'p-acme', year: 2025, level: 'creator', tracks: { technical: { credits: 50 }, business: { credits: 100 } } });
    const redeemed = await exec('npm', ['run', '-s', 'cli', '--', 'redeem', 'p-acme', '--order', 'self-use', '--amount', '400', '--at', '2025-11-20'], { env });
    expect(JSON.parse(redeemed.stdout)).toMatchObject({ order: 'self-use', capAmount: 100, available: 150, credits: null });
  });
});
