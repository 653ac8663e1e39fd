// A member's ledger as people read it, in time order and by membership year: the one history behind
// the bot's /history and status card, the tab's summary and the CLI's history. Pure.
import type { LedgerEntry, Member } from './ledger.js';
import { membershipYearAt, type MembershipYear } from './time.js';
import { entriesUpTo, timelineOf } from './timeline.js';

export interface YearHistory {
  year: MembershipYear;
  /** The year's entries up to the instant, newest first (of one instant, the one written last first). */
  entries: LedgerEntry[];
}

/** The membership year holding `at` and its entries up to `at`; null before the sign-up. */
export function yearHistory(member: Member, entries: readonly LedgerEntry[], at: number, zone: string): YearHistory | null {
  const year = membershipYearAt(member.signedUpAt, at, zone);
  if (!year) return null;
  return { year, entries: entriesUpTo(entries, at, Infinity, year.start) };
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
  const line = timelineOf(entries);
  for (let i = 0; i < line.length; i += 1) {
    const entry = line[i]!;
    const year = membershipYearAt(member.signedUpAt, line.times[i]!, zone);
    if (!block || block.year?.index !== year?.index) blocks.push((block = { year, entries: [], total: 0 }));
    block.entries.push(entry);
    block.total += entry.points;
  }
  return blocks;
}

/**
 * The newest `count` entries up to `at`, newest first, whatever the year: the status card's list.
 * The store's entries are a timeline already (this runs on every /points): no parse, no sort.
 */
export function latestEntries(entries: readonly LedgerEntry[], at: number, count: number): LedgerEntry[] {
  return entriesUpTo(entries, at, count);
}
