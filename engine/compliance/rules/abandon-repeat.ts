import type { RuleResult } from '../gate-types.ts';
import { HOUR, type RuleContext } from './rule-context.ts';
import { ResultMemo } from './shared-result.ts';

const noneRecent = new ResultMemo(100);

/**
 * After an abandoned call (a person answered and no agent came), no new call to that number
 * within the policy's repeatAfterAbandonHours (72 h by default), in any campaign, unless an
 * agent is reserved for it (Ofcom; DESIGN.md §5).
 */
export function abandonRepeatRule(ctx: RuleContext): RuleResult {
  const last = ctx.facts.lastAbandonedAt;
  const hours = ctx.policy.repeatAfterAbandonHours;
  if (!last || ctx.now.getTime() - last.getTime() >= hours * HOUR) {
    return noneRecent.get(String(hours), () => ({
      rule: 'abandon_repeat',
      status: 'pass',
      code: 'abandon_repeat.none_recent',
      message: `No abandoned call to the number in the last ${hours} h.`,
    }));
  }
  if (ctx.facts.agentReserved) {
    return {
      rule: 'abandon_repeat',
      status: 'pass',
      code: 'abandon_repeat.agent_reserved',
      message: `A call to the number was abandoned at ${last.toISOString()}, but an agent is reserved for this call.`,
    };
  }
  const retryAt = new Date(last.getTime() + hours * HOUR);
  return {
    rule: 'abandon_repeat',
    status: 'deny',
    code: 'abandon_repeat.within_window',
    message: `A call to the number was abandoned at ${last.toISOString()}; no new call before ${retryAt.toISOString()} unless an agent is reserved.`,
    retryAt,
  };
}
