import type { Kysely } from 'kysely';
import { getCampaignDefinition } from '../../db/queries/campaigns.ts';
import { type AbandonmentReport, abandonmentReport } from '../../db/queries/reports.ts';
import type { Database } from '../../db/schema.ts';
import { type AbandonmentDefinition, campaignAbandonmentDefinition } from '../compliance/abandonment.ts';

/**
 * A campaign's abandonment per day and over its rolling window, counted by the campaign's own
 * definition (engine/compliance/abandonment.ts) with its cap: the one way the CLI, the API and the
 * live feed read the figure, so none of them can count it differently from the gate.
 */
export async function campaignAbandonmentReport(
  db: Kysely<Database>,
  input: { campaignId: number; window?: '30d' | '24h'; timeZone?: string; days: number; now: Date },
): Promise<{ report: AbandonmentReport; rules: AbandonmentDefinition }> {
  const { definition } = await getCampaignDefinition(db, input.campaignId);
  const rules = campaignAbandonmentDefinition(definition);
  const report = await abandonmentReport(db, {
    campaignId: input.campaignId,
    jurisdiction: definition.jurisdiction,
    window: input.window ?? rules.window,
    maxRate: rules.maxRate,
    definition: rules,
    timeZone: input.timeZone ?? definition.defaultTimeZone,
    days: input.days,
    now: input.now,
  });
  return { report, rules };
}
