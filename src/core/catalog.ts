// The rule catalog: program figures as data. Parsing is pure; reading the file is the caller's job.
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { isIsoDate } from './time.js';

const id = z.string().regex(/^[a-z0-9]+(?:[.-][a-z0-9]+)*$/, 'must be lower-case words joined by "." or "-"');
const whole = z.number().int('must be a whole number');
const positive = whole.positive('must be above 0');

const common = {
  id,
  category: z.string().min(1),
  title: z.string().min(1),
  proofRequired: z.boolean().optional(),
  enrolledOnly: z.boolean().optional(),
};

const fixedRule = z.strictObject({
  ...common,
  kind: z.literal('fixed'),
  points: whole,
  monthlyCap: positive.optional(),
  oncePerYear: z.boolean().optional(),
  bonus: z.strictObject({ action: id, withinDays: positive }).optional(),
});
const rangeRule = z.strictObject({ ...common, kind: z.literal('range'), min: whole, max: whole });
const perDayRule = z.strictObject({ ...common, kind: z.literal('per-day'), points: positive });
const splitRule = z.strictObject({
  ...common,
  kind: z.literal('split'),
  points: positive.optional(),
  min: whole.optional(),
  max: whole.optional(),
  perDay: z.boolean().optional(),
});
const bonusRule = z.strictObject({ ...common, kind: z.literal('bonus'), points: whole });

const actionRule = z.discriminatedUnion('kind', [fixedRule, rangeRule, perDayRule, splitRule, bonusRule]);

const level = z.strictObject({
  id: z.enum(['advocate', 'enabler', 'catalyst']),
  name: z.string().min(1),
  threshold: positive,
  tagline: z.string().optional(),
});

// The Partner Program (PROGRAM.md section 4). Discount rates and the value of a credit are not given by the
// seed: they are null until an administrator fills them in, and the code reports them as unknown.
export const PARTNER_LEVELS = ['member', 'collaborator', 'creator'] as const;
export const PARTNER_TRACKS = ['technical', 'business'] as const;
export const ORDER_KINDS = ['end-customer', 'self-use', 'training'] as const;

const percent = z.number().min(0, 'must be a percentage from 0 to 100').max(100, 'must be a percentage from 0 to 100');
const partnerLevelId = z.enum(PARTNER_LEVELS);

const partnerLevel = z.strictObject({ id: partnerLevelId, name: z.string().min(1), credits: whole.min(0, 'must not be negative') });

const metricCommon = { id, track: z.enum(PARTNER_TRACKS), title: z.string().min(1), credits: positive };

const eachMetric = z.strictObject({ ...metricCommon, kind: z.literal('each') });
const perFullNMetric = z.strictObject({
  ...metricCommon,
  kind: z.literal('per-full-n-per-month'),
  per: positive,
  monthlyMax: positive.optional(),
});
const oncePerYearMetric = z.strictObject({ ...metricCommon, kind: z.literal('once-per-year') });
const dealMetric = z.strictObject({ ...metricCommon, kind: z.literal('deal') });
const devopsPointsMetric = z.strictObject({ ...metricCommon, kind: z.literal('devops-points'), per: positive });

const partnerMetric = z.discriminatedUnion('kind', [eachMetric, perFullNMetric, oncePerYearMetric, dealMetric, devopsPointsMetric]);

const partnerSection = z.strictObject({
  /** For the administrator: what is still to be filled in. */
  note: z.string().optional(),
  startsAt: z.string().refine(isIsoDate, 'must be a date YYYY-MM-DD'),
  levels: z.array(partnerLevel).length(3),
  discountPercent: z.strictObject({
    member: percent.nullable(),
    collaborator: percent.nullable(),
    creator: percent.nullable(),
  }),
  creditValue: z.strictObject({
    amount: z.number().positive('must be above 0').nullable(),
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be a currency code such as EUR'),
  }),
  spendingCaps: z.strictObject({ 'end-customer': percent, 'self-use': percent, training: percent }),
  metrics: z.array(partnerMetric).min(1),
});

const catalogSchema = z.strictObject({
  edition: z.string().min(1),
  effectiveFrom: z.string().refine(isIsoDate, 'must be a date YYYY-MM-DD'),
  timeZone: z.string().refine((zone) => IANAZone.isValidZone(zone), 'must be an IANA time zone such as Europe/Brussels'),
  /** What the program brings, for /levels (devops-benefits.md). */
  benefits: z.array(z.string().min(1)).default([]),
  levels: z.array(level).length(3),
  actions: z.array(actionRule).min(1),
  partner: partnerSection,
});

export type ActionRule = z.infer<typeof actionRule>;
export type LevelId = z.infer<typeof level>['id'];
export type Level = z.infer<typeof level>;
export type PartnerLevelId = (typeof PARTNER_LEVELS)[number];
export type PartnerTrack = (typeof PARTNER_TRACKS)[number];
export type OrderKind = (typeof ORDER_KINDS)[number];
export type PartnerLevel = z.infer<typeof partnerLevel>;
export type PartnerMetric = z.infer<typeof partnerMetric>;
export type PartnerSection = z.infer<typeof partnerSection>;
export type Catalog = z.infer<typeof catalogSchema> & { readonly byId: ReadonlyMap<string, ActionRule> };

