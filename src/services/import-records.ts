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

/** Items are parsed JSON values, or an Error for an item that did not parse. */
export async function importRecords(store: Store, catalog: Catalog, items: readonly { index: number; value: unknown }[], origin: Origin): Promise<BatchResult> {
  try {
    const summary = await store.transact((tx) => {
      const problems: BatchProblem[] = [];
      const summary: BatchSummary = {
        records: items.length,
        new: { member: 0, credit: 0, reversal: 0 },
        known: { member: 0, credit: 0, reversal: 0 },
        entries: 0,
        points: 0,
      };
      for (const { index, value } of items) {
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

/** Splits JSON Lines text into numbered items; blank lines are skipped, bad JSON becomes an Error. */
export function parseJsonLines(text: string): { index: number; value: unknown }[] {
  const items: { index: number; value: unknown }[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '') return;
    try {
      items.push({ index: i + 1, value: JSON.parse(trimmed) });
    } catch (error) {
      items.push({ index: i + 1, value: new Error(`not valid JSON (${(error as Error).message})`) });
    }
  });
  return items;
}
