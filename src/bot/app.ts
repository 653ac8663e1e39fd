// What the bot does, free of the Bot Framework: a command table and a card-action table, each entry
// taking one context and returning a reply. The Teams glue (bot.ts) turns activities into calls here.
import { randomUUID } from 'node:crypto';
import type { Catalog } from '../core/catalog.js';
import { approveClaim, checkActionClaim, checkAttendanceClaim, rejectClaim, type Claim, type ClaimInput, type FieldErrors } from '../core/claims.js';
import { credit, reverse, type LedgerEntry, type Member } from '../core/ledger.js';
import { memberStatus } from '../core/lifecycle.js';
import { nextReminderDate } from '../core/notices.js';
import { partnerStatus } from '../core/partners.js';
import { findMember } from '../core/records.js';
import { dateIn, membershipYearAt, monthIn } from '../core/time.js';
import type { State } from '../store/state.js';
import { Rollback, type Store } from '../store/store.js';
import {
  attendanceCard,
  claimCard,
  entryTitle,
  messageCard,
  partnerCard,
  reviewCard,
  welcomeCard,
  type Card,
  type MessageCard,
} from '../cards/cards.js';
import { statusCard } from '../cards/status-card.js';
import { COMMANDS, type CommandInfo } from './command-list.js';

export interface Reply {
  text?: string;
  cards?: Card[];
}

/** Who is speaking, always from the activity (never from card data). */
export interface Caller {
  /** The AAD object id (Teams), else the channel's user id. */
  userId: string;
  name: string;
  email?: string;
  isAdmin: boolean;
  member?: Member;
}

export interface AppDeps {
  store: Store;
  catalog: Catalog;
  now: () => number;
  /** Days before the anniversary that members are reminded (REMINDER_DAYS). */
  reminderDays: readonly number[];
  newId?: () => string;
}

interface Context {
  caller: Caller;
  deps: AppDeps;
  state: State;
  now: number;
}

const HISTORY_PAGE = 10;
const MAX_COMMAND_LENGTH = 2000;

const message = (m: MessageCard): Reply => ({ cards: [messageCard(m)] });
const text = (t: string): Reply => ({ text: t });
const number = (n: number) => n.toLocaleString('en-US');
const signed = (n: number) => (n > 0 ? `+${number(n)}` : number(n));

function notEnrolled(): Reply {
  return text('You are not enrolled in the DevOps Professional Program yet. Type **join** to enrol, starting today.');
}

function refusedForNonAdmin(name: string): Reply {
  return text(`**${name}** is for administrators. Nothing was changed.`);
}

function usage(info: CommandInfo): string {
  return `**${info.name}**${info.usage ? ` ${info.usage}` : ''}`;
}

// ---- commands ------------------------------------------------------------------------------------

function points(ctx: Context, who: Member): Reply {
  const { catalog } = ctx.deps;
  const report = memberStatus(catalog, who, ctx.state.entriesOf(who.id), ctx.now);
  if (!report) return text(`Your membership starts on ${who.signedUpAt}.`);
  const latest = [...ctx.state.entriesOf(who.id)].filter((e) => Date.parse(e.at) <= ctx.now).sort((a, b) => Date.parse(b.at) - Date.parse(a.at)).slice(0, 5);
  const muted = ctx.state.preferences.get(who.id)?.notificationsOff === true;
  const reminder = muted ? 'off (type **notifications on** to turn them back on)' : nextReminderDate(catalog, who, ctx.now, { reminderDays: ctx.deps.reminderDays, muted });
  return { cards: [statusCard(catalog, who, report, latest, reminder ?? 'none')] };
}

