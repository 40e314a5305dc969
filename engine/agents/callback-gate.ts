import type { Transaction } from 'kysely';
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
  target: { campaignId: number; contactId: number; dueAt: Date },
): Promise<Extract<ScheduledVerdict, { kind: 'allowed' | 'held' }>> {
  const loaded = await loadGateFacts(trx, target.campaignId, [target.contactId], target.dueAt);
  const input = gateInputFor(loaded, target.contactId, target.dueAt);
  if (!input)
    throw new UserError(`contact ${target.contactId} is not in campaign ${target.campaignId}`, 'not_found');
  const verdict = nextAllowedMoment(input);
  if (verdict.kind === 'refused') {
    throw new UserError(
      `callback refused by preset ${verdict.decision.preset}: ${verdict.denials.map((d) => `${d.code} (${d.message})`).join('; ')}`,
      'callback_refused',
    );
  }
  return verdict;
}
