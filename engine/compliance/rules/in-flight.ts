import type { RuleResult } from '../gate-types.ts';
import type { RuleContext } from './rule-context.ts';
import { sharedResult } from './shared-result.ts';

const none = sharedResult({
  rule: 'in_flight',
  status: 'pass',
  code: 'in_flight.none',
  message: 'No call to this contact is in progress.',
});

/** A contact is never in two calls at once: an open dial-log row blocks a new one. */
export function inFlightRule(ctx: RuleContext): RuleResult {
  if (ctx.facts.openAttempt) {
    return {
      rule: 'in_flight',
      status: 'deny',
      code: 'in_flight.open_attempt',
      message: 'A call to this contact is still in progress (its dial-log row has not ended).',
    };
  }
  return none;
}
