import { evaluateGate } from './gate.ts';
import type { GateDecision, GateInput, RuleName, RuleResult } from './gate-types.ts';

export type ScheduledVerdict =
  /** The gate allows a call at `at` (`moved` when that is later than asked). */
  | { kind: 'allowed'; at: Date; moved: boolean; decision: GateDecision }
  /** Only an outside change (an approval, a consent, a registry load) stands in the way at `at`. */
  | { kind: 'held'; at: Date; moved: boolean; decision: GateDecision; denials: RuleResult[] }
  /** No moment will do (a do-not-call list, the attempts exhausted). */
  | { kind: 'refused'; decision: GateDecision; denials: RuleResult[] };

/**
 * The first moment at or after `input.now` at which the gate would allow the call, for a call
 * planned ahead (an agent's callback, a manual dial at a chosen time): the gate is asked at the
 * planned moment and, while only time-based rules deny, again at the latest moment they lift.
 * Pure: the facts are those of the present (no call made meanwhile is known), so the gate asks
 * again at dial time anyway. `ignore` leaves out rules that judge the present only (the call
 * in progress now will have ended).
 */
export function nextAllowedMoment(
  input: GateInput,
  options: { ignore?: readonly RuleName[]; maxSteps?: number } = {},
): ScheduledVerdict {
  const ignore = new Set<RuleName>(options.ignore ?? ['in_flight']);
  const asked = input.now;
  let at = asked;
  let decision = evaluateGate(input);
  for (let step = 0; ; step++) {
    const denials = decision.denials.filter((d) => !ignore.has(d.rule));
    const moved = at.getTime() !== asked.getTime();
    if (denials.length === 0) return { kind: 'allowed', at, moved, decision };
    if (
      denials.some((d) => d.rule === 'dnc' || d.rule === 'blacklist' || d.code === 'attempts.max_per_contact')
    ) {
      return { kind: 'refused', decision, denials };
    }
    // Time-based denials move the moment on, even when an outside change is needed as well.
    let next: Date | null = null;
    for (const d of denials) if (d.retryAt && (!next || d.retryAt > next)) next = d.retryAt;
    if (!next || next <= at || step >= (options.maxSteps ?? 30)) {
      return { kind: 'held', at, moved, decision, denials };
    }
    at = next;
    decision = evaluateGate({ ...input, now: at });
  }
}
