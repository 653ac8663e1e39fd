// A member's ledger as people read it, in time order and by membership year: the one history behind
// the bot's /history and status card, the tab's summary and the CLI's history. Pure.
import type { LedgerEntry, Member } from './ledger.js';
import { membershipYearAt, type MembershipYear } from './time.js';

interface Dated {
  entry: LedgerEntry;
  at: number;
  /** Position in the ledger as written: breaks ties between entries of the same instant. */
  order: number;
}

/** Each time parsed once, not in the comparator. */
function dated(entries: readonly LedgerEntry[], keep: (at: number) => boolean): Dated[] {
  const out: Dated[] = [];
  for (let order = 0; order < entries.length; order += 1) {
    const entry = entries[order]!;
    const at = Date.parse(entry.at);
    if (keep(at)) out.push({ entry, at, order });
  }
  return out;
}

const oldestFirst = (a: Dated, b: Dated) => a.at - b.at || a.order - b.order;
const newestFirst = (a: Dated, b: Dated) => b.at - a.at || b.order - a.order;

export interface YearHistory {
  year: MembershipYear;
  /** The year's entries up to the instant, newest first (of one instant, the one written last first). */
  entries: LedgerEntry[];
}

/** The membership year holding `at` and its entries up to `at`; null before the sign-up. */
export function yearHistory(member: Member, entries: readonly LedgerEntry[], at: number, zone: string): YearHistory | null {
  const year = membershipYearAt(member.signedUpAt, at, zone);
  if (!year) return null;
  const inYear = dated(entries, (t) => t >= year.start && t <= at).sort(newestFirst);
  return { year, entries: inYear.map((d) => d.entry) };
}

export interface YearBlock {
  /** null for entries before the sign-up (none are credited there, but an old file may hold some). */
  year: MembershipYear | null;
  /** Oldest first. */
  entries: LedgerEntry[];
  total: number;
}

/** Every entry, oldest first, in one block per membership year. */
export function historyByYear(member: Member, entries: readonly LedgerEntry[], zone: string): YearBlock[] {
  const blocks: YearBlock[] = [];
  let block: YearBlock | undefined;
  for (const { entry, at } of dated(entries, () => true).sort(oldestFirst)) {
    const year = membershipYearAt(member.signedUpAt, at, zone);
    if (!block || block.year?.index !== year?.index) blocks.push((block = { year, entries: [], total: 0 }));
    block.entries.push(entry);
    block.total += entry.points;
  }
  return blocks;
}

/**
 * The newest `count` entries up to `at`, newest first, whatever the year: the status card's list.
 * One pass and a list of `count`, without sorting the member's ledger (this runs on every /points).
 */
export function latestEntries(entries: readonly LedgerEntry[], at: number, count: number): LedgerEntry[] {
  const top: LedgerEntry[] = [];
  const times: number[] = [];
  for (const entry of entries) {
    const t = Date.parse(entry.at);
    if (t > at) continue;
    // Before the first that is not newer: of one instant, the entry written last comes first.
    let i = 0;
    while (i < times.length && times[i]! > t) i += 1;
    if (i >= count) continue;
    top.splice(i, 0, entry);
    times.splice(i, 0, t);
    if (top.length > count) {
      top.pop();
      times.pop();
    }
  }
  return top;
}
