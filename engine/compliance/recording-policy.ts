import type { CampaignDefinition } from '../../campaigns/campaign-definition.ts';
import { policyForDefinition } from './jurisdictions.ts';

/**
 * What the rules say about recording a call: whether the customer must hear a recording notice
 * first, and how long a stored recording must at least be kept. Pure functions of data, so the
 * jurisdiction presets (per area code, per state) can extend them without touching the runner.
 */

export interface RecordingNotice {
  /** The sound played to the customer before the agent is bridged. */
  sound: string;
}

/**
 * The notice the customer of `calledNumber` (E.164) hears before the agent is bridged, or null.
 * Today: the campaign's own setting, when the campaign records. `calledNumber` is the seam for
 * rules that depend on where the called person is (two-party-consent states, countries).
 */
export function recordingNoticeFor(
  campaign: Pick<CampaignDefinition, 'recording' | 'jurisdiction'>,
  _calledNumber: string,
): RecordingNotice | null {
  if (!campaign.recording.enabled || !campaign.recording.notice) return null;
  return { sound: campaign.recording.notice.sound };
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
