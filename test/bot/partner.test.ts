// /partner through BotApp: a member's own organisation, administrators any partner, and nothing about
// another partner for anyone else.
import { describe, expect, it } from 'vitest';
import { appPerTest, type Person } from '../support/bot-app.js';

// NOW in the harness is 2026-11-23T12:00:00Z.
const ann: Person = { userId: 'aad-ann', name: 'Ann Peeters' };
const dan: Person = { userId: 'aad-dan', name: 'Dan Smet' };
const cas: Person = { userId: 'aad-cas', name: 'Cas Jacobs' };
const admin: Person = { userId: 'aad-admin', name: 'Ada Admin', admin: true };
const stranger: Person = { userId: 'aad-eve', name: 'Eve', email: 'eve@example.com' };

const act = (id: string, partner: string, metric: string, at: string, extra: Record<string, unknown> = {}) => ({ type: 'partner-activity', id, partner, metric, at, ...extra });

const seed = [
  { type: 'partner', id: 'p-acme', name: 'Acme Media' },
  { type: 'partner', id: 'p-beta', name: 'Beta Broadcast' },
  { type: 'member', id: 'aad-ann', email: 'ann@acme.example', name: 'Ann Peeters', signedUpAt: '2025-01-10', partnerId: 'p-acme' },
  { type: 'member', id: 'aad-dan', email: 'dan@beta.example', name: 'Dan Smet', signedUpAt: '2025-01-10', partnerId: 'p-beta' },
  { type: 'member', id: 'aad-cas', email: 'cas@example.com', name: 'Cas Jacobs', signedUpAt: '2025-01-10' },
  { type: 'member', id: 'aad-admin', email: 'ada@example.com', name: 'Ada Admin', signedUpAt: '2024-01-01' },
  // Acme, technical: 30 (certifications) + 5 (750 DevOps Points in November: one full 500) = 35, Collaborator.
  act('a1', 'p-acme', 'technical.certification', '2026-03-01T10:00:00Z', { count: 3 }),
  { type: 'credit', id: 'c1', member: 'aad-ann', action: 'cert.automation', at: '2026-11-03T10:00:00Z' },
  // Acme, business: Creator last year (a new customer, 100), and 60 this year: it holds until 2026-12-31.
  act('a2', 'p-acme', 'business.new-customer', '2025-06-01T10:00:00Z'),
  act('a3', 'p-acme', 'business.deal', '2026-02-01T10:00:00Z', { deal: 'D-1', status: 'registered' }),
  act('a4', 'p-acme', 'business.deal', '2026-05-01T10:00:00Z', { deal: 'D-1', status: 'won' }),
  act('a5', 'p-acme', 'business.blog-or-pr', '2026-06-01T10:00:00Z'),
  act('a6', 'p-acme', 'business.deal', '2026-09-01T10:00:00Z', { deal: 'D-2', status: 'registered' }),
  // Beta: one event, 50 business credits.
  act('b1', 'p-beta', 'business.event', '2026-04-01T10:00:00Z'),
];

const bot = appPerTest(seed);

/** The reply as text, checking it is one message: a sentence or one card. */
async function say(from: Person, text: string): Promise<string> {
  const reply = await bot().app.command(bot().caller(from), text);
  expect((reply.text === undefined ? 0 : 1) + (reply.cards?.length ?? 0)).toBe(1);
  return bot().say(from, text);
}

describe('/partner for a member of a partner', () => {
  it("shows my organisation's credits and levels on both tracks, the next level and until when each holds", async () => {
    const reply = await say(ann, '/partner');
    expect(reply.split('\n')).toEqual([
      '',
      'Acme Media',
      'Partner level: Creator, until 2026-12-31 (the higher of the two tracks)',
      'Base discount: not set yet by the program administrators',
      'Technical track',
      'Collaborator',
      '35',
      'credits in 2026',
      'Collaborator holds until 2027-12-31.',
      '40 more credits this year to reach Creator (75).',
      'Certification obtained: 30 credits',
      "Per full 500 DevOps Points the partner's people credited in a calendar month: 5 credits",
      'Business track',
      'Creator',
      '60',
      'credits in 2026',
      'Creator holds until 2026-12-31 (reached last year).',
      'Creator is the top level.',
      '15 more credits this year keep Creator until 2027-12-31.',
      'Blog post or press release: 10 credits',
      'Deal registered with Partner Management, credited when it is won: 50 credits, 1 pending',
      "Acme Media's people were credited 750 DevOps Points this month; 250 more this month bring 5 more technical credits.",
      '1 registered deal is pending: each is credited when it is won.',
      'Credits count per calendar year; a level reached holds until 31 December of the next year.',
    ]);
  });

  it.each(['partner', 'PARTNER', '/Partner', 'partner p-acme'])('understands %j, my own partner id included', async (text) => {
    expect(await say(ann, text)).toContain('Acme Media');
  });

  it("another member sees their own organisation, not Acme's", async () => {
    const reply = await say(dan, 'partner');
    expect(reply).toContain('Beta Broadcast');
    expect(reply).toContain('Partner level: Collaborator, until 2027-12-31');
    expect(reply).not.toContain('Acme');
  });
});

describe('/partner refused or explained', () => {
  it('refuses another partner to a member with the same sentence whether it exists or not: nothing leaks', async () => {
    const other = await say(ann, 'partner p-beta');
    const missing = await say(ann, 'partner p-nobody');
    expect(other).toBe("Only administrators can look at another partner. Type **partner** for your own organisation's credits and levels.");
    expect(missing).toBe(other);
    expect(await say(cas, 'partner p-acme')).toBe(other);
    expect(await say(stranger, 'partner p-acme')).toBe(other);
  });

  it('tells a member without a partner so, in a sentence', async () => {
    expect(await say(cas, 'partner')).toBe(
      'You do not belong to a partner organisation in the Partner Program. If your organisation is a partner, ask an administrator to link you to it.',
    );
  });

  it('tells someone not enrolled how to join', async () => {
    expect(await say(stranger, 'partner')).toContain('You are not enrolled in the DevOps Professional Program, so you belong to no partner organisation here. Type **join** to enrol');
  });

  it('says so when my organisation has no Partner Program record yet', async () => {
    // A member linked before partners were imported (schema 3 did not check partnerId).
    await bot().store.transact((tx) => tx.put(['members', { id: 'aad-cas', email: 'cas@example.com', name: 'Cas Jacobs', signedUpAt: '2025-01-10', partnerId: 'p-gamma' }]));
    expect(await say(cas, 'partner')).toBe("Your organisation (partner p-gamma) is not in the Partner Program's records yet. Ask an administrator to import it.");
  });
});

describe('/partner for administrators', () => {
  it('shows any partner by id', async () => {
    const reply = await say(admin, 'partner p-beta');
    expect(reply).toContain('Beta Broadcast');
    expect(reply).toMatch(/Business track\nCollaborator\n50\ncredits in 2026/);
    expect(reply).toContain('25 more credits this year to reach Creator (75).');
    expect(reply).toContain('Organise a DataMiner event: 50 credits');
    expect(await say(admin, 'partner p-acme')).toContain('Acme Media');
  });

  it('says when no partner has that id', async () => {
    expect(await say(admin, 'partner p-nobody')).toBe('No partner with id "p-nobody".');
  });

  it('tells an administrator without a partner how to name one', async () => {
    expect(await say(admin, 'partner')).toContain('As an administrator, type **partner** and a partner id to see any partner.');
  });
});
