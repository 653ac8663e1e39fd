// Card templates (templates/*.card.json, Adaptive Cards 1.5) and one typed render function each. The
// cards are plain JSON: the Teams glue (bot/bot.ts, notify/transport.ts) wraps them as attachments.
import { Template } from 'adaptivecards-templating';
import { PARTNER_TRACKS, type Catalog, type PartnerLevelId, type PartnerTrack } from '../core/catalog.js';
import type { Claim, FieldErrors } from '../core/claims.js';
import { choosesDays, choosesPoints } from '../core/chosen-inputs.js';
import type { LedgerEntry, Member } from '../core/ledger.js';
import type { PartnerStatus, TrackStatus } from '../core/partners.js';
import { COMMANDS } from '../bot/command-list.js';
import attendanceTemplate from './templates/attendance.card.json' with { type: 'json' };
import claimTemplate from './templates/claim.card.json' with { type: 'json' };
import messageTemplate from './templates/message.card.json' with { type: 'json' };
import partnerTemplate from './templates/partner.card.json' with { type: 'json' };
import reviewTemplate from './templates/review.card.json' with { type: 'json' };
import welcomeTemplate from './templates/welcome.card.json' with { type: 'json' };

export type Card = Record<string, unknown>;

// One Template per card, made once: a Template keeps its parsed expressions, which makes expanding
// about ten times faster than building a new one for every reply.
const templates = new Map<object, Template>();

function expand(json: object, data: object): Card {
  let template = templates.get(json);
  if (!template) templates.set(json, (template = new Template(json)));
  return template.expand({ $root: data }) as Card;
}

const EN_US = new Intl.NumberFormat('en-US');

/**
 * A number as en-US writes it (5,175; -25; 1,234.5). Whole numbers, all the cards show, are grouped
 * here: Intl's formatter costs about a microsecond a call, and the status card makes several.
 */
export function number(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return EN_US.format(n);
  const digits = String(n < 0 ? -n : n);
  let grouped = digits.slice(0, digits.length % 3 || 3);
  for (let i = grouped.length; i < digits.length; i += 3) grouped += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${grouped}` : grouped;
}

export const signed = (n: number) => (n > 0 ? `+${number(n)}` : number(n));

export function levelName(catalog: Catalog, id: string | null): string {
  return catalog.levels.find((l) => l.id === id)?.name ?? 'no level yet';
}

export function entryTitle(catalog: Catalog, entry: LedgerEntry): string {
  const title = catalog.byId.get(entry.action)?.title ?? entry.action;
  return entry.reverses !== undefined ? `Correction: ${title}` : title;
}

/** The commands a welcome names, with their /help descriptions. */
const WELCOME_COMMANDS = ['points', 'join', 'earn', 'claim', 'help'];

/**
 * Sent once per install in personal chat: what the bot does, how to start, the first commands. A
 * member already enrolled is told so instead of being asked to join.
 */
export function welcomeCard(catalog: Catalog, member: Member | undefined): Card {
  const levels = catalog.levels.map((l) => l.name);
  const commands = COMMANDS.filter((c) => WELCOME_COMMANDS.includes(c.name) && !(member && c.name === 'join'));
  return expand(welcomeTemplate, {
    title: 'Welcome to DevOps Points',
    about: `I keep your DevOps Points for the DataMiner community: the points you earn each membership year, the level they bring (${levels.join(', ')}), and a reminder before your renewal. You can claim points for what you did and see how others are doing.`,
    enrolment: member
      ? `You are enrolled since ${member.signedUpAt}: type /points to see where you stand.`
      : 'You are not enrolled yet: type /join to enrol, starting today, then /points to see where you stand.',
    commands: commands.map((c) => ({ title: `/${c.name}`, value: c.description })),
  });
}

export interface MessageCard {
  title: string;
  lines?: string[];
  facts?: { title: string; value: string }[];
  tone?: 'good' | 'attention' | 'default';
}

export function messageCard(message: MessageCard): Card {
  return expand(messageTemplate, {
    title: message.title,
    lines: message.lines ?? [],
    facts: message.facts ?? [],
    color: message.tone === 'good' ? 'Good' : message.tone === 'attention' ? 'Attention' : 'Default',
  });
}

/** The actions a member can claim by hand: everything but automatic bonuses. */
export function claimableActions(catalog: Catalog): { title: string; value: string }[] {
  return catalog.actions.filter((a) => a.kind !== 'bonus').map((a) => ({ title: a.title, value: a.id }));
}

// The templating engine leaves an expression it cannot resolve as its own text ("${values.title}"),
// so every input's value is given, empty when there is none.
const CLAIM_FIELDS = ['action', 'date', 'evidence', 'details'];
const ATTENDANCE_FIELDS = ['title', 'kind', 'role', 'from', 'to', 'dates', 'attendees', 'evidence'];

function filled(fields: string[], values: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(fields.map((field) => [field, typeof values[field] === 'string' || typeof values[field] === 'number' ? String(values[field]) : '']));
}

export function claimCard(catalog: Catalog, cardId: string, values: Record<string, unknown> = {}, errors: FieldErrors = {}): Card {
  return expand(claimTemplate, { cardId, actions: claimableActions(catalog), values: filled(CLAIM_FIELDS, values), errors });
}

export function attendanceCard(cardId: string, values: Record<string, unknown> = {}, errors: FieldErrors = {}): Card {
  return expand(attendanceTemplate, { cardId, values: filled(ATTENDANCE_FIELDS, values), errors });
}

export function claimFacts(catalog: Catalog, claim: Claim, submitter: Member | undefined): { title: string; value: string }[] {
  const facts = [
    { title: 'Claim', value: claim.id },
    { title: 'From', value: submitter ? `${submitter.name} <${submitter.email}>` : claim.submittedBy },
    { title: 'Action', value: catalog.byId.get(claim.action)?.title ?? claim.action },
    { title: claim.dates.length > 1 ? `Days (${claim.dates.length})` : 'Date', value: claim.dates.join(', ') },
  ];
  if (claim.title) facts.push({ title: 'Title', value: claim.title });
  if (claim.role) facts.push({ title: 'Role', value: claim.role });
  if (claim.attendees?.length) facts.push({ title: 'Also attended', value: claim.attendees.join(', ') });
  if (claim.evidence) facts.push({ title: 'Evidence', value: claim.evidence });
  if (claim.details) facts.push({ title: 'Details', value: claim.details });
  return facts;
}

export function reviewCard(catalog: Catalog, claim: Claim, submitter: Member | undefined, error?: string): Card {
  const rule = catalog.byId.get(claim.action);
  const ranged = choosesPoints(rule) ? rule : undefined;
  return expand(reviewTemplate, {
    heading: `Claim by ${submitter?.name ?? claim.submittedBy}`,
    facts: claimFacts(catalog, claim, submitter),
    claimId: claim.id,
    ...(error !== undefined && { error }),
    ...(ranged && { pointsLabel: `Points (${ranged.min} to ${ranged.max})`, min: ranged.min, max: ranged.max }),
    ...(choosesDays(rule, claim.kind) && { daysLabel: 'Days', days: 1 }),
  });
}

export function partnerLevelName(catalog: Catalog, id: PartnerLevelId): string {
  return catalog.partner.levels.find((l) => l.id === id)?.name ?? id;
}

const TRACK_TITLES: Record<PartnerTrack, string> = { technical: 'Technical track', business: 'Business track' };
const plural = (n: number, word: string) => `${number(n)} ${word}${n === 1 ? '' : 's'}`;

function trackLines(catalog: Catalog, status: PartnerStatus, track: TrackStatus): string[] {
  const level = partnerLevelName(catalog, track.level);
  const source = track.levelFrom === 'last-year' ? ' (reached last year)' : track.levelFrom === 'legacy' ? ' (starting level set by the administrators)' : '';
  const lines = [track.levelValidUntil === null ? `${level} is every partner's level.` : `${level} holds until ${track.levelValidUntil}${source}.`];
  const next = catalog.partner.levels.find((l) => l.id === track.nextLevel);
  lines.push(next ? `${plural(track.creditsToNextLevel ?? 0, 'more credit')} this year to reach ${next.name} (${number(next.credits)}).` : `${level} is the top level.`);
  if (track.levelValidUntil !== null && track.creditsToKeepLevel > 0) {
    lines.push(`${plural(track.creditsToKeepLevel, 'more credit')} this year keep ${level} until ${status.year + 1}-12-31.`);
  }
  return lines;
}

