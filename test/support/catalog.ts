// Test helpers: the default rule catalog as shipped in rules/catalog.json, and an in-memory member ledger.
import { readFileSync } from 'node:fs';
import { parseCatalog, type Catalog } from '../../src/core/catalog.js';
import type { LedgerEntry, Member, MemberLedger } from '../../src/core/ledger.js';

const CATALOG_FILE = new URL('../../rules/catalog.json', import.meta.url);

/** rules/catalog.json as plain JSON (a fresh copy each call, safe to modify for a variant). */
export function defaultCatalogJson(): Record<string, unknown> {
  return JSON.parse(readFileSync(CATALOG_FILE, 'utf8')) as Record<string, unknown>;
}

/** Parses a catalog, throwing with every problem when it is invalid. */
export function catalogFrom(raw: unknown): Catalog {
  const result = parseCatalog(raw);
  if (!result.ok) throw new Error(`invalid catalog:\n${result.problems.join('\n')}`);
  return result.catalog;
}

/** The default catalog, loaded from rules/catalog.json through parseCatalog. */
export function defaultCatalog(): Catalog {
  return catalogFrom(defaultCatalogJson());
}

/** A member's ledger in memory: an entry is reversed when some entry reverses it. */
export function ledgerOf(member: Member, entries: readonly LedgerEntry[]): MemberLedger {
  return {
    member,
    entries,
    isReversed: (entryId: string) => entries.some((entry) => entry.reverses === entryId),
  };
}
