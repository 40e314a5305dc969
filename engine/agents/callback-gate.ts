import type { Transaction } from 'kysely';
import { findContactAttempt } from '../../db/queries/dial-log.ts';
import { gateInputFor, loadGateFacts } from '../../db/queries/gate-facts.ts';
import type { Database } from '../../db/schema.ts';
import { nextAllowedMoment, type ScheduledVerdict } from '../compliance/next-allowed.ts';
import { UserError } from '../platform/errors.ts';

/**
 * A callback goes through the same gate as every dial, when it is scheduled: a time the gate
 * forbids (outside calling hours, a frequency rule, a gap) moves to the next allowed moment; a
 * number no time makes lawful (do-not-call, attempts exhausted) refuses the callback, naming the
 * preset and the rules. The gate asks again when the callback is dialed.
 */
export async function callbackThroughGate(
  trx: Transaction<Database>,
  target: {
    campaignId: number;
    contactId: number;
    dueAt: Date;
    /**
     * The call the callback is scheduled from. When it was a conversation with an agent, the
     * person asked for the callback directly: the gate judges it as a consented call (a frequency
     * rule's consent exception, Regulation F 1006.14(b)(3)(i)), as it will when it is dialed.
     */
    fromAttemptId?: number | null;
  },
): Promise<Extract<ScheduledVerdict, { kind: 'allowed' | 'held' }>> {
  const loaded = await loadGateFacts(trx, target.campaignId, [target.contactId], target.dueAt);
  const gateInput = gateInputFor(loaded, target.contactId, target.dueAt);
  if (!gateInput)
    throw new UserError(`contact ${target.contactId} is not in campaign ${target.campaignId}`, 'not_found');
  let input = gateInput;
  if (target.fromAttemptId != null) {
    const from = await findContactAttempt(trx, {
      attemptId: target.fromAttemptId,
      contactId: target.contactId,
    });
    if (from?.connectedAt)
      input = {
        ...input,
        facts: { ...input.facts, consentedCall: { consentAt: from.connectedAt, attemptId: from.id } },
      };
  }
  const verdict = nextAllowedMoment(input);
  if (verdict.kind === 'refused') {
    throw new UserError(
      `callback refused by preset ${verdict.decision.preset}: ${verdict.denials.map((d) => `${d.code} (${d.message})`).join('; ')}`,
      'callback_refused',
    );
  }
  return verdict;
}
