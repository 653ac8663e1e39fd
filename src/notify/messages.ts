// What each notification says: one adaptive card per kind, from the outbox record alone.
import { levelName, messageCard, type Card } from '../cards/cards.js';
import type { Catalog } from '../core/catalog.js';
import type { Notification } from '../core/notices.js';

const number = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, word: string) => `${number(n)} ${word}${n === 1 ? '' : 's'}`;

export function noticeCard(catalog: Catalog, notice: Notification): Card {
  switch (notice.kind) {
    case 'promotion': {
      const level = levelName(catalog, notice.level);
      const next = notice.nextLevel ? levelName(catalog, notice.nextLevel) : null;
      return messageCard({
        title: `You are now a DevOps ${level}`,
        tone: 'good',
        lines: [
          `You reached ${level} with ${number(notice.points)} points this membership year. The level is yours until your renewal on ${notice.renewalDate}.`,
          next && notice.pointsToNextLevel !== null
            ? `${number(notice.pointsToNextLevel)} more points would make you ${next}.`
            : 'This is the top level. Congratulations!',
        ],
      });
    }
    case 'renewal-reminder': {
      const status = notice.status ? levelName(catalog, notice.status) : null;
      const first = catalog.levels[0]!;
      const lines = [`Your membership year renews on ${notice.renewalDate}, in ${plural(notice.daysLeft, 'day')}. You have ${number(notice.points)} points this year.`];
      if (status && notice.toKeep > 0) lines.push(`${number(notice.toKeep)} more points keep you ${status} for the next year.`);
      else if (status) lines.push(`${status} is already secured for the next year.`);
      else if (notice.pointsToNextLevel !== null) lines.push(`${number(notice.pointsToNextLevel)} more points make you ${first.name} for the next year.`);
      lines.push('Type **earn** for ways to earn points, or **notifications off** to stop these reminders.');
      return messageCard({
        title: `${plural(notice.daysLeft, 'day')} to your renewal`,
        tone: status && notice.toKeep > 0 ? 'attention' : 'default',
        lines,
      });
    }
    case 'anniversary': {
      const to = notice.to ? levelName(catalog, notice.to) : null;
      const from = notice.from ? levelName(catalog, notice.from) : 'no level';
      const retained = notice.result === 'retained';
      return messageCard({
        title: retained ? (to ? `You keep ${to}` : 'A new membership year starts') : `Your level changes from ${from} to ${to ?? 'no level'}`,
        tone: retained ? 'good' : 'attention',
        lines: [
          `Your membership year ended with ${number(notice.yearTotal)} points. From ${notice.date} your points start again at 0.`,
          to
            ? `Earn ${number(notice.toKeep)} points by ${notice.nextRenewalDate} to keep ${to}.`
            : `Reach ${catalog.levels[0]!.name} with ${number(catalog.levels[0]!.threshold)} points; your next renewal is ${notice.nextRenewalDate}.`,
        ],
      });
    }
    case 'partner-level': {
      const level = catalog.partner.levels.find((l) => l.id === notice.level)?.name ?? notice.level;
      return messageCard({
        title: `${notice.partnerName} is now a ${level} partner`,
        tone: 'good',
        lines: [
          `${notice.partnerName} reached ${level} on the ${notice.track} track with ${number(notice.credits)} credits in ${notice.year}. The level holds until ${notice.validUntil}.`,
          'Type **partner** for your organisation\'s credits on both tracks.',
        ],
      });
    }
    case 'claim-decision': {
      const approved = notice.status === 'approved';
      const lines = approved
        ? [`Claim ${notice.claimId} was approved: ${number(notice.points)} points were credited to you.`]
        : [`Claim ${notice.claimId} was rejected.`, ...(notice.reason ? [`Reason: ${notice.reason}`] : [])];
      if (notice.notCredited?.length) lines.push(`Not credited, because they are not enrolled in the program: ${notice.notCredited.join(', ')}.`);
      return messageCard({ title: approved ? 'Your claim was approved' : 'Your claim was rejected', tone: approved ? 'good' : 'attention', lines });
    }
  }
}
