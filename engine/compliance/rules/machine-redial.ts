import type { RuleResult } from '../gate-types.ts';
import { localDayBounds } from './attempts.ts';
import type { RuleContext } from './rule-context.ts';
import { ResultMemo } from './shared-result.ts';

const passes = new ResultMemo(100);

/**
 * Ofcom: a number answering machine detection took for a machine is called again the same day
 * only with a live agent guaranteed (an agent reserved for the call). The day is the contact's
 * local calendar day; the denial lifts at its local midnight.
 */
export function machineRedialRule(ctx: RuleContext): RuleResult {
  if (!ctx.policy.machineRedialNextDayUnlessAgent) {
    return passes.get(`na|${ctx.policy.preset}`, () => ({
      rule: 'machine_redial',
      status: 'not_applicable',
      code: 'machine_redial.not_required',
      message: `Preset ${ctx.policy.preset} sets no same-day rule after a machine.`,
    }));
  }
  const last = ctx.facts.lastAttempt;
  const pass = () =>
    passes.get(`ok|${ctx.policy.preset}`, () => ({
      rule: 'machine_redial',
      status: 'pass',
      code: 'machine_redial.none_today',
      message: 'No call to the contact today was answered by a machine.',
    }));
  if (last?.result !== 'machine') return pass();
  const { start, end } = localDayBounds(ctx.now, ctx.contact.timeZone);
  if (last.at.getTime() < start || last.at.getTime() >= end) return pass();
  const dayEnd = new Date(end);
  if (ctx.facts.agentReserved) {
    return {
      rule: 'machine_redial',
      status: 'pass',
      code: 'machine_redial.agent_reserved',
      message: `A machine answered at ${last.at.toISOString()} today, but an agent is reserved for this call.`,
    };
  }
  return {
    rule: 'machine_redial',
    status: 'deny',
    code: 'machine_redial.same_day',
    message: `Preset ${ctx.policy.preset}: a machine answered at ${last.at.toISOString()} today; no new call before the local day ends (${dayEnd.toISOString()}) unless an agent is reserved.`,
    retryAt: dayEnd,
  };
}
