import type { Transaction } from 'kysely';
import type { CampaignDefinition } from '../../campaigns/campaign-definition.ts';
import type { Outcome } from '../../campaigns/outcomes/outcome-schema.ts';
import { applyOutcome, type OutcomeDecision } from '../../campaigns/outcomes/retry-policy.ts';
import { countAttempts } from '../../db/queries/dial-log.ts';
import { recordOutcome } from '../../db/queries/outcomes.ts';
import type { Database } from '../../db/schema.ts';
import { callbackThroughGate } from './callback-gate.ts';

export interface CallOutcomeInput {
  definition: Pick<CampaignDefinition, 'type' | 'attempts'>;
  campaignId: number;
  contactId: number;
  attemptId: number | null;
  agentId: number | null;
  outcome: Outcome;
  recordedBy: string;
  now: Date;
  /**
   * A callback the outcome asks for goes through the compliance gate now (callback-gate.ts):
   * moved to the next allowed moment, or refused. Agents' tags set it.
   */
  gateCallback?: boolean;
}

/**
 * Decides (retry policy) and records (outcome row, contact, callback, opt-out) one call's
 * outcome inside the caller's transaction. Agents' tags and the engine's own outcomes both go
 * through here, so the same rules apply whoever records.
 */
export async function recordCallOutcome(
  trx: Transaction<Database>,
  input: CallOutcomeInput,
): Promise<OutcomeDecision> {
  const attempts = await countAttempts(trx, input.campaignId, input.contactId);
  let decision = applyOutcome(input.outcome, {
    definition: input.definition,
    attempts,
    agentId: input.agentId,
    now: input.now,
  });
  if (input.gateCallback && decision.callback) {
    const verdict = await callbackThroughGate(trx, {
      campaignId: input.campaignId,
      contactId: input.contactId,
      dueAt: decision.callback.dueAt,
      fromAttemptId: input.attemptId,
    });
    if (verdict.moved) {
      decision = {
        ...decision,
        nextAttemptAt: verdict.at,
        callback: { ...decision.callback, dueAt: verdict.at },
        reason: `${decision.reason}:moved_by_gate`,
      };
    }
  }
  await recordOutcome(trx, {
    attemptId: input.attemptId,
    contactId: input.contactId,
    campaignId: input.campaignId,
    agentId: input.agentId,
    outcome: input.outcome,
    decision,
    recordedBy: input.recordedBy,
    now: input.now,
  });
  return decision;
}
