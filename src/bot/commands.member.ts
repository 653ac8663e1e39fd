// A member's own commands: status, history, joining, the leaderboard, reminders, their partner, the
// claim forms and help. Reads come from the state and the core's queries; writes from src/services.
import { latestEntries, yearHistory } from '../core/history.js';
import { leaderboard as leaderboardOf, standingOf, type MyStanding } from '../core/leaderboard.js';
import type { LedgerEntry, Member } from '../core/ledger.js';
import { memberStatus } from '../core/lifecycle.js';
import { nextReminderDate } from '../core/notices.js';
import { partnerStatus } from '../core/partners.js';
import { dateIn } from '../core/time.js';
import { newId } from '../services/context.js';
import { join as joinProgram, setLeaderboardOptOut, setNotifications } from '../services/members.js';
import { attendanceCard, claimCard, entryTitle, partnerCard } from '../cards/cards.js';
import { statusCard } from '../cards/status-card.js';
import { COMMANDS } from './command-list.js';
import type { Context } from './context.js';
import { wholeNumber } from './input.js';
import { membershipStarts, message, notEnrolled, number, signed, text, usage, type Reply } from './replies.js';

const HISTORY_PAGE = 10;
const LATEST_ON_STATUS = 5;

const remindersMuted = (ctx: Context, member: Member) => ctx.state.preferences.get(member.id)?.notificationsOff === true;

/** The status card of a member: the caller's own (/points), or anyone's for an administrator (/member). */
export function statusReply(ctx: Context, who: Member): Reply {
  const { catalog } = ctx.deps;
  const entries = ctx.state.entriesOf(who.id);
  const report = memberStatus(catalog, who, entries, ctx.now);
  if (!report) return membershipStarts(who.signedUpAt);
  const muted = remindersMuted(ctx, who);
  const reminder = muted ? 'off (type **notifications on** to turn them back on)' : nextReminderDate(catalog, who, ctx.now, { reminderDays: ctx.deps.reminderDays, muted });
  return { cards: [statusCard(catalog, who, report, latestEntries(entries, ctx.now, LATEST_ON_STATUS), reminder ?? 'none')] };
}

export const points = (ctx: Context): Reply => (ctx.caller.member ? statusReply(ctx, ctx.caller.member) : notEnrolled());

function describeEntry(ctx: Context, entry: LedgerEntry): string {
  const parts = [entryTitle(ctx.deps.catalog, entry)];
  if (entry.reason) parts.push(entry.reason);
  if (entry.note) parts.push(entry.note);
  if (ctx.state.reversalOf(entry.id)) parts.push('(reversed)');
  return parts.join(' · ');
}

export function history(ctx: Context, args: string[]): Reply {
  const who = ctx.caller.member;
  if (!who) return notEnrolled();
  const zone = ctx.deps.catalog.timeZone;
  const page = args[0] === undefined ? 1 : wholeNumber(args[0]);
  if (page === null || page === undefined || page < 1) return text(`Give a page number, for example **history 2**, not "${args[0]}".`);
  const found = yearHistory(who, ctx.state.entriesOf(who.id), ctx.now, zone);
  if (!found) return membershipStarts(who.signedUpAt);
  const { year, entries } = found;
  const pages = Math.max(1, Math.ceil(entries.length / HISTORY_PAGE));
  if (entries.length === 0) return text(`No points yet in this membership year (since ${year.startDate}). Type **earn** to see how to earn them.`);
  if (page > pages) return text(`There ${pages === 1 ? 'is only 1 page' : `are only ${pages} pages`} of history this membership year.`);
  const shown = entries.slice((page - 1) * HISTORY_PAGE, page * HISTORY_PAGE);
  return message({
    title: `Your points since ${year.startDate} (page ${page} of ${pages})`,
    facts: shown.map((e) => ({ title: `${dateIn(Date.parse(e.at), zone)} ${signed(e.points)}`, value: describeEntry(ctx, e) })),
    lines: page < pages ? [`Type **history ${page + 1}** for older entries.`] : [],
  });
}

export async function join(ctx: Context): Promise<Reply> {
  const { caller } = ctx;
  const joined = await joinProgram(ctx.deps, caller);
  if (!joined.ok) {
    switch (joined.problem.code) {
      case 'ALREADY_ENROLLED':
        return text(caller.member ? `You are already enrolled: you joined on ${caller.member.signedUpAt}.` : 'You are already enrolled.');
      case 'NO_EMAIL':
        return text('Teams did not give me your email address, which the program needs. Ask an administrator to enrol you.');
      case 'EMAIL_TAKEN':
        return text(`The email ${caller.email?.toLowerCase()} already belongs to another member. Ask an administrator to link your Teams account.`);
    }
  }
  const [first] = ctx.deps.catalog.levels;
  return message({
    title: 'Welcome to the DevOps Professional Program',
    tone: 'good',
    lines: [
      `Your membership year runs from today, ${joined.value.member.signedUpAt}. Reach ${first!.name} with ${number(first!.threshold)} points.`,
      'Type **points** to see where you stand and **earn** to see how to earn points.',
    ],
  });
}

