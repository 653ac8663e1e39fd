// Applies a batch of records (import file, later the events API) all or nothing, idempotently.
import type { Catalog } from '../core/catalog.js';
import { parseRecord, planRecord, type LedgerRecord, type Origin } from '../core/records.js';
import { Rollback, type Store } from '../store/store.js';

export interface BatchProblem {
  /** 1-based position in the batch (the line number of an import file). */
  index: number;
  message: string;
}

export interface BatchSummary {
  records: number;
  new: Record<LedgerRecord['type'], number>;
  known: Record<LedgerRecord['type'], number>;
  entries: number;
  points: number;
}

export type BatchResult = { ok: true; summary: BatchSummary } | { ok: false; problems: BatchProblem[] };

export interface BatchItem {
  index: number;
  /** A parsed JSON value, or an Error for an item that did not parse. */
  value: unknown;
}

/** Items may be produced lazily (see jsonLines), so a large file never exists as parsed objects all at once. */
export async function importRecords(store: Store, catalog: Catalog, items: Iterable<BatchItem>, origin: Origin): Promise<BatchResult> {
  try {
    const summary = await store.transact((tx) => {
      const problems: BatchProblem[] = [];
      const summary: BatchSummary = {
        records: 0,
        new: { member: 0, credit: 0, reversal: 0 },
        known: { member: 0, credit: 0, reversal: 0 },
        entries: 0,
        points: 0,
      };
      for (const { index, value } of items) {
        summary.records += 1;
        if (value instanceof Error) {
          problems.push({ index, message: value.message });
          continue;
        }
        const parsed = parseRecord(value);
        if (!parsed.ok) {
          problems.push({ index, message: parsed.problem.message });
          continue;
        }
        const planned = planRecord(catalog, tx.view, parsed.value, origin);
        if (!planned.ok) {
          problems.push({ index, message: planned.problem.message });
          continue;
        }
        const plan = planned.value;
        if (plan.known) {
          summary.known[parsed.value.type] += 1;
          continue;
        }
        summary.new[parsed.value.type] += 1;
        if (plan.member) tx.put(['members', plan.member]);
        for (const entry of plan.entries) {
          tx.put(['ledger', entry]);
          summary.entries += 1;
          summary.points += entry.points;
        }
      }
      if (problems.length > 0) throw new Rollback(problems);
      return summary;
    });
    return { ok: true, summary };
  } catch (error) {
    if (error instanceof Rollback) return { ok: false, problems: error.detail as BatchProblem[] };
    throw error;
  }
}

/**
 * The numbered items of JSON Lines, parsed one at a time; blank lines are skipped. The input stays a
 * Buffer, outside the JavaScript heap, so a large file does not inflate the heap the import grows.
 */
export function* jsonLines(input: Buffer): Generator<BatchItem> {
  let start = 0;
  for (let index = 1; start <= input.length; index += 1) {
    const newline = input.indexOf(10, start);
    const end = newline === -1 ? input.length : newline;
    const line = input.toString('utf8', start, end).trim();
    start = end + 1;
    if (line === '') continue;
    try {
      yield { index, value: JSON.parse(line) };
    } catch (error) {
      yield { index, value: new Error(`not valid JSON (${(error as Error).message})`) };
    }
  }
}
