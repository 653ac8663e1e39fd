// Self-service claims: a member submits one from a card, an administrator approves or rejects it.
// The checks and the crediting are core/claims.ts; this applies them to the store, once.
import {
  approveClaim as approve,
  checkActionClaim,
  checkAttendanceClaim,
  decisionFor,
  rejectClaim as reject,
  type Claim,
  type FieldErrors,
} from '../core/claims.js';
import type { LedgerEntry } from '../core/ledger.js';
import { accept, refuse, type Problem, type Result } from '../core/result.js';
import { forAdmins, notEnrolled, type Caller, type ServiceDeps } from './context.js';

export interface SubmitInput {
  kind: 'action' | 'attendance';
  /** The id the claim card was made with: replays of one card are one claim. */
  cardId: string | undefined;
  /** The card's inputs. */
  fields: Record<string, unknown>;
}

export type SubmitProblem =
  | Problem<'NOT_ENROLLED' | 'INVALID_CARD'>
  | (Problem<'INVALID_FIELDS'> & { errors: FieldErrors })
  | (Problem<'ALREADY_SUBMITTED'> & { claim: Claim });

const CARD_ID = /^[A-Za-z0-9-]{8,64}$/;

/** Checks the card's inputs into a pending claim and keeps it, once per card. */
export async function submitClaim(deps: Pick<ServiceDeps, 'store' | 'catalog' | 'now'>, caller: Caller, input: SubmitInput): Promise<Result<{ claim: Claim }, SubmitProblem>> {
  const who = caller.member;
  if (!who) return notEnrolled();
  if (input.cardId === undefined || !CARD_ID.test(input.cardId)) return refuse('INVALID_CARD', 'this card is not valid any more');
  const claimInput = { id: `claim-${input.cardId}`, submittedBy: who, at: deps.now(), fields: input.fields };
  const checked = input.kind === 'action' ? checkActionClaim(deps.catalog, claimInput) : checkAttendanceClaim(deps.catalog, claimInput);
  if (!checked.ok) return { ok: false, problem: { code: 'INVALID_FIELDS', message: 'some inputs need fixing', errors: checked.errors } };
  const claim = checked.value;
  return deps.store.transact((tx): Result<{ claim: Claim }, SubmitProblem> => {
    const existing = tx.view.claims.get(claim.id);
    if (existing) return { ok: false, problem: { code: 'ALREADY_SUBMITTED', message: `this card was already submitted as claim ${existing.id}`, claim: existing } };
    tx.put(['claims', claim]);
    return accept({ claim });
  });
}

/**
 * A refusal of a decision: not an administrator, no such claim, or, with the claim as it stands,
 * what the rules refuse (ALREADY_DECIDED, OUT_OF_RANGE, MISSING_REASON, UNKNOWN_MEMBER…).
 */
export type DecisionProblem = Problem<'FOR_ADMINS' | 'UNKNOWN_CLAIM'> | (Problem & { claim: Claim });

export interface Approved {
  claim: Claim;
  entries: LedgerEntry[];
  /** Attendance: the emails of listed people who are not enrolled. */
  notCredited: string[];
}

const unknownClaim = () => refuse('UNKNOWN_CLAIM', 'no such claim');

/** Credits a pending claim at the approval instant, with the reviewer's points or days where the rule lets them choose. */
export async function approveClaim(
  deps: Pick<ServiceDeps, 'store' | 'catalog' | 'now'>,
  caller: Caller,
  input: { claimId: string; points?: number; days?: number },
): Promise<Result<Approved, DecisionProblem>> {
  if (!caller.isAdmin) return forAdmins();
  const at = deps.now();
  return deps.store.transact((tx): Result<Approved, DecisionProblem> => {
    const claim = tx.view.claims.get(input.claimId);
    if (!claim) return unknownClaim();
    const result = approve(deps.catalog, tx.view, claim, decisionFor(deps.catalog, claim, caller.userId, at, input));
    if (!result.ok) return { ok: false, problem: { ...result.problem, claim } };
    const { claim: approved, entries, notifications, notCredited } = result.value;
    tx.put(['claims', approved]);
    for (const entry of entries) tx.put(['ledger', entry]);
    for (const note of notifications) tx.put(['notifications', note]);
    return accept({ claim: approved, entries, notCredited });
  });
}

/** Rejects a pending claim with a reason the member is told. */
export async function rejectClaim(deps: Pick<ServiceDeps, 'store' | 'now'>, caller: Caller, input: { claimId: string; reason: string }): Promise<Result<{ claim: Claim }, DecisionProblem>> {
  if (!caller.isAdmin) return forAdmins();
  const at = deps.now();
  return deps.store.transact((tx): Result<{ claim: Claim }, DecisionProblem> => {
    const claim = tx.view.claims.get(input.claimId);
    if (!claim) return unknownClaim();
    const result = reject(claim, caller.userId, input.reason, at);
    if (!result.ok) return { ok: false, problem: { ...result.problem, claim } };
    tx.put(['claims', result.value.claim]);
    for (const note of result.value.notifications) tx.put(['notifications', note]);
    return accept({ claim: result.value.claim });
  });
}
