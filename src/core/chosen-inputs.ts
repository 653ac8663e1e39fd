// Which figures of a credit a person chooses, rather than the catalog: one rule for crediting, the
// review of a claim and the review card.
import type { ActionRule } from './catalog.js';

export type ChosenPointsRule = Extract<ActionRule, { kind: 'range' | 'split' }>;

/** The points are chosen, between the rule's min and max: a range rule, or a split rule without a fixed pool. */
export function choosesPoints(rule: ActionRule | undefined): rule is ChosenPointsRule {
  return rule !== undefined && (rule.kind === 'range' || (rule.kind === 'split' && rule.points === undefined));
}

/** The reviewer chooses the days of an action claim under a per-day rule; an attendance claim counts its dates. */
export function choosesDays(rule: ActionRule | undefined, claimKind: 'action' | 'attendance'): boolean {
  return rule?.kind === 'per-day' && claimKind === 'action';
}
