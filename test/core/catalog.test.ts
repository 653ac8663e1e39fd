import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CatalogFileError, loadCatalog } from '../../src/catalog-file.js';
import { parseCatalog } from '../../src/core/catalog.js';
import { defaultCatalog, defaultCatalogJson } from '../support/catalog.js';
import { tempDb } from '../support/temp.js';

type Json = Record<string, unknown>;
const actions = (raw: Json) => raw.actions as Json[];
const levels = (raw: Json) => raw.levels as Json[];

describe('the default catalog', () => {
  it('carries the program settings of PROGRAM.md', () => {
    const catalog = defaultCatalog();
    expect(catalog.timeZone).toBe('Europe/Brussels');
    expect(catalog.levels.map((l) => [l.id, l.threshold])).toEqual([
      ['advocate', 750],
      ['enabler', 5000],
      ['catalyst', 15000],
    ]);
    expect(catalog.edition).toMatch(/\S/);
    expect(catalog.effectiveFrom).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it.each([
    ['feedback.form', { kind: 'fixed', points: 50, monthlyCap: 100 }],
    ['advocacy.linkedin-headline', { kind: 'fixed', points: 250, oncePerYear: true }],
    ['kata.complete', { kind: 'fixed', points: 75, bonus: { action: 'kata.early', withinDays: 7 } }],
    ['training.internal', { kind: 'per-day', points: 500, proofRequired: true, enrolledOnly: true }],
    ['partner.host-event', { kind: 'split', min: 1, max: 1000, perDay: true }],
    ['docs.add-info', { kind: 'range', min: 1, max: 5000 }],
  ])('has %s as PROGRAM.md describes it', (id, rule) => {
    expect(defaultCatalog().byId.get(id)).toMatchObject(rule);
  });
});

describe('an invalid catalog', () => {
  const variants: [string, (raw: Json) => void, string][] = [
    ['a duplicate id', (raw) => actions(raw).push({ ...actions(raw)[0] }), 'actions[41] (qa.ask): the id is used twice'],
    ['min above max', (raw) => Object.assign(actions(raw)[22]!, { min: 60 }), 'actions[22] (docs.typo): min 60 is above max 50'],
    ['an unknown kind', (raw) => Object.assign(actions(raw)[0]!, { kind: 'lottery' }), 'actions[0] (qa.ask).kind'],
    ['a fractional figure', (raw) => Object.assign(actions(raw)[1]!, { points: 2.5 }), 'actions[1] (qa.answer).points: must be a whole number'],
    ['an unknown field', (raw) => Object.assign(actions(raw)[1]!, { pionts: 2 }), 'actions[1] (qa.answer)'],
    ['a bonus that names no bonus action', (raw) => Object.assign(actions(raw)[15]!, { bonus: { action: 'qa.ask', withinDays: 7 } }), 'actions[15] (kata.complete): bonus.action "qa.ask" must name an action of kind "bonus"'],
    ['thresholds out of order', (raw) => Object.assign(levels(raw)[2]!, { threshold: 4000 }), 'levels[2] (catalyst): threshold 4000 must be above enabler\'s 5000'],
    ['an unknown time zone', (raw) => Object.assign(raw, { timeZone: 'Mars/Olympus' }), 'timeZone: must be an IANA time zone'],
    ['a bad effective date', (raw) => Object.assign(raw, { effectiveFrom: '2024-02-30' }), 'effectiveFrom: must be a date YYYY-MM-DD'],
    ['no edition', (raw) => delete raw.edition, 'edition'],
  ];

  it.each(variants)('is refused for %s, naming the entry', (_what, change, problem) => {
    const raw = defaultCatalogJson();
    change(raw);
    const result = parseCatalog(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.join('\n')).toContain(problem);
  });

  it('stops loading with the file named, for bad JSON, a missing file and bad content', () => {
    const dir = dirname(tempDb('catalog-'));
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"edition":');
    expect(() => loadCatalog(broken)).toThrow(new RegExp(`^The rule catalog ${broken} cannot be read as JSON`));
    expect(() => loadCatalog(join(dir, 'missing.json'))).toThrow(/missing\.json does not exist/);
    const invalid = join(dir, 'invalid.json');
    const raw = defaultCatalogJson();
    Object.assign(actions(raw)[22]!, { min: 60 });
    writeFileSync(invalid, JSON.stringify(raw));
    expect(() => loadCatalog(invalid)).toThrow(CatalogFileError);
    expect(() => loadCatalog(invalid)).toThrow(`The rule catalog ${invalid} is invalid:\n  actions[22] (docs.typo): min 60 is above max 50`);
  });
});
