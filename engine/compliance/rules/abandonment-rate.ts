import {
  type AbandonmentDefinition,
  abandonmentFigures,
  campaignAbandonmentDefinition,
} from '../abandonment.ts';
import type { CampaignFacts, GateCampaignDefinition, RuleResult } from '../gate-types.ts';
import type { RuleContext } from './rule-context.ts';
import { LastResult } from './shared-result.ts';

const last = new LastResult();

export interface AbandonmentRate {
  rate: number;
  /** As the campaign's definition counts them (estimated AMD false positives included). */
  abandoned: number;
  humanAnswered: number;
  estimatedAmdFalsePositives: number;
  maxRate: number;
  overCap: boolean;
  definition: AbandonmentDefinition;
}

/** Over the campaign's window, as its abandonment definition counts; no answered call yet means 0 %. */
export function abandonmentRate(
  facts: CampaignFacts,
  definition: Pick<GateCampaignDefinition, 'abandon' | 'jurisdiction' | 'compliance'>,
): AbandonmentRate {
  const rules = campaignAbandonmentDefinition(definition);
  const f = abandonmentFigures(facts.abandonment, rules);
  return {
    rate: f.rate,
    abandoned: f.abandoned,
    humanAnswered: f.answered,
    estimatedAmdFalsePositives: f.estimatedAmdFalsePositives,
    maxRate: rules.maxRate,
    overCap: f.overCap,
    definition: rules,
  };
}

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/**
 * At or over the cap, predictive pacing is refused (the runner paces progressively) but the
 * dial itself stays allowed: this rule restricts, it never denies.
 */
export function abandonmentRateRule(ctx: RuleContext): RuleResult {
  // Campaign-wide: one result per batch.
  return last.get(ctx.campaignFacts, ctx.campaign.definition, 0, () => rateResult(ctx));
}

function rateResult(ctx: RuleContext): RuleResult {
  const r = abandonmentRate(ctx.campaignFacts, ctx.campaign.definition);
  const d = r.definition;
  const count = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
  const estimate =
    r.estimatedAmdFalsePositives > 0
      ? `, ${count(r.estimatedAmdFalsePositives)} of them estimated persons AMD hung up on`
      : '';
  const figures = `${count(r.abandoned)} abandoned of ${count(r.humanAnswered)} answered by a person over ${d.window}${estimate}; ${d.name.toUpperCase()} definition`;
  if (r.overCap) {
    return {
      rule: 'abandonment_rate',
      status: 'restrict',
      code: 'abandonment_rate.over_cap',
      message: `The abandonment rate is ${pct(r.rate)} (${figures}), at or over the ${pct(r.maxRate)} cap: predictive pacing is refused, dial progressively.`,
    };
  }
  return {
    rule: 'abandonment_rate',
    status: 'pass',
    code: 'abandonment_rate.under_cap',
    message: `The abandonment rate is ${pct(r.rate)} (${figures}), under the ${pct(r.maxRate)} cap.`,
  };
}
