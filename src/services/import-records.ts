// Applies a batch of records (import file, later the events API) all or nothing, idempotently: the
// DevOps records (member, credit, reversal) and the Partner Program's (partner, partner-activity), mixed
// in one file. Each record sees the batch's earlier records, so a file may hold a partner, then its people
// and its activities, or a deal's registration, then its win.
import type { Catalog } from '../core/catalog.js';
import { isObject } from '../core/json.js';
import type { Problem } from '../core/ledger.js';
import { isPartnerRecordType, parsePartnerRecord, planPartnerRecord, PARTNER_RECORD_TYPES, type PartnerRecord } from '../core/partner-records.js';
import { parseRecord, planRecord, type LedgerRecord, type Origin } from '../core/records.js';
import type { State } from '../store/state.js';
import { Rollback, StoreRecordError, Transaction, type PointsStore } from '../store/contract.js';

export interface BatchProblem {
  /** 1-based position in the batch (the line number of an import file). */
  index: number;
  message: string;
}

export const RECORD_TYPES = ['member', 'credit', 'reversal', ...PARTNER_RECORD_TYPES] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

export interface BatchSummary {
  records: number;
  /** Records that added something, per type. */
  new: Record<RecordType, number>;
  /** Records already in the store with the same content: no-ops. */
  known: Record<RecordType, number>;
  /** Ledger entries written (a credit may add a bonus entry). */
  entries: number;
  /** The points of those entries. */
  points: number;
}

export type BatchResult = { ok: true; summary: BatchSummary } | { ok: false; problems: BatchProblem[] };

export interface BatchItem {
  index: number;
  /** A parsed JSON value, or an Error for an item that did not parse. */
  value: unknown;
}

const counts = (): Record<RecordType, number> => ({ member: 0, credit: 0, reversal: 0, partner: 0, 'partner-activity': 0 });

const TYPES_TEXT = '"member", "credit", "reversal", "partner" or "partner-activity"';

/**
 * A new member's partnerId must name a partner in the store or earlier in the batch, like a credit's
 * member. A member already stored is a no-op whatever it names, so a file imported before partners
 * existed (schema 3 kept partnerId unchecked) imports again unchanged.
 */
function memberPartnerProblem(view: State, record: LedgerRecord): Problem | null {
  if (record.type !== 'member' || record.partnerId === undefined || view.member(record.id)) return null;
  if (view.partner(record.partnerId)) return null;
  return { code: 'UNKNOWN_PARTNER', message: `member ${record.id} names partner "${record.partnerId}", which is not known (import the partner first, earlier in the file or before)` };
}

type Planned = { ok: true; type: RecordType; known: boolean } | { ok: false; problem: Problem };

function applyLedgerRecord(tx: Transaction, catalog: Catalog, record: LedgerRecord, origin: Origin, summary: BatchSummary): Planned {
  const problem = memberPartnerProblem(tx.view, record);
  if (problem) return { ok: false, problem };
  const planned = planRecord(catalog, tx.view, record, origin);
  if (!planned.ok) return planned;
  const plan = planned.value;
  if (plan.known) return { ok: true, type: record.type, known: true };
  if (plan.member) tx.put(['members', plan.member]);
  for (const entry of plan.entries) {
    tx.put(['ledger', entry]);
    summary.entries += 1;
    summary.points += entry.points;
  }
  return { ok: true, type: record.type, known: false };
}

function applyPartnerRecord(tx: Transaction, catalog: Catalog, record: PartnerRecord, origin: Origin, now: number): Planned {
  // The transaction's view already holds the batch's earlier records.
  const planned = planPartnerRecord(catalog, tx.view, record, now, origin);
  if (!planned.ok) return planned;
  const plan = planned.value;
  if (plan.known) return { ok: true, type: record.type, known: true };
  if ('partner' in plan) tx.put(['partners', plan.partner]);
  else tx.put(['partnerActivities', plan.activity]);
  return { ok: true, type: record.type, known: false };
}