function history(ctx: Context, args: string[]): Reply {
  const who = ctx.caller.member;
  if (!who) return notEnrolled();
  const zone = ctx.deps.catalog.timeZone;
  const page = args[0] === undefined ? 1 : Number(args[0]);
  if (!Number.isInteger(page) || page < 1) return text(`Give a page number, for example **history 2**, not "${args[0]}".`);
  const year = membershipYearAt(who.signedUpAt, ctx.now, zone);
  if (!year) return text(`Your membership starts on ${who.signedUpAt}.`);
  const entries = ctx.state
    .entriesOf(who.id)
    .filter((e) => Date.parse(e.at) >= year.start && Date.parse(e.at) <= ctx.now)
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
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

function describeEntry(ctx: Context, entry: LedgerEntry): string {
  const parts = [entryTitle(ctx.deps.catalog, entry)];
  if (entry.reason) parts.push(entry.reason);
  if (entry.note) parts.push(entry.note);
  if (ctx.state.reversalOf(entry.id)) parts.push('(reversed)');
  return parts.join(' · ');
}

function levels(ctx: Context): Reply {
  const { catalog } = ctx.deps;
  return message({
    title: 'DevOps Professional levels',
    lines: [
      'Points count per membership year, from your sign-up anniversary. A level is yours as soon as you reach it, and you keep it until your next anniversary; then the points start again and the past year decides your level.',
      ...(catalog.benefits.length ? ['**What the program brings:**', ...catalog.benefits.map((b) => `- ${b}`)] : []),
    ],
    facts: catalog.levels.map((l) => ({ title: l.name, value: `${number(l.threshold)} points per year${l.tagline ? `: ${l.tagline}` : ''}` })),
  });
}

const TOPIC_NAMES: Record<string, string> = {
  qa: 'Q&A on Dojo',
  learning: 'Learning',
  certification: 'Certification',
  docs: 'Documentation',
  content: 'Content',
  feedback: 'Feedback',
  advocacy: 'Advocacy',
  partner: 'Partners',
};

function ruleValue(ctx: Context, id: string): string {
  const rule = ctx.deps.catalog.byId.get(id)!;
  const extras: string[] = [];
  let value: string;
  switch (rule.kind) {
    case 'bonus':
      value = `${number(rule.points)} points`;
      break;
    case 'fixed': {
      value = `${number(rule.points)} points`;
      if (rule.monthlyCap) extras.push(`at most ${number(rule.monthlyCap)} a month`);
      if (rule.oncePerYear) extras.push('once a membership year');
      const bonus = rule.bonus && ctx.deps.catalog.byId.get(rule.bonus.action);
      if (rule.bonus && bonus?.kind === 'bonus') extras.push(`+${number(bonus.points)} when done within ${rule.bonus.withinDays} days of the release`);
      break;
    }
    case 'range':
      value = `${number(rule.min)} to ${number(rule.max)} points`;
      break;
    case 'per-day':
      value = `${number(rule.points)} points a day`;
      break;
    case 'split':
      value = rule.points !== undefined ? `${number(rule.points)} points` : `up to ${number(rule.max ?? 0)} points`;
      value += `${rule.perDay ? ' a day' : ''}, shared among the people who took part`;
      break;
  }
  if (rule.proofRequired) extras.push('proof required');
  return [value, ...extras].join(', ');
}

function earn(ctx: Context, args: string[]): Reply {
  const { catalog } = ctx.deps;
  const topic = args.join(' ').toLowerCase();
  const topics = [...new Set(catalog.actions.map((a) => a.category))];
  if (!topic) {
    return message({
      title: 'How to earn DevOps Points',
      lines: ['Most activity on Dojo is tracked automatically; the rest you can **claim**. Type **earn** and a topic for the details:'],
      facts: topics.map((t) => ({ title: t, value: `${TOPIC_NAMES[t] ?? t}: ${catalog.actions.filter((a) => a.category === t && a.kind !== 'bonus').length} ways` })),
    });
  }
  const matches = catalog.actions.filter(
    (a) => a.kind !== 'bonus' && (a.category === topic || (TOPIC_NAMES[a.category] ?? '').toLowerCase() === topic || a.title.toLowerCase().includes(topic)),
  );
  if (matches.length === 0) return text(`No topic or action matches "${topic}". Topics: ${topics.join(', ')}.`);
  return message({
    title: `Earning points: ${TOPIC_NAMES[topic] ?? topic}`,
    facts: matches.map((a) => ({ title: a.title, value: ruleValue(ctx, a.id) })),
  });
}

async function join(ctx: Context): Promise<Reply> {
  const { caller } = ctx;
  if (caller.member) return text(`You are already enrolled: you joined on ${caller.member.signedUpAt}.`);
  if (!caller.email) return text('Teams did not give me your email address, which the program needs. Ask an administrator to enrol you.');
  const email = caller.email.toLowerCase();
  const today = dateIn(ctx.now, ctx.deps.catalog.timeZone);
  const result = await ctx.deps.store.transact((tx) => {
    const taken = tx.view.memberByEmail(email);
    if (taken) return taken.id === caller.userId ? ('joined' as const) : ('taken' as const);
    if (tx.view.member(caller.userId)) return 'joined' as const;
    tx.put(['members', { id: caller.userId, email, name: caller.name || email, signedUpAt: today }]);
    return 'new' as const;
  });
  if (result === 'taken') return text(`The email ${email} already belongs to another member. Ask an administrator to link your Teams account.`);
  if (result === 'joined') return text('You are already enrolled.');
  return message({
    title: 'Welcome to the DevOps Professional Program',
    tone: 'good',
    lines: [
      `Your membership year runs from today, ${today}. Reach ${ctx.deps.catalog.levels[0]!.name} with ${number(ctx.deps.catalog.levels[0]!.threshold)} points.`,
      'Type **points** to see where you stand and **earn** to see how to earn points.',
    ],
  });
}

function leaderboard(ctx: Context, args: string[]): Promise<Reply> | Reply {
  const option = (args[0] ?? 'month').toLowerCase();
  if (option === 'optout' || option === 'optin') return leaderboardChoice(ctx, option === 'optout');
  if (option !== 'month' && option !== 'year') return text('Use **leaderboard month**, **leaderboard year**, **leaderboard optout** or **leaderboard optin**.');
  const zone = ctx.deps.catalog.timeZone;
  const period = option === 'month' ? monthIn(ctx.now, zone) : dateIn(ctx.now, zone).slice(0, 4);
  const inPeriod = (at: number) => (option === 'month' ? monthIn(at, zone) : dateIn(at, zone).slice(0, 4)) === period;
  const totals: { member: Member; points: number }[] = [];
  for (const member of ctx.state.members.values()) {
    if (ctx.state.preferences.get(member.id)?.leaderboardOptOut) continue;
    let sum = 0;
    for (const e of ctx.state.entriesOf(member.id)) {
      const at = Date.parse(e.at);
      if (at <= ctx.now && inPeriod(at)) sum += e.points;
    }
    if (sum > 0) totals.push({ member, points: sum });
  }
  totals.sort((a, b) => b.points - a.points || a.member.name.localeCompare(b.member.name));
  const me = ctx.caller.member;
  const myIndex = me ? totals.findIndex((t) => t.member.id === me.id) : -1;
  const mine = !me
    ? []
    : ctx.state.preferences.get(me.id)?.leaderboardOptOut
      ? ['You are not on the leaderboard (you opted out; **leaderboard optin** to take part).']
      : myIndex >= 0
        ? [`You are number ${myIndex + 1} of ${totals.length} with ${number(totals[myIndex]!.points)} points.`]
        : ['You have no points in this period yet.'];
  return message({
    title: `Leaderboard ${period}`,
    facts: totals.slice(0, 10).map((t, i) => ({ title: `${i + 1}. ${t.member.name}`, value: `${number(t.points)} points` })),
    lines: [...(totals.length === 0 ? ['Nobody has points in this period yet.'] : []), ...mine],
  });
}

async function notifications(ctx: Context, args: string[]): Promise<Reply> {
  const me = ctx.caller.member;
  if (!me) return notEnrolled();
  const choice = args[0]?.toLowerCase();
  const muted = ctx.state.preferences.get(me.id)?.notificationsOff === true;
  if (choice !== 'on' && choice !== 'off') {
    const next = nextReminderDate(ctx.deps.catalog, me, ctx.now, { reminderDays: ctx.deps.reminderDays, muted });
    return text(
      `Renewal reminders are **${muted ? 'off' : 'on'}**${next ? `; the next one is on ${next}` : ''}. Type **notifications off** or **notifications on** to change that. Promotions, anniversary outcomes and claim decisions always arrive.`,
    );
  }
  const off = choice === 'off';
  if (off !== muted) await ctx.deps.store.transact((tx) => tx.put(['preferences', { ...tx.view.preferences.get(me.id), id: me.id, notificationsOff: off }]));
  if (off) {
    return text('Renewal reminders are off. You will still hear about promotions, your anniversary outcome and your claims. Type **notifications on** to turn reminders back on.');
  }
  const next = nextReminderDate(ctx.deps.catalog, me, ctx.now, { reminderDays: ctx.deps.reminderDays, muted: false });
  return text(`Renewal reminders are on${next ? `; the next one is on ${next}` : ''}.`);
}

async function leaderboardChoice(ctx: Context, optOut: boolean): Promise<Reply> {
  const me = ctx.caller.member;
  if (!me) return notEnrolled();
  await ctx.deps.store.transact((tx) => tx.put(['preferences', { ...ctx.state.preferences.get(me.id), id: me.id, leaderboardOptOut: optOut }]));
  return text(optOut ? 'You are no longer shown on the leaderboard.' : 'You are shown on the leaderboard again.');
}

function help(ctx: Context): Reply {
  const list = COMMANDS.filter((c) => !c.admin || ctx.caller.isAdmin);
  return message({
    title: 'DevOps Points: what I can do',
    lines: ['Type a command, with or without the slash:'],
    facts: list.map((c) => ({ title: usage(c), value: c.description + (c.admin ? ' (administrators)' : '') })),
  });
}

function review(ctx: Context): Reply {
  const pending = [...ctx.state.claims.values()].filter((c) => c.status === 'pending').sort((a, b) => a.submittedAt.localeCompare(b.submittedAt));
  if (pending.length === 0) return text('No claims are waiting for review.');
  const shown = pending.slice(0, 10);
  return {
    text: `${pending.length} claim${pending.length === 1 ? '' : 's'} waiting${pending.length > shown.length ? `; the oldest ${shown.length} are below` : ''}.`,
    cards: shown.map((c) => reviewCard(ctx.deps.catalog, c, ctx.state.member(c.submittedBy))),
  };
}

function ledgerOf(state: State, member: Member) {
  return { member, entries: state.entriesOf(member.id), isReversed: (id: string) => state.reversalOf(id) !== undefined };
}

async function award(ctx: Context, args: string[]): Promise<Reply> {
  const [ref, action, third, ...rest] = args;
  if (!ref || !action) return text(`Usage: ${usage(COMMANDS.find((c) => c.name === 'award')!)}`);
  const { catalog } = ctx.deps;
  const member = findMember(ctx.state, ref);
  if (!member) return text(`No member with id or email "${ref}". Nothing was changed.`);
  const rule = catalog.byId.get(action);
  if (!rule) return text(`Unknown action "${action}". Type **earn** and a topic to find the action ids. Nothing was changed.`);
  const amount = third !== undefined && /^-?\d+$/.test(third) ? Number(third) : undefined;
  const note = (amount === undefined && third !== undefined ? [third, ...rest] : rest).join(' ').trim();
  const inputs =
    amount === undefined ? {} : rule.kind === 'per-day' ? { days: amount } : { points: amount };
  const id = `award-${(ctx.deps.newId ?? randomUUID)()}`;
  try {
    const entries = await ctx.deps.store.transact((tx) => {
      const result = credit(catalog, ledgerOf(tx.view, member), {
        id,
        action,
        at: ctx.now,
        inputs,
        source: 'admin',
        by: ctx.caller.userId,
        ...(note && { note }),
      });
      if (!result.ok) throw new Rollback(result.problem.message);
      for (const entry of result.value) tx.put(['ledger', entry]);
      return result.value;
    });
    return message({
      title: `Credited ${member.name}`,
      tone: 'good',
      facts: entries.map((e) => ({ title: e.id, value: `${signed(e.points)} · ${entryTitle(catalog, e)}${e.reason ? ` · ${e.reason}` : ''}` })),
    });
  } catch (error) {
    if (error instanceof Rollback) return text(`Not credited: ${String(error.detail)}. Nothing was changed.`);
    throw error;
  }
}

async function revoke(ctx: Context, args: string[]): Promise<Reply> {
  const [entryId, ...why] = args;
  const reason = why.join(' ').trim();
  if (!entryId || !reason) return text(`Usage: ${usage(COMMANDS.find((c) => c.name === 'revoke')!)}`);
  const { catalog } = ctx.deps;
  const id = `revoke-${(ctx.deps.newId ?? randomUUID)()}`;
  try {
    const entries = await ctx.deps.store.transact((tx) => {
      const target = tx.view.entry(entryId);
      if (!target) throw new Rollback(`no entry with id "${entryId}"`);
      const member = tx.view.member(target.memberId);
      if (!member) throw new Rollback(`entry ${entryId} belongs to no known member`);
      const earlier = tx.view.reversalOf(target.id);
      if (earlier) throw new Rollback(`entry ${entryId} was already reversed by ${earlier.id}`);
      const result = reverse(catalog, ledgerOf(tx.view, member), target, { id, at: ctx.now, source: 'admin', by: ctx.caller.userId, note: reason });
      if (!result.ok) throw new Rollback(result.problem.message);
      for (const entry of result.value) tx.put(['ledger', entry]);
      return result.value;
    });
    return message({
      title: `Reversed ${entryId}`,
      tone: 'good',
      facts: entries.map((e) => ({ title: e.id, value: `${signed(e.points)} · ${entryTitle(catalog, e)} · ${reason}` })),
    });
  } catch (error) {
    if (error instanceof Rollback) return text(`Not reversed: ${String(error.detail)}. Nothing was changed.`);
    throw error;
  }
}

function memberCard(ctx: Context, args: string[]): Reply {
  const ref = args.join(' ').trim();
  if (!ref) return text(`Usage: ${usage(COMMANDS.find((c) => c.name === 'member')!)}`);
  const member = findMember(ctx.state, ref);
  if (!member) return text(`No member with id or email "${ref}".`);
  return points(ctx, member);
}

function partnerReply(ctx: Context, id: string): Reply | null {
  const input = ctx.state.partnerInput(id);
  return input ? { cards: [partnerCard(ctx.deps.catalog, partnerStatus(ctx.deps.catalog, input, ctx.now))] } : null;
}

/**
 * A member's own organisation; administrators may name any partner. A member naming another partner is
 * refused with the same sentence whether it exists or not, so nothing leaks.
 */
function partner(ctx: Context, args: string[]): Reply {
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

type Run = (ctx: Context, args: string[]) => Reply | Promise<Reply>;

const RUN: Record<string, Run> = {
  points: (ctx) => (ctx.caller.member ? points(ctx, ctx.caller.member) : notEnrolled()),
  history,
  levels,
  earn,
  join,
  claim: (ctx) => (ctx.caller.member ? { cards: [claimCard(ctx.deps.catalog, newCardId(ctx))] } : notEnrolled()),
  attendance: (ctx) => (ctx.caller.member ? { cards: [attendanceCard(newCardId(ctx))] } : notEnrolled()),
  leaderboard,
  partner,
  notifications,
  help,
  review,
  award,
  revoke,
  member: memberCard,
};

function newCardId(ctx: Context): string {
  return (ctx.deps.newId ?? randomUUID)();
}

/** The command table: COMMANDS (the data the manifest and /help share) joined with what each does. */
export const commandTable: readonly (CommandInfo & { run: Run })[] = COMMANDS.map((info) => {
  const run = RUN[info.name];
  if (!run) throw new Error(`command ${info.name} has nothing to run`);
  return { ...info, run };
});

/** Splits a message into a command and its arguments: case-insensitive, the leading slash optional. */
export function parseCommand(input: string): { name: string; args: string[] } | null {
  const words = input.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return null;
  return { name: words[0]!.replace(/^\//, '').toLowerCase(), args: words.slice(1) };
}

// ---- card actions ----------------------------------------------------------------------------------

/** Card inputs: only strings, numbers and booleans are kept; anything else is dropped. */
function fieldsOf(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === 'string') out[key] = value.slice(0, 5000);
    else if (typeof value === 'number' || typeof value === 'boolean') out[key] = value;
  }
  return out;
}

function cardIdOf(data: Record<string, unknown>): string | null {
  const id = data.cardId;
  return typeof id === 'string' && /^[A-Za-z0-9-]{8,64}$/.test(id) ? id : null;
}

async function submitClaim(ctx: Context, data: Record<string, unknown>, kind: 'action' | 'attendance'): Promise<Reply> {
  const who = ctx.caller.member;
  if (!who) return notEnrolled();
  const cardId = cardIdOf(data);
  if (!cardId) return text('This card is not valid any more: type **claim** or **attendance** for a new one.');
  const fields = fieldsOf(data);
  const input: ClaimInput = { id: `claim-${cardId}`, submittedBy: who, at: ctx.now, fields };
  const checked = kind === 'action' ? checkActionClaim(ctx.deps.catalog, input) : checkAttendanceClaim(ctx.deps.catalog, input);
  if (!checked.ok) return { cards: [formCard(ctx, kind, cardId, fields, checked.errors)] };
  const claim = checked.value;
  const outcome = await ctx.deps.store.transact((tx) => {
    const existing = tx.view.claims.get(claim.id);
    if (existing) return existing;
    tx.put(['claims', claim]);
    return null;
  });
  if (outcome) {
    return message({
      title: 'Claim already submitted',
      lines: [`This card was already submitted as claim ${outcome.id}, which is ${outcome.status}. Nothing was added.`],
    });
  }
  return message({
    title: 'Claim submitted',
    tone: 'good',
    lines: [`Claim ${claim.id} is waiting for an administrator. You will hear when it is decided.`],
    facts: [
      { title: 'Action', value: ctx.deps.catalog.byId.get(claim.action)?.title ?? claim.action },
      { title: claim.dates.length > 1 ? 'Days' : 'Date', value: claim.dates.join(', ') },
      ...(claim.attendees?.length ? [{ title: 'Also attended', value: claim.attendees.join(', ') }] : []),
    ],
  });
}

function formCard(ctx: Context, kind: 'action' | 'attendance', cardId: string, values: Record<string, unknown>, errors: FieldErrors): Card {
  return kind === 'action' ? claimCard(ctx.deps.catalog, cardId, values, errors) : attendanceCard(cardId, values, errors);
}

function claimOf(ctx: Context, data: Record<string, unknown>): Claim | undefined {
  return typeof data.claimId === 'string' ? ctx.state.claims.get(data.claimId) : undefined;
}

function decidedMessage(claim: Claim, state: State): Reply {
  const reviewer = claim.decidedBy ? (state.member(claim.decidedBy)?.name ?? claim.decidedBy) : 'an administrator';
  return message({
    title: `Claim already ${claim.status}`,
    lines: [`Claim ${claim.id} was ${claim.status} by ${reviewer} on ${claim.decidedAt?.slice(0, 10)}. Nothing was changed.`],
  });
}

function wholeNumber(value: unknown): number | undefined | null {
  if (value === undefined || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isInteger(n) ? n : null;
}

async function approve(ctx: Context, data: Record<string, unknown>): Promise<Reply> {
  const claim = claimOf(ctx, data);
  if (!claim) return text('No such claim. Type **review** for the claims waiting.');
  const chosenPoints = wholeNumber(data.points);
  const chosenDays = wholeNumber(data.days);
  const { catalog } = ctx.deps;
  const submitter = ctx.state.member(claim.submittedBy);
  if (chosenPoints === null || chosenDays === null) {
    return { cards: [reviewCard(catalog, claim, submitter, 'Points and days must be whole numbers.')] };
  }
  const rule = catalog.byId.get(claim.action);
  const takesPoints = rule && (rule.kind === 'range' || (rule.kind === 'split' && rule.points === undefined));
  const takesDays = rule?.kind === 'per-day' && claim.kind === 'action';
  const outcome = await ctx.deps.store.transact((tx) => {
    const current = tx.view.claims.get(claim.id) ?? claim;
    if (current.status !== 'pending') return { decided: current, problem: undefined } as const;
    const result = approveClaim(catalog, tx.view, current, {
      reviewer: ctx.caller.userId,
      at: ctx.now,
      ...(takesPoints && chosenPoints !== undefined && { points: chosenPoints }),
      ...(takesDays && { days: chosenDays ?? current.dates.length }),
    });
    if (!result.ok) return { decided: undefined, problem: result.problem.message } as const;
    tx.put(['claims', result.value.claim]);
    for (const entry of result.value.entries) tx.put(['ledger', entry]);
    for (const note of result.value.notifications) tx.put(['notifications', note]);
    return { decided: undefined, problem: undefined, approval: result.value } as const;
  });
  if (outcome.decided) return decidedMessage(outcome.decided, ctx.state);
  if (outcome.problem !== undefined) return { cards: [reviewCard(catalog, claim, submitter, `Not approved: ${outcome.problem}.`)] };
  const { approval } = outcome;
  const byMember = new Map<string, number>();
  for (const e of approval.entries) byMember.set(e.memberId, (byMember.get(e.memberId) ?? 0) + e.points);
  return message({
    title: `Claim ${claim.id} approved`,
    tone: 'good',
    facts: [...byMember].map(([id, pts]) => ({ title: ctx.state.member(id)?.name ?? id, value: `${signed(pts)} points` })),
    lines: approval.notCredited.length
      ? [`Not credited, because they are not enrolled in the program: ${approval.notCredited.join(', ')}. The submitter is told too.`]
      : [],
  });
}

async function reject(ctx: Context, data: Record<string, unknown>): Promise<Reply> {
  const claim = claimOf(ctx, data);
  if (!claim) return text('No such claim. Type **review** for the claims waiting.');
  const reason = typeof data.reason === 'string' ? data.reason : '';
  const outcome = await ctx.deps.store.transact((tx) => {
    const current = tx.view.claims.get(claim.id) ?? claim;
    if (current.status !== 'pending') return { decided: current, problem: undefined } as const;
    const result = rejectClaim(current, ctx.caller.userId, reason, ctx.now);
    if (!result.ok) return { decided: undefined, problem: result.problem.message } as const;
    tx.put(['claims', result.value.claim]);
    for (const note of result.value.notifications) tx.put(['notifications', note]);
    return { decided: undefined, problem: undefined, rejected: result.value.claim } as const;
  });
  if (outcome.decided) return decidedMessage(outcome.decided, ctx.state);
  if (outcome.problem !== undefined) return { cards: [reviewCard(ctx.deps.catalog, claim, ctx.state.member(claim.submittedBy), `Not rejected: ${outcome.problem}.`)] };
  return message({ title: `Claim ${claim.id} rejected`, lines: [`Reason given to the member: ${outcome.rejected.reason}`] });
}

type Action = { admin: boolean; run: (ctx: Context, data: Record<string, unknown>) => Promise<Reply> };

export const actionTable: Readonly<Record<string, Action>> = {
  'claim.submit': { admin: false, run: (ctx, data) => submitClaim(ctx, data, 'action') },
  'attendance.submit': { admin: false, run: (ctx, data) => submitClaim(ctx, data, 'attendance') },
  'claim.approve': { admin: true, run: approve },
  'claim.reject': { admin: true, run: reject },
};

// ---- entry points ----------------------------------------------------------------------------------

export class BotApp {
  constructor(readonly deps: AppDeps) {}

  private context(caller: Caller): Context {
    return { caller, deps: this.deps, state: this.deps.store.state, now: this.deps.now() };
  }

  /** A typed message. Never silent: anything unknown gets a short help. */
  async command(caller: Caller, input: string): Promise<Reply> {
    if (input.length > MAX_COMMAND_LENGTH) return text(`That message is too long for a command (${number(input.length)} characters). Type **help** for the commands.`);
    const parsed = parseCommand(input);
    const entry = parsed && commandTable.find((c) => c.name === parsed.name);
    if (!parsed || !entry) {
      const shown = parsed ? `"${parsed.name.slice(0, 40)}"` : 'an empty message';
      return text(`I don't know ${shown}. Try **points**, **claim**, **attendance** or **help** for everything I can do.`);
    }
    if (entry.admin && !caller.isAdmin) return refusedForNonAdmin(entry.name);
    return entry.run(this.context(caller), parsed.args);
  }

  /** The welcome of a new install in personal chat. */
  welcome(caller: Caller): Reply {
    return { cards: [welcomeCard(this.deps.catalog, caller.member)] };
  }

  /** A card action (Action.Execute or Action.Submit), dispatched on its verb. */
  async action(caller: Caller, verb: unknown, data: Record<string, unknown>): Promise<Reply> {
    const action = typeof verb === 'string' && Object.hasOwn(actionTable, verb) ? actionTable[verb] : undefined;
    if (!action) return text('This card action is not known. Type **help** for what I can do.');
    if (action.admin && !caller.isAdmin) return refusedForNonAdmin(String(verb));
    return action.run(this.context(caller), data);
  }
}


