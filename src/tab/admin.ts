// The administrators' view of the tab: the program overview, the renewals coming up, the review queue
// with its decisions, the member search and the exports as downloads. Shown only when the summary says the user is an
// administrator; every figure comes from the admin API, which checks that again on every call.
import type { QueueClaim } from '../api/admin-routes.js';
import type { MeSummary } from '../api/me-summary.js';
import type { LevelCount, ProgramOverview, RenewalDue } from '../core/overview.js';
import { monthChart } from './charts.js';
import { h, number, signed, svg } from './dom.js';
import { claimsWaitingLine, historyHead, historyRow, notice, scrollingTable } from './render.js';

/** A call to the tab's API as the signed-in user; throws an Error with the server's sentence. */
export type AdminApi = <T>(path: string, post?: { body?: unknown }) => Promise<T>;
/** A file from the tab's API as the signed-in user, with the name the server gives it. */
export type AdminDownload = (path: string) => Promise<{ name: string; blob: Blob }>;

type ExportOption = 'at' | 'from' | 'to';
/** The CLI's exports, with the options each takes (core/exports.ts checks them again). */
const EXPORTS: { kind: string; label: string; options: ExportOption[] }[] = [
  { kind: 'statuses', label: 'Member statuses at a date', options: ['at'] },
  { kind: 'ledger', label: 'Ledger entries in a period', options: ['from', 'to'] },
  { kind: 'claims', label: 'Claims submitted in a period', options: ['from', 'to'] },
  { kind: 'leaderboard', label: 'Leaderboards (month and year) at a date', options: ['at'] },
  { kind: 'partners', label: 'Partner credits per track at a date', options: ['at'] },
];
const OPTION_LABELS: Record<ExportOption, string> = { at: 'At the end of', from: 'From', to: 'To (included)' };

interface Overview extends ProgramOverview {
  timeZone: string;
  levelNames: { id: string; name: string; threshold: number }[];
  topActions: (ProgramOverview['topActions'][number] & { title: string })[];
}

interface Renewals {
  withinDays: number;
  renewals: RenewalDue[];
}

interface Approved {
  claim: { id: string };
  credited: { memberId: string; name: string; points: number }[];
  notCredited: string[];
}

type Enrolled = Extract<MeSummary, { enrolled: true }>;

const NO_LEVEL = 'No level';

/** A card with its heading; the body is filled when its data arrives. */
function card(id: string, title: string, ...body: Node[]): { section: HTMLElement; body: HTMLElement } {
  const content = h('div', { id: `${id}-body` }, ...body);
  const section = h('section', { id, class: 'card', 'aria-labelledby': `${id}-heading` }, h('h2', { id: `${id}-heading`, tabindex: -1 }, title), content);
  return { section, body: content };
}

const loading = () => h('p', { class: 'sub' }, 'Loading…');
const messageOf = (error: unknown) => (error instanceof Error && error.message) || 'Something went wrong.';

/** A captioned table with column headers (a second item true: a number column). */
function table(id: string, label: string, caption: string, headers: [string, boolean?][], rows: Node[]): HTMLElement {
  const head = h('thead', {}, h('tr', {}, ...headers.map(([text, num]) => h('th', { scope: 'col', ...(num && { class: 'num' }) }, text))));
  return scrollingTable(label, h('table', { id }, h('caption', {}, caption), head, h('tbody', {}, ...rows)));
}

const ROW = 34;
const LABEL = 130;
const BARS = 420;

/** Members per level as horizontal bars, each with its count written at its end. */
function levelChart(levels: readonly LevelCount[], nameOf: (id: string | null) => string, id: string): SVGElement {
  const max = Math.max(1, ...levels.map((l) => l.members));
  const rows = levels.map((l, i) => {
    const y = i * ROW + 6;
    const width = l.members > 0 ? Math.max(2, (l.members / max) * BARS) : 0;
    return svg(
      'g',
      { class: 'level', 'data-level': l.level ?? 'none', 'data-members': l.members },
      svg('text', { class: 'label', x: LABEL - 10, y: y + 16, 'text-anchor': 'end' }, nameOf(l.level)),
      width > 0 && svg('rect', { class: 'fill', x: LABEL, y, width, height: 22, rx: 2 }),
      svg('text', { class: 'value', x: LABEL + width + 8, y: y + 16 }, number(l.members)),
    );
  });
  return svg(
    'svg',
    {
      id,
      class: 'levels',
      viewBox: `0 0 ${LABEL + BARS + 60} ${levels.length * ROW + 8}`,
      role: 'img',
      'aria-label': `Members per level. ${levels.map((l) => `${nameOf(l.level)}: ${number(l.members)}`).join('; ')}.`,
      focusable: 'false',
    },
    svg('line', { class: 'axis', x1: LABEL, x2: LABEL, y1: 0, y2: levels.length * ROW + 8 }),
    ...rows,
  );
}

