import type { CampaignFacts, GateCampaignDefinition, RuleResult } from '../gate-types.ts';
import type { RuleContext } from './rule-context.ts';
import { LastResult } from './shared-result.ts';

const last = new LastResult();

export interface AbandonmentRate {
  rate: number;
  abandoned: number;
  humanAnswered: number;
  maxRate: number;
  overCap: boolean;
}

/** Abandoned / human-answered over the campaign's window; no answered call yet means 0 %. */
export function abandonmentRate(
  facts: CampaignFacts,
  definition: Pick<GateCampaignDefinition, 'abandon'>,
  presetMaxRate = Number.POSITIVE_INFINITY,
): AbandonmentRate {
  const { abandoned, humanAnswered } = facts.abandonment;
  const rate = humanAnswered === 0 ? 0 : abandoned / humanAnswered;
  // The lower of the campaign's cap and its preset's.
  const maxRate = Math.min(definition.abandon.maxRate, presetMaxRate);
  return { rate, abandoned, humanAnswered, maxRate, overCap: humanAnswered > 0 && rate >= maxRate };
}

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/**
 * At or over the cap, predictive pacing is refused (the runner paces progressively) but the
 * dial itself stays allowed: this rule restricts, it never denies.
 */
export function abandonmentRateRule(ctx: RuleContext): RuleResult {
  // Campaign-wide: one result per batch.
  return last.get(ctx.campaignFacts, ctx.policy, 0, () => rateResult(ctx));
}

function rateResult(ctx: RuleContext): RuleResult {
  const r = abandonmentRate(ctx.campaignFacts, ctx.campaign.definition, ctx.policy.abandonment.maxRate);
  const window = ctx.campaign.definition.abandon.window;
  const figures = `${r.abandoned} abandoned of ${r.humanAnswered} answered by a person over ${window}`;
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
