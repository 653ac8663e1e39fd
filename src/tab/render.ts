// The page's views, from the API's summary to DOM nodes. No fetching here: tab.ts does that.
import type { MeSummary } from '../api/me-summary.js';
import { monthChart, progressBar } from './charts.js';
import { h, number, signed } from './dom.js';

type Enrolled = Extract<MeSummary, { enrolled: true }>;

/** YYYY-MM-DD of an instant in the program time zone (en-CA writes dates that way). */
const dayIn = (iso: string, zone: string) => new Date(iso).toLocaleDateString('en-CA', { timeZone: zone });

const heading = (text: string) => h('h1', { tabindex: -1 }, text);

export function notice(text: string, tone: 'info' | 'warning' | 'error' = 'info'): HTMLElement {
  return h('p', { class: `notice ${tone}`, ...(tone === 'error' && { role: 'alert' }) }, text);
}

/** A plain browser tab: say where the page belongs; offer the development sign-in only when the server has it. */
export function outsideTeamsView(options: { devSignIn: boolean; error?: string; onSignIn(member: string): void }): Node[] {
  const intro = h(
    'p',
    {},
    'This page is the “My points” tab of the DevOps Points app in Microsoft Teams. Open DevOps Points in Teams to see your points here.',
  );
  if (!options.devSignIn) return [heading('My DevOps Points'), notice('You are not in Microsoft Teams.'), intro];
  const input = h('input', {
    id: 'dev-member',
    name: 'member',
    type: 'text',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    'aria-describedby': 'dev-help',
    ...(options.error && { 'aria-invalid': 'true' }),
  });
  const form = h(
    'form',
    { class: 'dev-sign-in', 'aria-labelledby': 'dev-heading' },
    h('h2', { id: 'dev-heading' }, 'Development sign-in'),
    notice('Local mode only: this server has no Teams app registration, so you can look at the page as any member. It never exists on a server with Bot Framework credentials.', 'warning'),
    h('label', { for: 'dev-member' }, 'Member id or email'),
    h('p', { id: 'dev-help', class: 'help' }, 'For example alex@example.com, as imported or enrolled.'),
    h('div', { class: 'row' }, input, h('button', { type: 'submit' }, 'Sign in')),
    options.error && notice(options.error, 'error'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = input.value.trim();
    if (value) options.onSignIn(value);
    else input.focus();
  });
  return [heading('My DevOps Points'), notice('You are not in Microsoft Teams.'), intro, form];
}

export function errorView(message: string, onRetry: () => void): Node[] {
  const retry = h('button', { type: 'button' }, 'Try again');
  retry.addEventListener('click', onRetry);
  return [heading('My DevOps Points'), notice(message, 'error'), retry];
}

/** How many claims wait; the admin view puts a new one in its place after each decision. */
export function claimsWaitingLine(waiting: number, inTab = true): HTMLElement {
  return h(
    'p',
    { id: 'claims-waiting-line' },
    h('span', { id: 'claims-waiting', class: 'figure' }, number(waiting)),
    waiting === 1 ? ' claim is waiting for review.' : ' claims are waiting for review.',
    waiting === 0 ? '' : inTab ? ' Decide them below, or type review in the chat with DevOps Points.' : ' Type review in the chat with DevOps Points to decide them.',
  );
}

function adminSection(summary: MeSummary, view: Node | undefined): Node[] {
  if (!summary.admin) return [];
  return [
    h('section', { 'aria-labelledby': 'admin-heading', class: 'card' }, h('h2', { id: 'admin-heading' }, 'For administrators'), claimsWaitingLine(summary.admin.claimsWaiting, view !== undefined)),
    ...(view ? [view] : []),
  ];
}

export interface SummaryViewOptions {
  /** Signed in through the development sign-in: say so, and offer to sign out. */
  dev?: { onSignOut(): void };
  /** The administrators' view, shown after the member's own part when the summary says the user is one. */
  admin?: Node;
}