function overviewBody(o: Overview): Node[] {
  const nameOf = (id: string | null) => o.levelNames.find((l) => l.id === id)?.name ?? NO_LEVEL;
  const yearTotal = o.months.reduce((sum, m) => sum + m.points, 0);
  return [
    h(
      'dl',
      { class: 'figures' },
      h('div', {}, h('dt', {}, 'Members enrolled'), h('dd', { id: 'admin-enrolled' }, number(o.enrolled))),
      h('div', {}, h('dt', {}, 'Sign-ups still to start'), h('dd', { id: 'admin-upcoming' }, number(o.upcoming))),
      h('div', {}, h('dt', {}, 'Points in 12 months'), h('dd', { id: 'admin-points-12' }, number(yearTotal))),
    ),
    h('p', { class: 'sub' }, `At ${o.at.slice(0, 16).replace('T', ' ')} UTC; months and years in ${o.timeZone} time.`),
    h('h3', {}, 'Members per level'),
    h('div', { class: 'chart' }, levelChart(o.levels, nameOf, 'admin-levels-chart')),
    h('h3', {}, 'Points credited per month'),
    h('p', { class: 'sub' }, 'The last 12 calendar months, credits less corrections.'),
    h('div', { class: 'chart' }, monthChart(o.months.map((m) => ({ ...m, future: false })), 'admin-months-chart', 'Points credited per month, last 12 months')),
    h('h3', {}, `Most credited actions in ${o.year}`),
    o.topActions.length === 0
      ? h('p', { id: 'admin-top-none' }, 'No points credited this year yet.')
      : table(
          'admin-top-actions',
          'Most credited actions',
          `The ${o.topActions.length} actions with the most points this year (credits less corrections); ties by the number of credits.`,
          [['Action'], ['Points', true], ['Credits', true]],
          o.topActions.map((a) => h('tr', { 'data-action': a.action }, h('td', {}, a.title), h('td', { class: 'num' }, number(a.points)), h('td', { class: 'num' }, number(a.entries)))),
        ),
  ];
}

function remindersText(r: RenewalDue): string {
  const parts = r.reminders.map((n) =>
    n.delivery === 'sent' ? `${n.daysBefore} days before (sent ${n.sentAt?.slice(0, 10) ?? ''})` : `${n.daysBefore} days before: ${n.delivery}`,
  );
  if (r.remindersOff) parts.push('reminders turned off');
  return parts.join('; ') || 'None yet';
}

function renewalsBody(data: Renewals, levelName: (id: string | null) => string): Node[] {
  if (data.renewals.length === 0) return [h('p', { id: 'admin-renewals-none' }, `No member’s anniversary falls in the next ${data.withinDays} days.`)];
  return [
    table(
      'admin-renewals',
      'Renewals',
      `${number(data.renewals.length)} ${data.renewals.length === 1 ? 'anniversary' : 'anniversaries'} in the next ${data.withinDays} days, soonest first.`,
      [['Member'], ['Level now'], ['Points this year', true], ['Still needed to keep', true], ['Anniversary'], ['Reminders sent']],
      data.renewals.map((r) =>
        h(
          'tr',
          { 'data-member': r.member.id },
          h('td', {}, r.member.name, h('span', { class: 'sub' }, ` · ${r.member.email}`)),
          h('td', {}, levelName(r.level)),
          h('td', { class: 'num' }, number(r.points)),
          h('td', { class: 'num' }, r.level === null ? '—' : r.toKeep === 0 ? 'secured' : number(r.toKeep)),
          h('td', { class: 'date' }, r.renewalDate, h('span', { class: 'sub' }, ` in ${r.daysToRenewal} ${r.daysToRenewal === 1 ? 'day' : 'days'}`)),
          h('td', {}, remindersText(r)),
        ),
      ),
    ),
  ];
}

function approvedText(a: Approved): string {
  const who = a.credited.map((c) => `${c.name} ${signed(c.points)} points`).join(', ');
  const not = a.notCredited.length ? ` Not credited, because they are not enrolled: ${a.notCredited.join(', ')}.` : '';
  return `Claim ${a.claim.id} approved: ${who || 'nobody credited'}.${not} The member is told.`;
}

