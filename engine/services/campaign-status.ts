import type { CampaignStatus } from '../../db/schema.ts';
import { ConflictError } from '../platform/errors.ts';

/**
 * The campaign life cycle, as data: which verb moves a campaign from which statuses to which.
 * The CLI (`campaign start|pause|stop`) and the HTTP API (`POST /api/campaigns/:id/start`…)
 * both go through `nextCampaignStatus`, so neither edge holds the rule.
 */
export const CAMPAIGN_TRANSITIONS = {
  start: {
    to: 'running',
    from: ['draft', 'paused'],
    what: 'start dialing (an engine running it picks it up)',
  },
  pause: { to: 'paused', from: ['running'], what: 'stop launching new calls; live calls finish' },
  stop: {
    to: 'stopped',
    from: ['draft', 'running', 'paused'],
    what: 'end the campaign: engines drain it and let go',
  },
} as const satisfies Record<string, { to: CampaignStatus; from: readonly CampaignStatus[]; what: string }>;

export type CampaignVerb = keyof typeof CAMPAIGN_TRANSITIONS;
export const CAMPAIGN_VERBS = Object.keys(CAMPAIGN_TRANSITIONS) as CampaignVerb[];

/** The status `verb` leads to from `current`, or a conflict naming both (pure). */
export function nextCampaignStatus(campaignId: number, current: string, verb: CampaignVerb): CampaignStatus {
  const t = CAMPAIGN_TRANSITIONS[verb];
  if (!(t.from as readonly string[]).includes(current)) {
    throw new ConflictError(`campaign ${campaignId} is ${current}: cannot ${verb} it`);
  }
  return t.to;
}
