import type { CampaignDefinition } from '../../campaigns/campaign-definition.ts';

/** What the engine does with a lead on preview: the agent's decision, or the campaign's at the timeout. */
export type PreviewDecision = 'accept' | 'skip';

export interface PreviewDeadline {
  /** When the engine decides for the agent. */
  readonly at: Date;
  /** What it then does: call the lead (`dial`) or put it back as a skip. */
  readonly action: CampaignDefinition['preview']['onTimeout'];
}

/**
 * The moment a lead shown on preview since `shownAt` is decided for the agent, or null for a
 * manual preview (no timeout: the lead waits for the agent). The engine acts on it and the agent's
 * screen counts down to it, so both use this one rule.
 */
export function previewDeadline(
  preview: CampaignDefinition['preview'],
  shownAt: Date,
): PreviewDeadline | null {
  if (preview.timeoutSeconds === null) return null;
  return { at: new Date(shownAt.getTime() + preview.timeoutSeconds * 1000), action: preview.onTimeout };
}

/**
 * The decision the engine carries out now: the agent's own when there is one; at or past the
 * deadline, the campaign's `onTimeout` (`timedOut` true); otherwise none yet.
 */
export function previewDecisionNow(
  preview: CampaignDefinition['preview'],
  agentDecision: string | undefined,
  shownAt: Date,
  now: Date,
): { decision: PreviewDecision; timedOut: boolean } | null {
  if (agentDecision === 'accept' || agentDecision === 'skip')
    return { decision: agentDecision, timedOut: false };
  const deadline = previewDeadline(preview, shownAt);
  if (!deadline || now.getTime() < deadline.at.getTime()) return null;
  return { decision: deadline.action === 'dial' ? 'accept' : 'skip', timedOut: true };
}