function numberField(id: string, label: string, options: { min?: number; max?: number; value?: number }): HTMLElement[] {
  return [
    h('label', { for: id }, label),
    h('input', { id, name: id, type: 'number', step: 1, required: true, inputmode: 'numeric', ...(options.min !== undefined && { min: options.min }), ...(options.max !== undefined && { max: options.max }), ...(options.value !== undefined && { value: options.value }) }),
  ];
}

export interface AdminViewOptions {
  /** Level names by id, from the summary. */
  levels: MeSummary['levels'];
  download: AdminDownload;
}

/** The exports as files: which one, its format and dates; only the dates the chosen export takes are shown. */
function downloadsCard(download: AdminDownload): HTMLElement {
  // Said beside the form, not at the top of the view where the decisions' outcomes go.
  const outcome = h('p', { id: 'admin-export-outcome', class: 'outcome', role: 'status', 'aria-live': 'polite' });
  const say = (text: string, tone: 'good' | 'error') => {
    outcome.className = `outcome ${tone}`;
    outcome.textContent = text;
  };
  const kind = h('select', { id: 'admin-export-kind' }, ...EXPORTS.map((e) => h('option', { value: e.kind }, e.label)));
  const format = h('select', { id: 'admin-export-format' }, h('option', { value: 'csv' }, 'CSV (for Excel)'), h('option', { value: 'jsonl' }, 'JSON Lines'));
  const dates = (['at', 'from', 'to'] as const).map((option) => {
    const input = h('input', { id: `admin-export-${option}`, type: 'date' });
    const label = h('label', { for: input.id }, OPTION_LABELS[option]);
    return { option, input, parts: [label, input] };
  });
  const button = h('button', { type: 'submit' }, 'Download');
  const form = h(
    'form',
    { class: 'downloads', 'aria-label': 'Exports' },
    h('label', { for: kind.id }, 'Export'),
    kind,
    h('label', { for: format.id }, 'Format'),
    format,
    ...dates.flatMap((d) => d.parts),
    button,
  );
  const showDates = () => {
    const takes = EXPORTS.find((e) => e.kind === kind.value)!.options;
    for (const d of dates) for (const part of d.parts) part.hidden = !takes.includes(d.option);
  };
  kind.addEventListener('change', showDates);
  showDates();
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const query = new URLSearchParams({ format: format.value });
    for (const d of dates) if (!d.input.hidden && d.input.value) query.set(d.option, d.input.value);
    button.disabled = true;
    void (async () => {
      try {
        const file = await download(`/api/admin/exports/${kind.value}?${query}`);
        const link = h('a', { href: URL.createObjectURL(file.blob), download: file.name });
        link.click();
        // The browser has the file once the click is handled; the object URL is then only memory.
        setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
        say(`Downloaded ${file.name}.`, 'good');
      } catch (error) {
        say(messageOf(error), 'error');
      } finally {
        button.disabled = false;
      }
    })();
  });
  return card('admin-downloads', 'Exports', h('p', { class: 'sub' }, 'The same files as the command line’s export: dates are whole days in the program’s time zone, and an empty date means now (or, for From, the start).'), form, outcome).section;
}

