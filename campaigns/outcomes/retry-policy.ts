import type { CampaignDefinition } from '../campaign-definition.ts';
import type { Outcome } from './outcome-schema.ts';

/**
 * What an outcome does to its contact: final (done, exhausted, blocked) or retried after a
 * delay, by the campaign's rules. Pure: the caller persists the decision in one transaction
 * with the outcome row.
 */

export type ContactFate = 'ready' | 'done' | 'exhausted' | 'blocked';

export interface OutcomeDecision {
  /** No more calls to this contact in this campaign. */
  final: boolean;
  status: ContactFate;
  /** When the contact may be dialed again; null when final. */
  nextAttemptAt: Date | null;
  /** A callback to create (due time, and the agent it belongs to, if personal). */
  callback: { dueAt: Date; agentId: number | null } | null;
  /** Put the number on the internal do-not-call list now, for every campaign. */
  optOut: boolean;
  /** Short reason stored on the contact (`status_reason`). */
  reason: string;
}

export interface OutcomeContext {
  definition: Pick<CampaignDefinition, 'type' | 'attempts'>;
  /** Attempts made on this contact in this campaign, including the one just finished. */
  attempts: number;
  /** The agent who tagged it (personal callbacks go back to them). */
  agentId: number | null;
  now: Date;
}

/** Minutes before a retry when the campaign file does not say (its `attempts.retryMinutes`). */
export const DEFAULT_RETRY_MINUTES: Readonly<Record<string, number>> = {
  no_answer: 120,
  busy: 30,
  congestion: 15,
  machine: 240,
  abandoned: 4320,
  failed: 60,
  hung_up: 60,
  no_outcome: 1440,
  partial: 1440,
  right_party_contact: 1440,
};

/** Outcomes that call again later; everything else not listed below ends the contact. */
const RETRY_TAGS = new Set(Object.keys(DEFAULT_RETRY_MINUTES));
/** Outcomes that say the number itself is wrong: never dial it again in this campaign. */
const BLOCKING_TAGS = new Set(['invalid_number', 'wrong_number', 'wrong_party']);

export function applyOutcome(outcome: Outcome, ctx: OutcomeContext): OutcomeDecision {
  const { tag } = outcome;
  if (tag === 'opt_out') {
    return final('blocked', 'opt_out', { optOut: true });
  }
  if (tag === 'callback' || tag === 'callback_requested') {
    const dueAt = new Date(String(outcome.at));
    const personal = tag === 'callback' ? outcome.personal !== false : true;
    return {
      final: false,
      status: 'ready',
      nextAttemptAt: dueAt,
      callback: { dueAt, agentId: personal ? ctx.agentId : null },
      optOut: false,
      reason: tag,
    };
  }
  if (BLOCKING_TAGS.has(tag)) return final('blocked', tag);
  // A reminder left on a machine has done its job.
  if (tag === 'machine' && outcome.messageLeft === true && ctx.definition.type === 'reminder') {
    return final('done', 'message_delivered');
  }
  if (RETRY_TAGS.has(tag)) {
    if (ctx.attempts >= ctx.definition.attempts.maxPerContact)
      return final('exhausted', `${tag}:max_attempts`);
    const minutes = ctx.definition.attempts.retryMinutes[tag] ?? DEFAULT_RETRY_MINUTES[tag] ?? 60;
    return {
      final: false,
      status: 'ready',
      nextAttemptAt: new Date(ctx.now.getTime() + minutes * 60_000),
      callback: null,
      optOut: false,
      reason: tag,
    };
  }
  return final('done', tag);
}

function final(status: ContactFate, reason: string, extra: Partial<OutcomeDecision> = {}): OutcomeDecision {
  return { final: true, status, nextAttemptAt: null, callback: null, optOut: false, reason, ...extra };
}
