// The state keeps each member's entries in time order with their instants parsed, whatever order
// they are written or loaded in, and takes them back out of both on undo.
import { describe, expect, it } from 'vitest';
import type { LedgerEntry, Member } from '../../src/core/ledger.js';
import { memberStatus } from '../../src/core/lifecycle.js';
import { emptySnapshot } from '../../src/store/schema.js';
import { State } from '../../src/store/state.js';
import { defaultCatalog } from '../support/catalog.js';

const ann: Member = { id: 'ann', email: 'ann@example.com', name: 'Ann', signedUpAt: '2025-01-10' };

function entry(id: string, at: string, points = 25, memberId = 'ann'): LedgerEntry {
  return { id, memberId, action: 'docs.add-info', at, points, inputs: {}, source: 'import', by: 'tester', edition: 'test' };
}

// Written out of time order: two late imports, two of one instant, another member's between them.
const written = [
  entry('may', '2025-05-01T10:00:00Z'),
  entry('feb', '2025-02-01T10:00:00Z', 800),
  entry('bob', '2025-03-01T10:00:00Z', 5, 'bob'),
  entry('jul', '2025-07-01T10:00:00Z', 4_500),
  entry('mar-1', '2025-03-01T10:00:00.000Z'),
  entry('mar-2', '2025-03-01T10:00:00Z'),
];
const inTime = ['feb', 'mar-1', 'mar-2', 'may', 'jul'];

const ids = (entries: readonly LedgerEntry[]) => entries.map((e) => e.id);
const timesOf = (names: string[]) => names.map((id) => Date.parse(written.find((e) => e.id === id)!.at));

describe("a member's entries in the state", () => {
  it('are in time order, same-instant ones in the order written, each instant parsed', () => {
    const state = new State();
    for (const e of written) state.put(['ledger', e]);
    expect(ids(state.entriesOf('ann'))).toEqual(inTime);
    expect(state.entriesOf('ann').times).toEqual(timesOf(inTime));
    expect(ids(state.entriesOf('bob'))).toEqual(['bob']);
    expect(state.entriesOf('nobody')).toEqual([]);
    expect(state.entriesOf('nobody').times).toEqual([]);
  });

  it('load from a snapshot into the same order', () => {
    const state = State.from({ ...emptySnapshot(), members: [ann], ledger: written.map((e) => ({ ...e })) });
    expect(ids(state.entriesOf('ann'))).toEqual(inTime);
    expect(state.entriesOf('ann').times).toEqual(timesOf(inTime));
  });

  it('lose an undone put from both the entries and their instants', () => {
    const state = new State();
    for (const e of written) state.put(['ledger', e]);
    const late = entry('jan', '2025-01-20T10:00:00Z');
    const replaced = state.put(['ledger', late]);
    expect(ids(state.entriesOf('ann'))).toEqual(['jan', ...inTime]);
    state.undo(['ledger', late], replaced);
    expect(ids(state.entriesOf('ann'))).toEqual(inTime);
    expect(state.entriesOf('ann').times).toEqual(timesOf(inTime));
    expect(state.entry('jan')).toBeUndefined();
  });

  it('give the status a list in any order gives', () => {
    const catalog = defaultCatalog();
    const state = new State();
    for (const e of written) state.put(['ledger', e]);
    const at = Date.parse('2025-12-01T00:00:00Z');
    const fromState = memberStatus(catalog, ann, state.entriesOf('ann'), at);
    expect(fromState).toEqual(memberStatus(catalog, ann, [...written].filter((e) => e.memberId === 'ann').reverse(), at));
    expect(fromState).toMatchObject({ points: 5_375, status: 'enabler' });
  });
});