export function summaryView(summary: MeSummary, options: SummaryViewOptions = {}): Node[] {
  const nodes: (Node | null)[] = [heading('My DevOps Points')];
  if (options.dev) {
    const out = h('button', { type: 'button', class: 'secondary' }, 'Sign out');
    out.addEventListener('click', options.dev.onSignOut);
    nodes.push(h('div', { class: 'dev-bar' }, notice('Development sign-in (local mode): not how members sign in.', 'warning'), out));
  }
  if (!summary.enrolled) {
    nodes.push(h('p', {}, 'You are not enrolled in the DevOps Professional Program yet. In the chat with DevOps Points, type join to enrol, starting today.'));
  } else if (!summary.status) {
    nodes.push(h('p', { class: 'who' }, summary.member.name), h('p', {}, `Your membership starts on ${summary.member.signedUpAt}.`));
  } else {
    nodes.push(h('p', { class: 'who' }, summary.member.name), statusSection(summary, summary.status), monthsSection(summary), historySection(summary), pendingSection(summary));
  }
  nodes.push(...adminSection(summary, options.admin));
  return nodes.filter((n): n is Node => n !== null);
}

function levelName(summary: MeSummary, id: string | null): string {
  return summary.levels.find((l) => l.id === id)?.name ?? 'No level yet';
}

function statusSection(summary: Enrolled, status: NonNullable<Enrolled['status']>): Node {
  const levels = summary.levels;
  const current = levels.find((l) => l.id === status.status);
  const next = levels.find((l) => l.id === status.nextLevel);
  const renewal = status.year.end;
  const top = levels[levels.length - 1];

  const nextText = next
    ? [h('span', { id: 'to-next-level', class: 'figure' }, number(status.pointsToNextLevel ?? 0)), ` more points this year to reach `, h('span', { id: 'next-level' }, next.name), ` (${number(next.threshold)}).`]
    : [`${current?.name ?? ''} is the top level.`];
  const nextMax = next ? next.threshold : Math.max(top?.threshold ?? 0, status.points);
  const ladder = progressBar({
    id: 'progress-next',
    value: status.points,
    max: nextMax,
    ticks: levels.filter((l) => l.threshold <= nextMax).map((l) => ({ at: l.threshold, label: `${l.name} ${number(l.threshold)}` })),
    label: next
      ? `${number(status.points)} of ${number(next.threshold)} points toward ${next.name}`
      : `${number(status.points)} points this year; ${current?.name ?? ''} is the top level`,
  });

  const keep: (Node | string)[] = current
    ? status.toKeepStatus > 0
      ? [h('span', { id: 'to-keep', class: 'figure' }, number(status.toKeepStatus)), ` more points by ${renewal} to keep ${current.name}.`]
      : [h('span', { id: 'secured' }, `${current.name} is secured`), ` for your renewal on ${renewal}.`]
    : [`Reach ${levels[0]?.name ?? 'a level'} with ${number(levels[0]?.threshold ?? 0)} points to hold a status.`];
  const keepBar = current
    ? progressBar({
        id: 'progress-keep',
        value: status.points,
        max: current.threshold,
        ticks: [{ at: current.threshold, label: `${current.name} ${number(current.threshold)}` }],
        label: `${number(Math.min(status.points, current.threshold))} of ${number(current.threshold)} points needed to keep ${current.name}`,
      })
    : null;

  return h(
    'section',
    { 'aria-labelledby': 'status-heading', class: 'card' },
    h('h2', { id: 'status-heading' }, 'Status this membership year'),
    h(
      'dl',
      { class: 'figures' },
      h('div', {}, h('dt', {}, 'Status'), h('dd', { id: 'status-level' }, levelName(summary, status.status))),
      h('div', {}, h('dt', {}, 'Points this year'), h('dd', { id: 'points' }, number(status.points))),
      h(
        'div',
        {},
        h('dt', {}, 'Renewal'),
        h('dd', {}, h('span', { id: 'renewal-date' }, renewal), h('span', { class: 'sub' }, ' in ', h('span', { id: 'days-to-renewal' }, number(status.daysToRenewal)), status.daysToRenewal === 1 ? ' day' : ' days')),
      ),
    ),
    h('p', { class: 'year' }, `Membership year ${status.year.number}: `, h('span', { id: 'year-start' }, status.year.start), ' to ', status.year.end, '.'),
    h('h3', {}, 'Toward the next level'),
    h('p', {}, ...nextText),
    ladder,
    h('h3', {}, 'Keeping your status at the renewal'),
    h('p', {}, ...keep),
    keepBar,
    summary.nextReminder ? h('p', { class: 'sub' }, `Next renewal reminder: ${summary.nextReminder}.`) : null,
  );
}

