import type { RuleResult } from '../gate-types.ts';
import { addMinutes, type RuleContext } from './rule-context.ts';
import { sharedResult } from './shared-result.ts';

const firstCall = sharedResult({
  rule: 'retry_gap',
  status: 'pass',
  code: 'retry_gap.first_call',
  message: 'No earlier call to wait after.',
});
const elapsed = sharedResult({
  rule: 'retry_gap',
  status: 'pass',
  code: 'retry_gap.elapsed',
  message: 'The minimum gap after the last outcome has elapsed.',
});

/**
 * The minimum gap after each outcome (definition.attempts.retryMinutes, e.g. busy 30 min,
 * no answer 2 h). Both the dial log's last result and the contact's last tagged outcome count;
 * the later "not before" wins.
 */
export function retryGapRule(ctx: RuleContext): RuleResult {
  if (!ctx.facts.lastAttempt?.result && !ctx.facts.lastOutcome) return firstCall;
  const gaps = ctx.campaign.definition.attempts.retryMinutes;
  const candidates: Array<{ outcome: string; at: Date }> = [];
  const last = ctx.facts.lastAttempt;
  if (last?.result) candidates.push({ outcome: last.result, at: last.at });
  if (ctx.facts.lastOutcome)
    candidates.push({ outcome: ctx.facts.lastOutcome.tag, at: ctx.facts.lastOutcome.at });
  let binding: { outcome: string; notBefore: Date; minutes: number } | undefined;
  for (const c of candidates) {
    const minutes = gaps[c.outcome];
    if (minutes === undefined) continue;
    const notBefore = addMinutes(c.at, minutes);
    if (!binding || notBefore > binding.notBefore) binding = { outcome: c.outcome, notBefore, minutes };
  }
  if (binding && binding.notBefore.getTime() > ctx.now.getTime()) {
    return {
      rule: 'retry_gap',
      status: 'deny',
      code: 'retry_gap.too_soon',
      message: `The last call ended "${binding.outcome}"; the next may be made ${binding.minutes} minutes later, not before ${binding.notBefore.toISOString()}.`,
      retryAt: binding.notBefore,
    };
  }
  return candidates.length === 0 ? firstCall : elapsed;
}
