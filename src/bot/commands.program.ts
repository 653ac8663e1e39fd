// What the program is: the levels and how to earn points, read from the catalog.
import type { Context } from './context.js';
import { message, number, text, type Reply } from './replies.js';

export function levels(ctx: Context): Reply {
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

export function earn(ctx: Context, args: string[]): Reply {
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
