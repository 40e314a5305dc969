import type { Kysely } from 'kysely';
import type { CampaignDefinition } from '../../campaigns/campaign-definition.ts';
import { clearAlarm, raiseAlarm } from '../../db/queries/alarms.ts';
import { loadRateWindow, type RateWindow } from '../../db/queries/dial-log.ts';
import type { Database } from '../../db/schema.ts';
import type { Logger } from '../platform/logger.ts';

export interface RateBreach {
  kind: 'answer_rate_low' | 'connect_rate_low';
  rate: number;
  threshold: number;
  message: string;
}

/**
 * Pure: which of the campaign's connection rates over the window are below their threshold.
 * Answer rate = answered / dialed; connect rate = connected to an agent / answered by a person
 * (agentless campaigns connect nobody, so only their answer rate counts). A rate needs
 * `minAttempts` calls behind it before it means anything.
 */
export function connectionRateBreaches(
  window: RateWindow,
  config: CampaignDefinition['alarms'],
  agentless: boolean,
): RateBreach[] {
  const breaches: RateBreach[] = [];
  if (window.dialed >= config.minAttempts) {
    const rate = window.answered / window.dialed;
    if (rate < config.minAnswerRate) {
      breaches.push({
        kind: 'answer_rate_low',
        rate,
        threshold: config.minAnswerRate,
        message: `answer rate ${(rate * 100).toFixed(1)}% over the last ${config.windowMinutes} min is below ${(config.minAnswerRate * 100).toFixed(1)}%`,
      });
    }
  }
  const humanNeeded = Math.max(1, Math.ceil(config.minAttempts / 2));
  if (!agentless && window.humanAnswered >= humanNeeded) {
    const rate = window.connected / window.humanAnswered;
    if (rate < config.minConnectRate) {
      breaches.push({
        kind: 'connect_rate_low',
        rate,
        threshold: config.minConnectRate,
        message: `connect rate ${(rate * 100).toFixed(1)}% over the last ${config.windowMinutes} min is below ${(config.minConnectRate * 100).toFixed(1)}%`,
      });
    }
  }
  return breaches;
}

/** Checks the rates now: raises (warning log + alarm row) what is low, clears what recovered. */
export async function checkConnectionRates(
  deps: { db: Kysely<Database>; logger: Logger },
  campaignId: number,
  definition: CampaignDefinition,
  now: Date,
): Promise<RateBreach[]> {
  const since = new Date(now.getTime() - definition.alarms.windowMinutes * 60_000);
  const window = await loadRateWindow(deps.db, campaignId, since, now);
  const breaches = connectionRateBreaches(window, definition.alarms, definition.mode === 'agentless');
  for (const kind of ['answer_rate_low', 'connect_rate_low'] as const) {
    const breach = breaches.find((b) => b.kind === kind);
    if (breach) {
      const raised = await raiseAlarm(deps.db, {
        campaignId,
        kind,
        severity: 'warning',
        message: breach.message,
        data: {
          ...window,
          rate: breach.rate,
          threshold: breach.threshold,
          windowMinutes: definition.alarms.windowMinutes,
        },
        at: now,
      });
      if (raised)
        deps.logger.warn(
          { campaignId, alarm: kind, rate: breach.rate, threshold: breach.threshold },
          breach.message,
        );
    } else {
      await clearAlarm(deps.db, campaignId, kind, now);
    }
  }
  return breaches;
}
