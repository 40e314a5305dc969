import type { CampaignDefinition } from '../../campaigns/campaign-definition.ts';
import { policyForDefinition } from './jurisdictions.ts';
import { recordingNoticeRule } from './recording-notice.ts';

/**
 * What the rules say about recording a call: whether the customer must hear a recording notice
 * first, and how long a stored recording must at least be kept. Pure functions of data, so the
 * jurisdiction presets (per area code, per state) can extend them without touching the runner.
 */

export interface RecordingNotice {
  /** The sound played to the customer before the agent is bridged. */
  sound: string;
}

/** What a call's recording needs, decided when it is dialed. */
export interface RecordingDecision {
  /** The notice the person hears before the agent is bridged, or null. */
  notice: RecordingNotice | null;
  /**
   * Why this call is not recorded although the campaign records: its preset requires a notice
   * for this number and the campaign has no notice sound (recording without it is unlawful).
   */
  withheld: string | null;
}

/**
 * Whether the customer of `calledNumber` (E.164) hears a recording notice, by the campaign's
 * compliance preset (US all-party-consent states by area code, the UK, CN: recording-notice.ts)
 * and the campaign's own setting: a campaign's notice is played on every call it records; a
 * notice the preset requires and the campaign cannot play means the call is not recorded.
 */
export function recordingNoticeFor(
  campaign: Pick<CampaignDefinition, 'recording' | 'jurisdiction'> &
    Partial<Pick<CampaignDefinition, 'compliance'>>,
  calledNumber: string,
): RecordingDecision {
  if (!campaign.recording.enabled) return { notice: null, withheld: null };
  if (campaign.recording.notice)
    return { notice: { sound: campaign.recording.notice.sound }, withheld: null };
  const rule = recordingNoticeRule(policyForDefinition(campaign), calledNumber);
  return rule.required
    ? { notice: null, withheld: `${rule.reason}, and the campaign has no recording.notice sound` }
    : { notice: null, withheld: null };
}

/**
 * Days a campaign's recordings are kept: its own setting, never below its compliance preset's
 * minimum for recordings (engine/compliance/presets: each figure with its source, overridable
 * per campaign), the same figure `dialer retention report` shows.
 */
export function recordingRetentionDays(
  campaign: Pick<CampaignDefinition, 'recording' | 'jurisdiction'> &
    Partial<Pick<CampaignDefinition, 'compliance'>>,
): number {
  return Math.max(campaign.recording.retentionDays, policyForDefinition(campaign).retentionDays.recordings);
}