/** The admin view: cards that load themselves from the admin API. */
export function adminView(call: AdminApi, options: AdminViewOptions): HTMLElement {
  const levelName = (id: string | null) => options.levels.find((l) => l.id === id)?.name ?? NO_LEVEL;
  // One polite live region for the outcome of every action taken here.
  const outcome = h('p', { id: 'admin-outcome', class: 'outcome', role: 'status', 'aria-live': 'polite' });
  const say = (text: string, tone: 'good' | 'error') => {
    outcome.className = `outcome ${tone}`;
    outcome.textContent = text;
  };

  const at = h('input', { id: 'admin-at', name: 'at', type: 'date' });
  const atForm = h('form', { class: 'inline-form', 'aria-label': 'Overview at a date' }, h('label', { for: 'admin-at' }, 'Overview at the end of'), at, h('button', { type: 'submit', class: 'secondary' }, 'Show'));
  const overview = card('admin-overview', 'Program overview', atForm, h('div', { id: 'admin-overview-data' }, loading()));
  const renewals = card('admin-renewals-card', 'Renewals in the next 30 days', loading());
  const queue = card('admin-queue-card', 'Claims waiting for review', loading());
  const search = card('admin-search', 'Find a member');

  const atQuery = () => (at.value ? `?at=${encodeURIComponent(at.value)}` : '');
  async function loadOverview(): Promise<void> {
    const target = overview.body.querySelector<HTMLElement>('#admin-overview-data')!;
    try {
      target.replaceChildren(...overviewBody(await call<Overview>(`/api/admin/overview${atQuery()}`)));
    } catch (error) {
      target.replaceChildren(notice(messageOf(error), 'error'));
    }
  }
  async function loadRenewals(): Promise<void> {
    try {
      renewals.body.replaceChildren(...renewalsBody(await call<Renewals>(`/api/admin/renewals${atQuery()}`), levelName));
    } catch (error) {
      renewals.body.replaceChildren(notice(messageOf(error), 'error'));
    }
  }
  atForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void Promise.all([loadOverview(), loadRenewals()]);
  });

  async function decide(claim: QueueClaim, verb: 'approve' | 'reject', body: Record<string, unknown>): Promise<void> {
    try {
      const path = `/api/admin/claims/${encodeURIComponent(claim.id)}/${verb}`;
      if (verb === 'approve') say(approvedText(await call<Approved>(path, { body })), 'good');
      else {
        await call(path, { body });
        say(`Claim ${claim.id} rejected. Reason given to the member: ${String(body.reason).trim()}`, 'good');
      }
    } catch (error) {
      say(messageOf(error), 'error');
    }
    await loadQueue();
    // The decided claim has left the list: focus goes back to the queue's heading, not to the page's top.
    queue.section.querySelector<HTMLElement>('h2')?.focus();
    void Promise.all([loadOverview(), loadRenewals()]);
  }

  function claimItem(claim: QueueClaim, index: number): HTMLElement {
    const id = (name: string) => `claim-${index}-${name}`;
    const fields: HTMLElement[] = [];
    const { points, days } = claim.choose;
    if (points) {
      const range = points.min !== undefined && points.max !== undefined ? ` (${number(points.min)} to ${number(points.max)})` : '';
      fields.push(...numberField(id('points'), `Points${range}`, points));
    }
    if (days) fields.push(...numberField(id('days'), `Days (${days.min} to ${days.max})`, { min: days.min, max: days.max, value: days.default }));
    const approve = h('form', { class: 'decide', 'aria-label': `Approve claim ${claim.id}` }, ...fields, h('button', { type: 'submit' }, 'Approve'));
    approve.addEventListener('submit', (event) => {
      event.preventDefault();
      const value = (name: string) => approve.querySelector<HTMLInputElement>(`#${id(name)}`)?.valueAsNumber;
      const chosen = { ...(points && { points: value('points') }), ...(days && { days: value('days') }) };
      void decide(claim, 'approve', chosen);
    });
    const reason = h('input', { id: id('reason'), name: 'reason', type: 'text', required: true, maxlength: 500, autocomplete: 'off' });
    const reject = h('form', { class: 'decide', 'aria-label': `Reject claim ${claim.id}` }, h('label', { for: id('reason') }, 'Reason for the member'), reason, h('button', { type: 'submit', class: 'secondary' }, 'Reject'));
    reject.addEventListener('submit', (event) => {
      event.preventDefault();
      void decide(claim, 'reject', { reason: reason.value });
    });
    const facts = [
      `By ${claim.member.name}${claim.member.email ? ` (${claim.member.email})` : ''}`,
      `submitted ${claim.submittedAt.slice(0, 10)}`,
      `${claim.dates.length > 1 ? 'days' : 'date'} ${claim.dates.join(', ')}`,
      claim.role && `as ${claim.role}`,
      claim.attendees && `with ${claim.attendees.join(', ')}`,
    ].filter(Boolean);
    return h(
      'li',
      { class: 'claim', 'data-claim': claim.id },
      h('h3', {}, claim.title, h('span', { class: 'sub' }, ` · ${claim.id}`)),
      h('p', { class: 'sub' }, facts.join(' · ')),
      claim.details ? h('p', {}, claim.details) : null,
      claim.evidence ? h('p', {}, h('a', { href: claim.evidence, target: '_blank', rel: 'noopener noreferrer' }, 'Evidence')) : null,
      h('div', { class: 'decisions' }, approve, reject),
    );
  }

  async function loadQueue(): Promise<void> {
    try {
      const { claims } = await call<{ claims: QueueClaim[] }>('/api/admin/claims');
      document.getElementById('claims-waiting-line')?.replaceWith(claimsWaitingLine(claims.length));
      queue.body.replaceChildren(
        claims.length === 0
          ? h('p', { id: 'admin-queue-none' }, 'No claims are waiting for review.')
          : h('ol', { id: 'admin-queue', class: 'claims', 'aria-label': `${claims.length} claims, oldest first` }, ...claims.map(claimItem)),
      );
    } catch (error) {
      queue.body.replaceChildren(notice(messageOf(error), 'error'));
    }
  }

  const query = h('input', { id: 'admin-search-q', name: 'q', type: 'search', required: true, maxlength: 100, autocomplete: 'off', spellcheck: 'false' });
  const found = h('div', { id: 'admin-search-results', 'aria-live': 'polite' });
  const detail = h('div', { id: 'admin-member' });
  const searchForm = h('form', { class: 'inline-form', role: 'search', 'aria-label': 'Members' }, h('label', { for: 'admin-search-q' }, 'Name or email'), query, h('button', { type: 'submit' }, 'Search'));
  searchForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      try {
        const result = await call<{ total: number; members: { id: string; name: string; email: string }[] }>(`/api/admin/members?q=${encodeURIComponent(query.value)}`);
        const more = result.total > result.members.length ? ` The first ${result.members.length} are listed: add to the search to narrow it.` : '';
        found.replaceChildren(
          h('p', {}, result.total === 0 ? `No member’s name or email contains “${query.value.trim()}”.` : `${number(result.total)} ${result.total === 1 ? 'member' : 'members'} found.${more}`),
          h(
            'ul',
            { class: 'results' },
            ...result.members.map((m) => {
              const open = h('button', { type: 'button', class: 'secondary', 'data-member': m.id }, m.name, h('span', { class: 'sub' }, ` · ${m.email}`));
              open.addEventListener('click', () => void openMember(m.id));
              return h('li', {}, open);
            }),
          ),
        );
      } catch (error) {
        found.replaceChildren(notice(messageOf(error), 'error'));
      }
    })();
  });
  search.body.append(searchForm, found, detail);

  async function openMember(id: string): Promise<void> {
    try {
      const summary = await call<MeSummary>(`/api/admin/members/${encodeURIComponent(id)}`);
      if (!summary.enrolled) return;
      detail.replaceChildren(...memberDetail(summary, levelName));
      detail.querySelector<HTMLElement>('h3')?.focus();
    } catch (error) {
      detail.replaceChildren(notice(messageOf(error), 'error'));
    }
  }

  void Promise.all([loadOverview(), loadRenewals(), loadQueue()]);
  return h('div', { id: 'admin-view' }, outcome, overview.section, renewals.section, queue.section, search.section, downloadsCard(options.download));
}

