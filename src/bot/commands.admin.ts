// Administrators' commands: the review queue, credits and reversals by hand, anyone's status card.
import { pendingClaims } from '../core/claims.js';
import { findMember } from '../core/records.js';
import { award as awardPoints, revoke as revokeEntry } from '../services/ledger-admin.js';
import { entryTitle, reviewCard } from '../cards/cards.js';
import { statusReply } from './commands.member.js';
import type { Context } from './context.js';
import { wholeNumber } from './input.js';
import { message, refusedForNonAdmin, signed, text, usageOf, type Reply } from './replies.js';

const REVIEW_CARDS = 10;

export function review(ctx: Context): Reply {
  const pending = pendingClaims(ctx.state.claims.values());
  if (pending.length === 0) return text('No claims are waiting for review.');
  const shown = pending.slice(0, REVIEW_CARDS);
  return {
    text: `${pending.length} claim${pending.length === 1 ? '' : 's'} waiting${pending.length > shown.length ? `; the oldest ${shown.length} are below` : ''}.`,
    cards: shown.map((c) => reviewCard(ctx.deps.catalog, c, ctx.state.member(c.submittedBy))),
  };
}

/** award <member> <action> [points|days] [note]: a bare whole number after the action is the amount, the rest the note. */
export async function award(ctx: Context, args: string[]): Promise<Reply> {
  const [ref, action, third, ...rest] = args;
  if (!ref || !action) return usageOf('award');
  const amount = wholeNumber(third) ?? undefined;
  const note = (amount === undefined && third !== undefined ? [third, ...rest] : rest).join(' ');
  const awarded = await awardPoints(ctx.deps, ctx.caller, { member: ref, action, ...(amount !== undefined && { amount }), note });
  if (!awarded.ok) {
    switch (awarded.problem.code) {
      case 'FOR_ADMINS':
        return refusedForNonAdmin('award');
      case 'UNKNOWN_MEMBER':
        return text(`No member with id or email "${ref}". Nothing was changed.`);
      case 'UNKNOWN_ACTION':
        return text(`Unknown action "${action}". Type **earn** and a topic to find the action ids. Nothing was changed.`);
      default:
        return text(`Not credited: ${awarded.problem.message}. Nothing was changed.`);
    }
  }
  const { catalog } = ctx.deps;
  return message({
    title: `Credited ${awarded.value.member.name}`,
    tone: 'good',
    facts: awarded.value.entries.map((e) => ({ title: e.id, value: `${signed(e.points)} · ${entryTitle(catalog, e)}${e.reason ? ` · ${e.reason}` : ''}` })),
  });
}

export async function revoke(ctx: Context, args: string[]): Promise<Reply> {
  const [entryId, ...why] = args;
  const reason = why.join(' ').trim();
  if (!entryId || !reason) return usageOf('revoke');
  const revoked = await revokeEntry(ctx.deps, ctx.caller, { entryId, reason });
  if (!revoked.ok) {
    switch (revoked.problem.code) {
      case 'FOR_ADMINS':
        return refusedForNonAdmin('revoke');
      case 'UNKNOWN_ENTRY':
        return text(`Not reversed: no entry with id "${entryId}". Nothing was changed.`);
      default:
        return text(`Not reversed: ${revoked.problem.message}. Nothing was changed.`);
    }
  }
  const { catalog } = ctx.deps;
  return message({
    title: `Reversed ${entryId}`,
    tone: 'good',
    facts: revoked.value.entries.map((e) => ({ title: e.id, value: `${signed(e.points)} · ${entryTitle(catalog, e)} · ${reason}` })),
  });
}

export function member(ctx: Context, args: string[]): Reply {
  const ref = args.join(' ').trim();
  if (!ref) return usageOf('member');
  const found = findMember(ctx.state, ref);
  if (!found) return text(`No member with id or email "${ref}".`);
  return statusReply(ctx, found);
}
