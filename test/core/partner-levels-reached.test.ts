// partnerLevelsReached(): the levels each track reached this calendar year and when, for announcing them.
import { describe, expect, it } from 'vitest';
import type { Partner, PartnerActivity } from '../../src/core/partner-records.js';
import { partnerLevelsReached, partnerStatus, type DevopsCredit } from '../../src/core/partners.js';
import { defaultCatalog } from '../support/catalog.js';

const catalog = defaultCatalog();
const acme: Partner = { id: 'p-acme', name: 'Acme Media' };

let next = 0;
function act(metric: string, at: string, count = 1, partnerId = acme.id): PartnerActivity {
  next += 1;
  return { id: `a${next}`, partnerId, metric, at: new Date(Date.parse(at)).toISOString(), count, source: 'import', by: 'tester' };
}

function reached(activities: PartnerActivity[], at: string, options: { partner?: Partner; devops?: DevopsCredit[] } = {}) {
  return partnerLevelsReached(catalog, { partner: options.partner ?? acme, activities, devops: options.devops ?? [] }, Date.parse(at));
}

describe('partnerLevelsReached()', () => {
  it('gives nothing for a partner with no credits this year', () => {
    expect(reached([], '2025-06-01T10:00:00Z')).toEqual({ technical: [], business: [] });
  });

  it('gives each level above Member with the instant the track met its threshold', () => {
    const activities = [
      act('technical.certification', '2025-02-01T10:00:00Z', 2),
      act('technical.certification', '2025-03-01T10:00:00Z'), // 30: Collaborator
      act('technical.certification', '2025-05-01T10:00:00Z', 4), // 70
      act('technical.certification', '2025-06-01T10:00:00Z'), // 80: Creator
      act('business.event', '2025-04-01T10:00:00Z'), // 50: Collaborator
    ];
    expect(reached(activities, '2025-12-01T10:00:00Z')).toEqual({
      technical: [
        { level: 'collaborator', at: '2025-03-01T10:00:00.000Z', credits: 30 },
        { level: 'creator', at: '2025-06-01T10:00:00.000Z', credits: 80 },
      ],
      business: [{ level: 'collaborator', at: '2025-04-01T10:00:00.000Z', credits: 50 }],
    });
  });

  it('lists two levels at one instant when one activity reaches both', () => {
    expect(reached([act('business.new-customer', '2025-04-01T10:00:00Z')], '2025-04-01T10:00:00Z').business).toEqual([
      { level: 'collaborator', at: '2025-04-01T10:00:00.000Z', credits: 100 },
      { level: 'creator', at: '2025-04-01T10:00:00.000Z', credits: 100 },
    ]);
  });

  it('counts nothing after the instant asked about', () => {
    const activities = [act('technical.certification', '2025-03-01T10:00:00Z', 3)];
    expect(reached(activities, '2025-02-28T10:00:00Z').technical).toEqual([]);
    expect(reached(activities, '2025-03-01T10:00:00Z').technical).toHaveLength(1);
  });

  it('only counts this calendar year (program time): last year\'s level is not reached again', () => {
    const activities = [act('technical.certification', '2025-06-01T10:00:00Z', 3)];
    expect(reached(activities, '2025-12-31T22:59:59Z').technical).toHaveLength(1);
    // 2025-12-31T23:00:00Z is 2026-01-01 in Brussels.
    expect(reached(activities, '2025-12-31T23:00:00Z').technical).toEqual([]);
    // partnerStatus still shows the level, held from last year.
    const status = partnerStatus(catalog, { partner: acme, activities, devops: [] }, Date.parse('2026-02-01T10:00:00Z'));
    expect(status.tracks.technical).toMatchObject({ level: 'collaborator', levelFrom: 'last-year' });
  });

  it('does not count a legacy level as reached', () => {
    const legacy: Partner = { ...acme, legacyLevel: { business: 'creator' }, legacyAt: '2025-01-10T10:00:00.000Z', legacyValidUntil: '2026-12-31' };
    expect(reached([], '2025-06-01T10:00:00Z', { partner: legacy })).toEqual({ technical: [], business: [] });
  });

  it('keeps a level reached even when a later DevOps debit takes credits back, and ignores other partners', () => {
    const devops: DevopsCredit[] = [
      { at: '2025-03-02T10:00:00Z', points: 2500 }, // 25 credits: Collaborator
      { at: '2025-03-03T10:00:00Z', points: -600 }, // back to 15
    ];
    const result = reached([act('business.new-customer', '2025-03-01T10:00:00Z', 1, 'p-other')], '2025-04-01T10:00:00Z', { devops });
    expect(result).toEqual({ technical: [{ level: 'collaborator', at: '2025-03-02T10:00:00.000Z', credits: 25 }], business: [] });
  });

  it('agrees with partnerStatus on the highest level reached this year', () => {
    const activities = [act('technical.downloads', '2025-03-01T10:00:00Z', 12), act('business.blog-or-pr', '2025-03-05T10:00:00Z', 3)];
    const at = '2025-09-01T10:00:00Z';
    const status = partnerStatus(catalog, { partner: acme, activities, devops: [] }, Date.parse(at));
    const levels = reached(activities, at);
    expect(levels.technical.at(-1)?.level ?? 'member').toBe(status.tracks.technical.reachedThisYear);
    expect(levels.business.at(-1)?.level ?? 'member').toBe(status.tracks.business.reachedThisYear);
  });
});
