import type {
  GateDecision,
  GateDisposition,
  GateInput,
  LoggedGateReason,
  RuleName,
  RuleResult,
} from './gate-types.ts';
import { policyForDefinition } from './jurisdictions.ts';
import { abandonRepeatRule } from './rules/abandon-repeat.ts';
import { abandonmentRateRule } from './rules/abandonment-rate.ts';
import { approvalRule } from './rules/approval.ts';
import { attemptsRule } from './rules/attempts.ts';
import { blacklistRule } from './rules/blacklist.ts';
import { callingWindowRule } from './rules/calling-window.ts';
import { consentRule } from './rules/consent.ts';
import { dncRule } from './rules/dnc.ts';
import { frequencyRule } from './rules/frequency.ts';
import { inFlightRule } from './rules/in-flight.ts';
import { machineRedialRule } from './rules/machine-redial.ts';
import { nationalRegistryRule } from './rules/national-registry.ts';
import { retryGapRule } from './rules/retry-gap.ts';
import type { RuleContext } from './rules/rule-context.ts';

export type * from './gate-types.ts';

/** Every rule, in the order their results are reported. All run: a decision lists every reason. */
const RULES: ReadonlyArray<readonly [RuleName, (ctx: RuleContext) => RuleResult]> = [
  ['dnc', dncRule],
  ['blacklist', blacklistRule],
  ['approval', approvalRule],
  ['consent', consentRule],
  ['national_registry', nationalRegistryRule],
  ['calling_window', callingWindowRule],
  ['attempts', attemptsRule],
  ['retry_gap', retryGapRule],
  ['abandon_repeat', abandonRepeatRule],
  ['machine_redial', machineRedialRule],
  ['frequency', frequencyRule],
  ['in_flight', inFlightRule],
  ['abandonment_rate', abandonmentRateRule],
];

export const RULE_NAMES: readonly RuleName[] = RULES.map(([name]) => name);

function dispositionOf(denial: RuleResult): Exclude<GateDisposition, 'dial'> {
  if (denial.rule === 'dnc' || denial.rule === 'blacklist') return 'block';
  if (denial.code === 'attempts.max_per_contact') return 'exhausted';
  if (denial.retryAt) return 'retry_later';
  return 'hold';
}

const rank: Record<GateDisposition, number> = { dial: 0, retry_later: 1, hold: 2, exhausted: 3, block: 4 };

/**
 * The compliance gate: may this contact of this campaign be dialed at `now`? Pure: the same
 * input gives the same decision, so `dialer compliance check --at` replays any moment.
 */
export function evaluateGate(input: GateInput): GateDecision {
  const ctx: RuleContext = {
    ...input,
    policy: input.policy ?? policyForDefinition(input.campaign.definition),
  };
  const results: RuleResult[] = new Array(RULES.length);
  const denials: RuleResult[] = [];
  let disposition: GateDisposition = 'dial';
  let predictiveAllowed = true;
  for (let i = 0; i < RULES.length; i++) {
    const result = RULES[i]![1](ctx);
    results[i] = result;
    if (result.status === 'deny') {
      denials.push(result);
      const d = dispositionOf(result);
      if (rank[d] > rank[disposition]) disposition = d;
    } else if (result.status === 'restrict' && result.rule === 'abandonment_rate') predictiveAllowed = false;
  }
  let retryAt: Date | null = null;
  if (disposition === 'retry_later') {
    for (const d of denials) if (d.retryAt && (!retryAt || d.retryAt > retryAt)) retryAt = d.retryAt;
  }
  return {
    allowed: denials.length === 0,
    disposition,
    predictiveAllowed,
    permanent: disposition === 'block' || disposition === 'exhausted',
    retryAt,
    preset: ctx.policy.preset,
    results,
    denials,
    evaluatedAt: input.now,
  };
}

/** The decision as the dial log stores it (call_attempts.gate_reasons). */
export function gateReasonsForLog(decision: GateDecision): LoggedGateReason[] {
  return decision.results.map(({ rule, status, code, message }) => ({ rule, status, code, message }));
}
