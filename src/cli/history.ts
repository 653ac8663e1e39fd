// A member's ledger for a person to read: one block per membership year (core/history.ts), entries in time order.
import { DateTime } from 'luxon';
import type { Catalog } from '../core/catalog.js';
import type { LedgerEntry, Member } from '../core/ledger.js';
import { historyByYear } from '../core/history.js';

function describe(catalog: Catalog, entry: LedgerEntry, reversedBy: LedgerEntry | undefined): string {
  const parts = [catalog.byId.get(entry.action)?.title ?? entry.action];
  const { points, days, attendees, releasedAt } = entry.inputs;
  if (days !== undefined) parts.push(`${days} day(s)`);
  if (attendees !== undefined) parts.push(`shared by ${attendees}`);
  if (points !== undefined) parts.push(`${points} points chosen`);
  if (releasedAt !== undefined) parts.push(`released ${releasedAt}`);
  if (entry.reverses !== undefined) parts.push(`REVERSES ${entry.reverses}`);
  if (entry.bonusFor !== undefined) parts.push(`bonus for ${entry.bonusFor}`);
  if (entry.reason !== undefined) parts.push(entry.reason);
  if (entry.note !== undefined) parts.push(`note: ${entry.note}`);
  if (entry.evidence !== undefined) parts.push(`evidence: ${entry.evidence}`);
  if (reversedBy) parts.push(`reversed by ${reversedBy.id}`);
  return parts.join('; ');
}

export function formatHistory(
  catalog: Catalog,
  member: Member,
  entries: readonly LedgerEntry[],
  reversalOf: (id: string) => LedgerEntry | undefined,
): string {
  const zone = catalog.timeZone;
  const lines = [`${member.name} <${member.email}> (${member.id}), signed up ${member.signedUpAt}; times in ${zone}`];
  if (entries.length === 0) return `${lines[0]}\nNo entries yet.`;
  for (const { year, entries: inYear, total } of historyByYear(member, entries, zone)) {
    if (year) lines.push('', `Membership year ${year.number} (${year.startDate} to ${year.endDate})`);
    for (const entry of inYear) {
      const when = DateTime.fromMillis(Date.parse(entry.at), { zone }).toFormat('yyyy-MM-dd HH:mm');
      const points = (entry.points > 0 ? '+' : '') + String(entry.points);
      lines.push(`  ${when}  ${points.padStart(6)}  ${entry.id}  ${entry.action}  by ${entry.by} (${entry.source})  ${describe(catalog, entry, reversalOf(entry.id))}`);
    }
    if (year) lines.push(`  year total: ${total}`);
  }
  return lines.join('\n');
}
