import { DateTime } from 'luxon';
import type { ConsentedCall, FrequencyFacts, GateContact, RuleResult } from '../gate-types.ts';
import type { FrequencyRule } from '../presets/index.ts';
import type { RuleContext } from './rule-context.ts';
import { ResultMemo } from './shared-result.ts';

const passes = new ResultMemo(100);

/**
 * The frequency result of a call placed under a consent exception. Stored with the call's gate
 * reasons, it is how the facts loader knows not to count that call for such rules later.
 */
export const CONSENTED_CODE = 'frequency.consented';

function span(minutes: number): string {
  if (minutes % 1440 === 0) return `${minutes / 1440} d`;
  if (minutes % 60 === 0) return `${minutes / 60} h`;
  return `${minutes} min`;
}

interface Violation {
  message: string;
  retryAt: Date;
}

/**
 * One rule's verdict. A window of W minutes counts the calls in (now − W, now]: a call exactly W
 * ago has left it. With c calls in the window and a cap of m, the (c − m + 1)-th oldest must
 * leave before the next call: retryAt = its time + W. The quiet period after a conversation at
 * t ends at t + Q (the conversation's moment is the period's first instant).
 */
export function frequencyViolations(rule: FrequencyRule, facts: FrequencyFacts, now: number): Violation[] {
  const out: Violation[] = [];
  const quiet = rule.quietAfterConversationMinutes;
  // Most contacts have no counted call and no conversation: nothing to judge, nothing allocated.
  if (facts.attemptTimes.length === 0 && (quiet === null || facts.lastConversationAt === null)) return out;
  const about =
    (facts.countedBy === 'account' ? 'the account' : 'the number') +
    (rule.callerNumbers === 'each' ? ` from caller number ${facts.callerNumber ?? '(none)'}` : '');
  for (const window of rule.windows) {
    if (facts.attemptTimes.length < window.maxAttempts) continue;
    const ms = window.minutes * 60_000;
    const inWindow: number[] = [];
    for (const t of facts.attemptTimes) if (t > now - ms && t <= now) inWindow.push(t);
    if (inWindow.length < window.maxAttempts) continue;
    inWindow.sort((a, b) => a - b);
    const leaving = inWindow[inWindow.length - window.maxAttempts]!;
    out.push({
      message: `${inWindow.length} calls about ${about} in the last ${span(window.minutes)} (at most ${window.maxAttempts})`,
      retryAt: new Date(leaving + ms),
    });
  }
  if (quiet !== null && facts.lastConversationAt !== null) {
    const until = facts.lastConversationAt + quiet * 60_000;
    if (now < until) {
      out.push({
        message: `a conversation about ${about} at ${new Date(facts.lastConversationAt).toISOString()} (quiet for ${span(quiet)})`,
        retryAt: new Date(until),
      });
    }
  }
  return out;
}

/** The memo key of a pass, built once per rule list and preset (every contact of a batch shares it). */
const passKeys = new WeakMap<readonly FrequencyRule[], { preset: string; key: string }>();
function passKey(preset: string, rules: readonly FrequencyRule[]): string {
  const known = passKeys.get(rules);
  if (known?.preset === preset) return known.key;
  const key = `ok|${preset}|${rules.map((r) => r.id).join(',')}`;
  passKeys.set(rules, { preset, key });
  return key;
}

/**
 * The end of a consent exception of `days` consecutive days, the day the consent was given
 * counting as the first: midnight after its last day, in the contact's zone — the earliest of its
 * candidate zones when the zone is uncertain (the exception never runs past any of them).
 */
export function consentPeriodEnd(consentAt: Date, days: number, contact: GateContact): number {
  const zones = [contact.timeZone, ...(contact.candidateTimeZones ?? [])];
  let end = Number.POSITIVE_INFINITY;
  for (const zone of zones) {
    const local = DateTime.fromJSDate(consentAt, { zone });
    if (!local.isValid) continue;
    end = Math.min(end, local.startOf('day').plus({ days }).toMillis());
  }
  // An unknown zone: the consent's own instant plus whole days less a day, never longer.
  return Number.isFinite(end) ? end : consentAt.getTime() + (days - 1) * 86_400_000;
}