function monthsSection(summary: Enrolled): Node {
  return h(
    'section',
    { 'aria-labelledby': 'months-heading', class: 'card' },
    h('h2', { id: 'months-heading' }, 'Points per month'),
    h('p', { class: 'sub' }, `Calendar months of this membership year (${summary.timeZone} time); months still to come are outlined.`),
    h('div', { class: 'chart' }, monthChart(summary.months, 'months-chart')),
  );
}

/** A table in a box that scrolls sideways on narrow screens, reachable by keyboard. */
export function scrollingTable(label: string, table: HTMLTableElement): HTMLElement {
  return h('div', { class: 'table-box', role: 'region', 'aria-label': label, tabindex: 0 }, table);
}

/** One history entry as a row: date, activity, points, reason and notes (a reversed entry struck through). */
export function historyRow(e: Enrolled['history'][number]): HTMLTableRowElement {
  return h(
    'tr',
    { ...(e.reversed && { class: 'reversed' }) },
    h('td', { class: 'date' }, e.date),
    h('td', {}, e.title),
    h('td', { class: 'num' }, signed(e.points)),
    h('td', {}, [e.reason, e.note, e.reversed ? 'reversed later' : '', e.reverses ? `corrects ${e.reverses}` : ''].filter(Boolean).join(' · ') || '—'),
  );
}

/** The header row of a history table. */
export const historyHead = (): HTMLElement =>
  h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Date'), h('th', { scope: 'col' }, 'Activity'), h('th', { scope: 'col', class: 'num' }, 'Points'), h('th', { scope: 'col' }, 'Reason and notes')));

function historySection(summary: Enrolled): Node {
  const rows = summary.history.map(historyRow);
  const caption =
    summary.historyTotal > summary.history.length
      ? `Credits and corrections since ${summary.status?.year.start}, newest first: the newest ${number(summary.history.length)} of ${number(summary.historyTotal)}.`
      : `Credits and corrections since ${summary.status?.year.start}, newest first.`;
  return h(
    'section',
    { 'aria-labelledby': 'history-heading', class: 'card' },
    h('h2', { id: 'history-heading' }, 'History'),
    rows.length === 0
      ? h('p', {}, 'No points yet this membership year. Type earn in the chat with DevOps Points to see how to earn them.')
      : scrollingTable(
          'History',
          h(
            'table',
            { id: 'history' },
            h('caption', {}, caption),
            historyHead(),
            h('tbody', {}, ...rows),
          ),
        ),
  );
}

function pendingSection(summary: Enrolled): Node {
  const claims = summary.pendingClaims;
  return h(
    'section',
    { 'aria-labelledby': 'pending-heading', class: 'card' },
    h('h2', { id: 'pending-heading' }, 'Pending claims'),
    claims.length === 0
      ? h('p', { id: 'pending-none' }, 'None: every claim you submitted has been decided.')
      : scrollingTable(
          'Pending claims',
          h(
            'table',
            { id: 'pending' },
            h('caption', {}, `${number(claims.length)} waiting for an administrator; points are credited when a claim is approved.`),
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Submitted'), h('th', { scope: 'col' }, 'Claim'), h('th', { scope: 'col' }, 'Date of the activity'))),
            h('tbody', {}, ...claims.map((c) => h('tr', {}, h('td', { class: 'date' }, dayIn(c.submittedAt, summary.timeZone)), h('td', {}, c.title), h('td', {}, c.dates.join(', '))))),
          ),
        ),
  );
}