function applyItem(tx: Transaction, catalog: Catalog, value: unknown, origin: Origin, now: number, summary: BatchSummary): Planned {
  if (!isObject(value)) return { ok: false, problem: { code: 'INVALID_RECORD', message: `must be a JSON object whose "type" is ${TYPES_TEXT}` } };
  if (isPartnerRecordType(value.type)) {
    const parsed = parsePartnerRecord(value);
    return parsed.ok ? applyPartnerRecord(tx, catalog, parsed.value, origin, now) : parsed;
  }
  if (!(RECORD_TYPES as readonly unknown[]).includes(value.type)) {
    return { ok: false, problem: { code: 'INVALID_RECORD', message: `"type" must be ${TYPES_TEXT}` } };
  }
  const parsed = parseRecord(value);
  return parsed.ok ? applyLedgerRecord(tx, catalog, parsed.value, origin, summary) : parsed;
}

/** Plans every item on the transaction's view and puts what it adds; the problems of the batch, if any. */
function applyBatch(tx: Transaction, catalog: Catalog, items: Iterable<BatchItem>, origin: Origin, now: number): BatchResult {
  const problems: BatchProblem[] = [];
  const summary: BatchSummary = { records: 0, new: counts(), known: counts(), entries: 0, points: 0 };
  for (const { index, value } of items) {
    summary.records += 1;
    if (value instanceof Error) {
      problems.push({ index, message: value.message });
      continue;
    }
    let applied: Planned;
    try {
      applied = applyItem(tx, catalog, value, origin, now, summary);
    } catch (error) {
      // A record the store would refuse is this item's problem; the batch is undone anyway.
      if (!(error instanceof StoreRecordError)) throw error;
      applied = { ok: false, problem: { code: 'INVALID_RECORD', message: error.message } };
    }
    if (!applied.ok) problems.push({ index, message: applied.problem.message });
    else summary[applied.known ? 'known' : 'new'][applied.type] += 1;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, summary };
}

/**
 * What importing the batch into this data would answer, without writing anything: a refused batch
 * can be answered from a read-only load, with no lock and no file touched. The state is left as it was.
 */
export function checkRecords(state: State, catalog: Catalog, items: Iterable<BatchItem>, origin: Origin, now: number): BatchResult {
  const tx = new Transaction(state);
  try {
    return applyBatch(tx, catalog, items, origin, now);
  } finally {
    tx.undo();
  }
}

/**
 * What a caller adds to a batch's transaction, seeing the latest data of every process: a look before
 * the batch (a value there is returned and nothing is applied), and puts after it, written with it.
 */
export interface BatchHooks<T> {
  before(view: State): T | undefined;
  after(tx: Transaction, summary: BatchSummary): T;
}

export type HookedResult<T> = { ok: true; value: T } | { ok: false; problems: BatchProblem[] };

/** importRecords with hooks run in the batch's own transaction (the events API keeps its answers so). */
export async function importRecordsWith<T>(
  store: PointsStore,
  catalog: Catalog,
  items: Iterable<BatchItem>,
  origin: Origin,
  now: number,
  hooks: BatchHooks<T>,
): Promise<HookedResult<T>> {
  try {
    const value = await store.transact((tx) => {
      const earlier = hooks.before(tx.view);
      if (earlier !== undefined) return earlier;
      const result = applyBatch(tx, catalog, items, origin, now);
      if (!result.ok) throw new Rollback(result.problems);
      return hooks.after(tx, result.summary);
    });
    return { ok: true, value };
  } catch (error) {
    if (error instanceof Rollback) return { ok: false, problems: error.detail as BatchProblem[] };
    throw error;
  }
}

const plainBatch: BatchHooks<BatchSummary> = { before: () => undefined, after: (_tx, summary) => summary };

/**
 * Items may be produced lazily (see jsonLines), so a large file never exists as parsed objects all at once.
 * `now` is the import instant: a partner's legacy level holds from then until the end of the next year.
 */
export async function importRecords(
  store: PointsStore,
  catalog: Catalog,
  items: Iterable<BatchItem>,
  origin: Origin,
  now: number,
): Promise<BatchResult> {
  const result = await importRecordsWith(store, catalog, items, origin, now, plainBatch);
  return result.ok ? { ok: true, summary: result.value } : result;
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