/** Whether the call about to be placed falls under `rule`'s consent exception at `now`. */
function consentCovers(
  rule: FrequencyRule,
  consent: ConsentedCall | null | undefined,
  ctx: RuleContext,
): boolean {
  if (rule.consentExclusionDays === null || !consent) return false;
  const now = ctx.now.getTime();
  return (
    consent.consentAt.getTime() <= now &&
    now < consentPeriodEnd(consent.consentAt, rule.consentExclusionDays, ctx.contact)
  );
}

/**
 * The preset's frequency rules (per number or per account, several windows each, a quiet period
 * after a conversation), counted across campaigns and caller numbers as each rule says. The
 * refusal names the preset and the rule; retryAt is when every violated window has room again.
 */
export function frequencyRule(ctx: RuleContext): RuleResult {
  const rules = ctx.policy.frequency;
  if (rules.length === 0) {
    return passes.get(`none|${ctx.policy.preset}`, () => ({
      rule: 'frequency',
      status: 'not_applicable',
      code: 'frequency.none',
      message: `Preset ${ctx.policy.preset} sets no call-frequency rule.`,
    }));
  }
  const now = ctx.now.getTime();
  const parts: string[] = [];
  let retryAt: Date | null = null;
  const missing: string[] = [];
  const consented: string[] = [];
  for (const rule of rules) {
    const facts = ctx.facts.frequency?.find((f) => f.ruleId === rule.id);
    if (!facts) {
      missing.push(rule.id);
      continue;
    }
    // A call placed with the person's prior consent within the rule's exception period is
    // neither held by the rule nor counted by it later (its gate reasons say `consented`).
    if (consentCovers(rule, ctx.facts.consentedCall, ctx)) {
      consented.push(rule.id);
      continue;
    }
    const violations = frequencyViolations(rule, facts, now);
    if (violations.length === 0) continue;
    let ruleRetry = violations[0]!.retryAt;
    for (const v of violations) if (v.retryAt > ruleRetry) ruleRetry = v.retryAt;
    if (!retryAt || ruleRetry > retryAt) retryAt = ruleRetry;
    parts.push(`rule ${rule.id} (${rule.source}): ${violations.map((v) => v.message).join('; ')}`);
  }
  if (missing.length > 0) {
    return {
      rule: 'frequency',
      status: 'deny',
      code: 'frequency.facts_missing',
      message: `Preset ${ctx.policy.preset}: the call counts of rule ${missing.join(', ')} were not loaded; the contact is held.`,
    };
  }
  if (retryAt) {
    return {
      rule: 'frequency',
      status: 'deny',
      code: 'frequency.over_limit',
      message: `Preset ${ctx.policy.preset}, ${parts.join('; ')}; no call before ${retryAt.toISOString()}.`,
      retryAt,
    };
  }
  if (consented.length > 0) {
    const consentAt = ctx.facts.consentedCall!.consentAt.toISOString();
    return {
      rule: 'frequency',
      status: 'pass',
      code: CONSENTED_CODE,
      message: `Preset ${ctx.policy.preset}: a call the person asked for (consent given directly in the conversation of call ${ctx.facts.consentedCall!.attemptId} at ${consentAt}); rule ${consented.join(', ')} neither holds nor counts it.`,
    };
  }
  return passes.get(passKey(ctx.policy.preset, rules), () => ({
    rule: 'frequency',
    status: 'pass',
    code: 'frequency.within_limits',
    message: `Within the call-frequency rules of preset ${ctx.policy.preset} (${rules.map((r) => r.id).join(', ')}).`,
  }));
}
