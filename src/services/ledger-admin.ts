// An administrator's corrections to the ledger: a credit by hand, and the reversal of an entry. Both
// are planned as the records an import brings (core/records.ts), so their checks are the import's.
import type { LedgerEntry, Member } from '../core/ledger.js';
import { planRecord, type LedgerRecord } from '../core/records.js';
import { accept, refuse, type Problem, type Result } from '../core/result.js';
import { forAdmins, newId, type Caller, type ServiceDeps } from './context.js';

export interface AwardInput {
  /** A member id or email. */
  member: string;
  action: string;
  /** The days of a per-day rule, else the points of a rule whose points are chosen. */
  amount?: number;
  note?: string;
}

/**
 * Refusals carry the planning's codes: UNKNOWN_MEMBER, UNKNOWN_ACTION and what crediting refuses
 * (OUT_OF_RANGE, ONCE_A_YEAR…), or UNKNOWN_ENTRY, ALREADY_REVERSED… for a reversal.
 */
export type AdminProblem = Problem;

type Deps = Pick<ServiceDeps, 'store' | 'catalog' | 'now' | 'newId'>;

async function apply(deps: Deps, caller: Caller, record: LedgerRecord): Promise<Result<{ member: Member; entries: LedgerEntry[] }, AdminProblem>> {
  return deps.store.transact((tx): Result<{ member: Member; entries: LedgerEntry[] }, AdminProblem> => {
    const planned = planRecord(deps.catalog, tx.view, record, { source: 'admin', by: caller.userId });
    if (!planned.ok) return planned;
    // A new id is never "already known"; say so rather than write nothing.
    if (planned.value.known) return refuse('ID_CONFLICT', `entry id ${record.id} is already used`);
    const { entries } = planned.value;
    for (const entry of entries) tx.put(['ledger', entry]);
    // Planning found the member of the credit, or of the entry reversed.
    return accept({ member: tx.view.member(entries[0]!.memberId)!, entries });
  });
}

/** Credits a member for a catalog action now, as the administrator. */
export async function award(deps: Deps, caller: Caller, input: AwardInput): Promise<Result<{ member: Member; entries: LedgerEntry[] }, AdminProblem>> {
  if (!caller.isAdmin) return forAdmins();
  const rule = deps.catalog.byId.get(input.action);
  const amount = input.amount === undefined ? {} : rule?.kind === 'per-day' ? { days: input.amount } : { points: input.amount };
  const note = input.note?.trim();
  return apply(deps, caller, {
    type: 'credit',
    id: `award-${newId(deps)}`,
    member: input.member,
    action: input.action,
    at: deps.now(),
    ...amount,
    ...(note && { note }),
  });
}

/** Reverses a ledger entry (and the bonus it earned) now, with the administrator's reason. */
export async function revoke(deps: Deps, caller: Caller, input: { entryId: string; reason: string }): Promise<Result<{ member: Member; entries: LedgerEntry[] }, AdminProblem>> {
  if (!caller.isAdmin) return forAdmins();
  const reason = input.reason.trim();
  if (!reason) return refuse('MISSING_REASON', 'give a reason for the reversal');
  return apply(deps, caller, { type: 'reversal', id: `revoke-${newId(deps)}`, reverses: input.entryId, at: deps.now(), note: reason });
}