export type CatalogResult = { ok: true; catalog: Catalog } | { ok: false; problems: string[] };

/** Validates a parsed catalog; each problem names the offending entry. */
export function parseCatalog(raw: unknown): CatalogResult {
  const parsed = catalogSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((issue) => `${describePath(raw, issue.path)}: ${issue.message}`) };
  }
  const data = parsed.data;
  const problems: string[] = [];
  const byId = new Map<string, ActionRule>();
  data.actions.forEach((rule, i) => {
    const where = `actions[${i}] (${rule.id})`;
    if (byId.has(rule.id)) problems.push(`${where}: the id is used twice`);
    byId.set(rule.id, rule);
    if ((rule.kind === 'range' || rule.kind === 'split') && rule.min !== undefined && rule.max !== undefined && rule.min > rule.max) {
      problems.push(`${where}: min ${rule.min} is above max ${rule.max}`);
    }
    if (rule.kind === 'range' && rule.min < 0) problems.push(`${where}: min must not be negative`);
    if (rule.kind === 'split') {
      const ranged = rule.min !== undefined || rule.max !== undefined;
      if (ranged === (rule.points !== undefined)) problems.push(`${where}: a split rule has either points, or min and max`);
      if (ranged && (rule.min === undefined || rule.max === undefined || rule.min < 1)) {
        problems.push(`${where}: a ranged split rule needs min (at least 1) and max`);
      }
    }
    if (rule.kind === 'fixed' && rule.monthlyCap !== undefined && rule.points <= 0) {
      problems.push(`${where}: a monthly cap needs positive points`);
    }
  });
  data.actions.forEach((rule, i) => {
    if (rule.kind !== 'fixed' || !rule.bonus) return;
    const target = byId.get(rule.bonus.action);
    if (!target || target.kind !== 'bonus') {
      problems.push(`actions[${i}] (${rule.id}): bonus.action "${rule.bonus.action}" must name an action of kind "bonus"`);
    }
  });
  const order = ['advocate', 'enabler', 'catalyst'];
  data.levels.forEach((lvl, i) => {
    if (lvl.id !== order[i]) problems.push(`levels[${i}]: expected "${order[i]}", found "${lvl.id}" (levels go advocate, enabler, catalyst)`);
    const previous = data.levels[i - 1];
    if (previous && previous.threshold >= lvl.threshold) {
      problems.push(`levels[${i}] (${lvl.id}): threshold ${lvl.threshold} must be above ${previous.id}'s ${previous.threshold}`);
    }
  });
  problems.push(...partnerProblems(data.partner));
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, catalog: { ...data, byId } };
}

function partnerProblems(partner: PartnerSection): string[] {
  const problems: string[] = [];
  partner.levels.forEach((lvl, i) => {
    if (lvl.id !== PARTNER_LEVELS[i]) {
      problems.push(`partner.levels[${i}]: expected "${PARTNER_LEVELS[i]}", found "${lvl.id}" (levels go member, collaborator, creator)`);
    }
    const previous = partner.levels[i - 1];
    if (!previous && lvl.credits !== 0) problems.push(`partner.levels[${i}] (${lvl.id}): the first level is every partner's, so its credits must be 0`);
    if (previous && previous.credits >= lvl.credits) {
      problems.push(`partner.levels[${i}] (${lvl.id}): credits ${lvl.credits} must be above ${previous.id}'s ${previous.credits}`);
    }
  });
  let lower: { level: PartnerLevelId; rate: number } | null = null;
  for (const level of PARTNER_LEVELS) {
    const rate = partner.discountPercent[level];
    if (rate === null) continue;
    if (lower && rate < lower.rate) problems.push(`partner.discountPercent.${level}: ${rate} must not be below ${lower.level}'s ${lower.rate}`);
    lower = { level, rate };
  }
  const value = partner.creditValue.amount;
  if (value !== null && Math.abs(Math.round(value * 100) - value * 100) > 1e-6) {
    problems.push(`partner.creditValue.amount: ${value} must be a whole number of cents (at most two decimals)`);
  }
  const seen = new Set<string>();
  let derived: string | null = null;
  partner.metrics.forEach((metric, i) => {
    const where = `partner.metrics[${i}] (${metric.id})`;
    if (seen.has(metric.id)) problems.push(`${where}: the id is used twice`);
    seen.add(metric.id);
    if (metric.kind === 'per-full-n-per-month' && metric.monthlyMax !== undefined && metric.monthlyMax < metric.credits) {
      problems.push(`${where}: monthlyMax ${metric.monthlyMax} is below credits ${metric.credits}, so nothing could ever be credited`);
    }
    if (metric.kind === 'devops-points') {
      // Two would count the same DevOps Points twice.
      if (derived) problems.push(`${where}: only one metric may derive from DevOps Points (${derived} already does)`);
      derived = metric.id;
    }
  });
  return problems;
}

function describePath(raw: unknown, path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'catalog';
  let text = '';
  let node: unknown = raw;
  for (const key of path) {
    text += typeof key === 'number' ? `[${key}]` : text ? `.${String(key)}` : String(key);
    node = node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined;
    if (typeof key === 'number' && node !== null && typeof node === 'object' && 'id' in node && typeof node.id === 'string') {
      text += ` (${node.id})`;
    }
  }
  return text;
}
