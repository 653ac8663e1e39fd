// The /points status card: the busiest reply, so it is built by plain code rather than by expanding
// templates/status.card.json on every request. The template stays the source of truth for its shape:
// test/cards/status-card.test.ts checks the builder gives exactly the template's expansion.
import type { Catalog } from '../core/catalog.js';
import type { LedgerEntry, Member } from '../core/ledger.js';
import type { StatusReport } from '../core/lifecycle.js';
import { dateIn } from '../core/time.js';
import { entryTitle, levelName, number, signed, type Card } from './cards.js';

/** What templates/status.card.json is expanded with. */
export interface StatusCardData {
  name: string;
  statusText: string;
  pointsText: string;
  progressText: string;
  /** The bar's parts, in percent: filled + empty = 100. */
  filled: number;
  empty: number;
  yearText: string;
  keepText: string;
  renewalText: string;
  reminderText: string;
  /** The latest entries as facts: the date, then what it was for and its points. */
  entries: { title: string; value: string }[];
}

/** The card's words and numbers; `entries` are the latest entries, newest first. */
export function statusCardData(catalog: Catalog, member: Member, report: StatusReport, entries: readonly LedgerEntry[], nextReminder: string): StatusCardData {
  const zone = catalog.timeZone;
  const status = levelName(catalog, report.status);
  const next = catalog.levels.find((l) => l.id === report.nextLevel);
  const floor = catalog.levels.find((l) => l.id === report.status)?.threshold ?? 0;
  const progress = next ? Math.min(1, Math.max(0, report.points / next.threshold)) : 1;
  const filled = Math.round(progress * 100);
  const renewal = report.year.endDate;
  return {
    name: member.name,
    statusText: report.status ? `DevOps ${status}` : 'No DevOps level yet',
    pointsText: number(report.points),
    progressText: next
      ? `${number(report.pointsToNextLevel ?? 0)} more points this year to reach ${next.name} (${number(next.threshold)})`
      : `${status}: the top level. ${number(report.points)} of ${number(floor)} points this year.`,
    filled,
    empty: 100 - filled,
    yearText: `${report.year.startDate} to ${renewal} (year ${report.year.number})`,
    keepText: report.status
      ? report.toKeepStatus > 0
        ? `${number(report.toKeepStatus)} more points by ${renewal} to keep ${status}`
        : `${status} is secured for your renewal on ${renewal}`
      : `Reach ${catalog.levels[0]!.name} with ${number(catalog.levels[0]!.threshold)} points`,
    renewalText: `${renewal}, in ${report.daysToRenewal} day${report.daysToRenewal === 1 ? '' : 's'}`,
    reminderText: nextReminder,
    entries: entries.map((e) => ({ title: dateIn(Date.parse(e.at), zone), value: `${entryTitle(catalog, e)} (${signed(e.points)})` })),
  };
}

/** templates/status.card.json expanded with `data`, written out. */
export function buildStatusCard(data: StatusCardData): Card {
  // A styled column keeps its padding however small its weight (a weight of 1 showed as about 8 % of
  // the bar): a part with nothing in it is left out rather than given weight 1.
  const bar: Card[] = [];
  if (data.filled > 0) bar.push({ type: 'Column', width: data.filled, style: 'accent', minHeight: '10px', items: [] });
  if (data.empty > 0) bar.push({ type: 'Column', width: data.empty, style: 'emphasis', minHeight: '10px', spacing: 'None', items: [] });
  const body: Card[] = [
    {
      type: 'ColumnSet',
      columns: [
        {
          type: 'Column',
          items: [
            { type: 'TextBlock', text: data.name, weight: 'Bolder', size: 'Medium', wrap: true },
            { type: 'TextBlock', text: data.statusText, spacing: 'None', isSubtle: true, wrap: true },
          ],
        },
        {
          type: 'Column',
          width: 'auto',
          items: [
            { type: 'TextBlock', text: data.pointsText, weight: 'Bolder', size: 'ExtraLarge', horizontalAlignment: 'Right' },
            { type: 'TextBlock', text: 'points this year', spacing: 'None', isSubtle: true, horizontalAlignment: 'Right' },
          ],
        },
      ],
    },
    { type: 'TextBlock', text: data.progressText, wrap: true, spacing: 'Medium' },
    { type: 'ColumnSet', spacing: 'Small', minHeight: '10px', columns: bar },
    {
      type: 'FactSet',
      spacing: 'Medium',
      facts: [
        { title: 'Membership year', value: data.yearText },
        { title: 'To keep your level', value: data.keepText },
        { title: 'Renewal', value: data.renewalText },
        { title: 'Next reminder', value: data.reminderText },
      ],
    },
  ];
  if (data.entries.length > 0) {
    body.push({ type: 'TextBlock', text: 'Latest entries', weight: 'Bolder', spacing: 'Medium' }, { type: 'FactSet', spacing: 'Small', facts: data.entries });
  } else {
    body.push({ type: 'TextBlock', text: 'No points yet this membership year. Type **earn** to see how to earn them.', wrap: true });
  }
  return { type: 'AdaptiveCard', version: '1.5', body };
}

export function statusCard(catalog: Catalog, member: Member, report: StatusReport, entries: readonly LedgerEntry[], nextReminder: string): Card {
  return buildStatusCard(statusCardData(catalog, member, report, entries, nextReminder));
}
