// The claim cards' actions, dispatched on their verb: submit a claim or an attendance, approve or
// reject one. Identity comes from the activity (the caller), never from the card's data.
import type { Claim } from '../core/claims.js';
import { approveClaim, rejectClaim, submitClaim, type DecisionProblem } from '../services/claims.js';
import { attendanceCard, claimCard, reviewCard } from '../cards/cards.js';
import type { Context } from './context.js';
import { fieldsOf, stringOf, wholeNumber } from './input.js';
import { message, notEnrolled, refusedForNonAdmin, signed, text, type Reply } from './replies.js';

async function submit(ctx: Context, data: Record<string, unknown>, kind: 'action' | 'attendance'): Promise<Reply> {
  const cardId = stringOf(data, 'cardId') ?? '';
  const fields = fieldsOf(data);
  const submitted = await submitClaim(ctx.deps, ctx.caller, { kind, cardId, fields });
  const { catalog } = ctx.deps;
  if (!submitted.ok) {
    const { problem } = submitted;
    switch (problem.code) {
      case 'NOT_ENROLLED':
        return notEnrolled();
      case 'INVALID_CARD':
        return text('This card is not valid any more: type **claim** or **attendance** for a new one.');
      case 'INVALID_FIELDS':
        return { cards: [kind === 'action' ? claimCard(catalog, cardId, fields, problem.errors) : attendanceCard(cardId, fields, problem.errors)] };
      case 'ALREADY_SUBMITTED':
        return message({
          title: 'Claim already submitted',
          lines: [`This card was already submitted as claim ${problem.claim.id}, which is ${problem.claim.status}. Nothing was added.`],
        });
    }
  }
  const { claim } = submitted.value;
  return message({
    title: 'Claim submitted',
    tone: 'good',
    lines: [`Claim ${claim.id} is waiting for an administrator. You will hear when it is decided.`],
    facts: [
      { title: 'Action', value: catalog.byId.get(claim.action)?.title ?? claim.action },
      { title: claim.dates.length > 1 ? 'Days' : 'Date', value: claim.dates.join(', ') },
      ...(claim.attendees?.length ? [{ title: 'Also attended', value: claim.attendees.join(', ') }] : []),
    ],
  });
}

const noSuchClaim = () => text('No such claim. Type **review** for the claims waiting.');

function reviewAgain(ctx: Context, claim: Claim, error: string): Reply {
  return { cards: [reviewCard(ctx.deps.catalog, claim, ctx.state.member(claim.submittedBy), error)] };
}

/** A decision refused: the decision already taken, or the review card again with what is wrong. */
function refusedDecision(ctx: Context, problem: DecisionProblem, verb: 'claim.approve' | 'claim.reject', not: string): Reply {
  if (!('claim' in problem)) return problem.code === 'FOR_ADMINS' ? refusedForNonAdmin(verb) : noSuchClaim();
  const { claim } = problem;
  if (problem.code === 'ALREADY_DECIDED') {
    const reviewer = claim.decidedBy ? (ctx.state.member(claim.decidedBy)?.name ?? claim.decidedBy) : 'an administrator';
    return message({
      title: `Claim already ${claim.status}`,
      lines: [`Claim ${claim.id} was ${claim.status} by ${reviewer} on ${claim.decidedAt?.slice(0, 10)}. Nothing was changed.`],
    });
  }
  return reviewAgain(ctx, claim, `${not}: ${problem.message}.`);
}

async function approve(ctx: Context, data: Record<string, unknown>): Promise<Reply> {
  const claimId = stringOf(data, 'claimId');
  if (!claimId) return noSuchClaim();
  const points = wholeNumber(data.points);
  const days = wholeNumber(data.days);
  if (points === null || days === null) {
    const claim = ctx.state.claims.get(claimId);
    return claim ? reviewAgain(ctx, claim, 'Points and days must be whole numbers.') : noSuchClaim();
  }
  // The claim is looked up by the approval's transaction, not in this instance's view: on a shared
  // database the view may not yet hold a claim just submitted through another instance.
  const approved = await approveClaim(ctx.deps, ctx.caller, { claimId, ...(points !== undefined && { points }), ...(days !== undefined && { days }) });
  if (!approved.ok) return refusedDecision(ctx, approved.problem, 'claim.approve', 'Not approved');
  const byMember = new Map<string, number>();
  for (const e of approved.value.entries) byMember.set(e.memberId, (byMember.get(e.memberId) ?? 0) + e.points);
  const { notCredited } = approved.value;
  return message({
    title: `Claim ${claimId} approved`,
    tone: 'good',
    facts: [...byMember].map(([id, pts]) => ({ title: ctx.state.member(id)?.name ?? id, value: `${signed(pts)} points` })),
    lines: notCredited.length ? [`Not credited, because they are not enrolled in the program: ${notCredited.join(', ')}. The submitter is told too.`] : [],
  });
}

async function reject(ctx: Context, data: Record<string, unknown>): Promise<Reply> {
  const claimId = stringOf(data, 'claimId');
  if (claimId === undefined) return noSuchClaim();
  const rejected = await rejectClaim(ctx.deps, ctx.caller, { claimId, reason: stringOf(data, 'reason') ?? '' });
  if (!rejected.ok) return refusedDecision(ctx, rejected.problem, 'claim.reject', 'Not rejected');
  return message({ title: `Claim ${claimId} rejected`, lines: [`Reason given to the member: ${rejected.value.claim.reason}`] });
}

export interface CardAction {
  admin: boolean;
  run: (ctx: Context, data: Record<string, unknown>) => Promise<Reply>;
}

export const actionTable: Readonly<Record<string, CardAction>> = {
  'claim.submit': { admin: false, run: (ctx, data) => submit(ctx, data, 'action') },
  'attendance.submit': { admin: false, run: (ctx, data) => submit(ctx, data, 'attendance') },
  'claim.approve': { admin: true, run: approve },
  'claim.reject': { admin: true, run: reject },
};
