import type { CampaignDefinition } from '../../campaigns/campaign-definition.ts';
import { jurisdictionPolicy } from '../compliance/jurisdictions.ts';

/**
 * The moment a call's 2-second connect clock starts, by the campaign's jurisdiction: the SIP
 * answer or the end of the greeting (AMD's verdict, the dial log's answered_at). Without AMD
 * the two are the same moment.
 */
export function abandonClockStart(
  definition: Pick<CampaignDefinition, 'jurisdiction'>,
  call: { answeredAt: Date | null; sipAnsweredAt: Date | null },
): Date | null {
  return jurisdictionPolicy(definition.jurisdiction).abandonClockFrom === 'sip_answer'
    ? (call.sipAnsweredAt ?? call.answeredAt)
    : call.answeredAt;
}
