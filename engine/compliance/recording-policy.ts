import type { CampaignDefinition, Jurisdiction } from '../../campaigns/campaign-definition.ts';

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
 * The shortest time a jurisdiction lets a call-centre recording be kept, in days. Defaults of
 * this product, to be confirmed per licence: China's call-centre licences ask for recordings to
 * be kept for dispute handling (6 months here); elsewhere a month covers complaint windows.
 */
const MIN_RETENTION_DAYS: Record<Jurisdiction, number> = { US: 30, UK: 30, CN: 180, OTHER: 30 };

export function recordingRetentionMinDays(jurisdiction: Jurisdiction): number {
  return MIN_RETENTION_DAYS[jurisdiction];
}

/** Days a campaign's recordings are kept: its own setting, never below the jurisdiction's minimum. */
export function recordingRetentionDays(
  campaign: Pick<CampaignDefinition, 'recording' | 'jurisdiction'>,
): number {
  return Math.max(campaign.recording.retentionDays, recordingRetentionMinDays(campaign.jurisdiction));
}