function standingLine(standing: MyStanding): string {
  switch (standing.kind) {
    case 'opted-out':
      return 'You are not on the leaderboard (you opted out; **leaderboard optin** to take part).';
    case 'ranked':
      return `You are number ${standing.rank} of ${standing.of} with ${number(standing.points)} points.`;
    case 'no-points':
      return 'You have no points in this period yet.';
  }
}

async function leaderboardChoice(ctx: Context, optOut: boolean): Promise<Reply> {
  const changed = await setLeaderboardOptOut(ctx.deps, ctx.caller, { optOut });
  if (!changed.ok) return notEnrolled();
  return text(optOut ? 'You are no longer shown on the leaderboard.' : 'You are shown on the leaderboard again.');
}

export function leaderboard(ctx: Context, args: string[]): Promise<Reply> | Reply {
  const option = (args[0] ?? 'month').toLowerCase();
  if (option === 'optout' || option === 'optin') return leaderboardChoice(ctx, option === 'optout');
  if (option !== 'month' && option !== 'year') return text('Use **leaderboard month**, **leaderboard year**, **leaderboard optout** or **leaderboard optin**.');
  const board = leaderboardOf(ctx.state, option, ctx.now, ctx.deps.catalog.timeZone);
  const me = ctx.caller.member;
  return message({
    title: `Leaderboard ${board.period}`,
    facts: board.standings.slice(0, 10).map((s, i) => ({ title: `${i + 1}. ${s.member.name}`, value: `${number(s.points)} points` })),
    lines: [...(board.standings.length === 0 ? ['Nobody has points in this period yet.'] : []), ...(me ? [standingLine(standingOf(ctx.state, board, me.id))] : [])],
  });
}

export async function notifications(ctx: Context, args: string[]): Promise<Reply> {
  const me = ctx.caller.member;
  if (!me) return notEnrolled();
  const choice = args[0]?.toLowerCase();
  const next = (muted: boolean) => nextReminderDate(ctx.deps.catalog, me, ctx.now, { reminderDays: ctx.deps.reminderDays, muted });
  if (choice !== 'on' && choice !== 'off') {
    const muted = remindersMuted(ctx, me);
    const date = next(muted);
    return text(
      `Renewal reminders are **${muted ? 'off' : 'on'}**${date ? `; the next one is on ${date}` : ''}. Type **notifications off** or **notifications on** to change that. Promotions, anniversary outcomes and claim decisions always arrive.`,
    );
  }
  const off = choice === 'off';
  const changed = await setNotifications(ctx.deps, ctx.caller, { off });
  if (!changed.ok) return notEnrolled();
  if (off) {
    return text('Renewal reminders are off. You will still hear about promotions, your anniversary outcome and your claims. Type **notifications on** to turn reminders back on.');
  }
  const date = next(false);
  return text(`Renewal reminders are on${date ? `; the next one is on ${date}` : ''}.`);
}

function partnerReply(ctx: Context, id: string): Reply | null {
  const input = ctx.state.partnerInput(id);
  return input ? { cards: [partnerCard(ctx.deps.catalog, partnerStatus(ctx.deps.catalog, input, ctx.now))] } : null;
}

/**
 * A member's own organisation; administrators may name any partner. A member naming another partner is
 * refused with the same sentence whether it exists or not, so nothing leaks.
 */
export function partner(ctx: Context, args: string[]): Reply {
  const { caller } = ctx;
  const own = caller.member?.partnerId;
  const asked = args[0];
  if (asked !== undefined && asked !== own) {
    if (!caller.isAdmin) return text("Only administrators can look at another partner. Type **partner** for your own organisation's credits and levels.");
    return partnerReply(ctx, asked) ?? text(`No partner with id "${asked.slice(0, 128)}".`);
  }
  const adminHint = caller.isAdmin ? ' As an administrator, type **partner** and a partner id to see any partner.' : '';
  if (!caller.member) {
    return text(`You are not enrolled in the DevOps Professional Program, so you belong to no partner organisation here. Type **join** to enrol; an administrator links members to their partner.${adminHint}`);
  }
  if (own === undefined) {
    return text(`You do not belong to a partner organisation in the Partner Program. If your organisation is a partner, ask an administrator to link you to it.${adminHint}`);
  }
  return partnerReply(ctx, own) ?? text(`Your organisation (partner ${own}) is not in the Partner Program's records yet. Ask an administrator to import it.`);
}

/** An empty claim form; its card id makes replays of one card one claim. */
export const claimForm = (ctx: Context): Reply => (ctx.caller.member ? { cards: [claimCard(ctx.deps.catalog, newId(ctx.deps))] } : notEnrolled());

export const attendanceForm = (ctx: Context): Reply => (ctx.caller.member ? { cards: [attendanceCard(newId(ctx.deps))] } : notEnrolled());

export function help(ctx: Context): Reply {
  const list = COMMANDS.filter((c) => !c.admin || ctx.caller.isAdmin);
  return message({
    title: 'DevOps Points: what I can do',
    lines: ['Type a command, with or without the slash:'],
    facts: list.map((c) => ({ title: usage(c), value: c.description + (c.admin ? ' (administrators)' : '') })),
  });
}