/** A partner's credits and levels on both tracks, what the next level needs and until when each holds. */
export function partnerCard(catalog: Catalog, status: PartnerStatus): Card {
  const level = partnerLevelName(catalog, status.level);
  const metrics = PARTNER_TRACKS.flatMap((name) => status.tracks[name].metrics);
  const pending = metrics.reduce((sum, m) => sum + (m.pending ?? 0), 0);
  const derived = catalog.partner.metrics.find((m) => m.kind === 'devops-points');
  return expand(partnerTemplate, {
    name: status.name,
    levelText: `Partner level: ${level}${status.levelValidUntil ? `, until ${status.levelValidUntil}` : ''} (the higher of the two tracks)`,
    discountText: status.discountPercent === null ? 'Base discount: not set yet by the program administrators' : `Base discount: ${status.discountPercent} %`,
    tracks: PARTNER_TRACKS.map((name) => {
      const track = status.tracks[name];
      return {
        title: TRACK_TITLES[name],
        levelName: partnerLevelName(catalog, track.level),
        credits: number(track.credits),
        creditsLabel: `credits in ${status.year}`,
        lines: trackLines(catalog, status, track),
        facts: track.metrics
          .filter((m) => m.credits !== 0 || m.counted !== 0 || (m.pending ?? 0) > 0)
          .map((m) => ({ title: m.title, value: `${plural(m.credits, 'credit')}${m.pending ? `, ${number(m.pending)} pending` : ''}` })),
      };
    }),
    notes: [
      ...(derived && status.devopsPointsToNextCredits !== null
        ? [
            `${status.name}'s people were credited ${number(status.devopsPointsThisMonth)} DevOps Points this month; ${number(status.devopsPointsToNextCredits)} more this month bring ${plural(derived.credits, 'more technical credit')}.`,
          ]
        : []),
      ...(pending > 0 ? [`${pending === 1 ? '1 registered deal is' : `${number(pending)} registered deals are`} pending: each is credited when it is won.`] : []),
      `Credits count per calendar year; a level reached holds until 31 December of the next year.`,
    ],
  });
}