/** One member's status and this year's history, as an administrator opens it from the search. */
function memberDetail(s: Enrolled, levelName: (id: string | null) => string): Node[] {
  const heading = h('h3', { tabindex: -1 }, s.member.name, h('span', { class: 'sub' }, ` · ${s.member.email} · member since ${s.member.signedUpAt}`));
  if (!s.status) return [heading, h('p', {}, `The membership starts on ${s.member.signedUpAt}.`)];
  const st = s.status;
  return [
    heading,
    h(
      'dl',
      { class: 'figures' },
      h('div', {}, h('dt', {}, 'Status'), h('dd', { id: 'admin-member-level' }, levelName(st.status))),
      h('div', {}, h('dt', {}, 'Points this year'), h('dd', { id: 'admin-member-points' }, number(st.points))),
      h('div', {}, h('dt', {}, 'To keep the status'), h('dd', { id: 'admin-member-keep' }, st.status === null ? '—' : st.toKeepStatus === 0 ? 'secured' : number(st.toKeepStatus))),
      h('div', {}, h('dt', {}, 'Renewal'), h('dd', { id: 'admin-member-renewal' }, st.year.end)),
    ),
    h('p', { class: 'sub' }, `${number(s.pendingClaims.length)} pending ${s.pendingClaims.length === 1 ? 'claim' : 'claims'}.`),
    s.history.length === 0
      ? h('p', {}, 'No points yet this membership year.')
      : scrollingTable(
          `History of ${s.member.name}`,
          h(
            'table',
            { id: 'admin-member-history' },
            h(
              'caption',
              {},
              s.historyTotal > s.history.length
                ? `Membership year ${st.year.number} (since ${st.year.start}), newest first: the newest ${number(s.history.length)} of ${number(s.historyTotal)}.`
                : `Membership year ${st.year.number} (since ${st.year.start}), newest first.`,
            ),
            historyHead(),
            h('tbody', {}, ...s.history.map(historyRow)),
          ),
        ),
  ];
}
