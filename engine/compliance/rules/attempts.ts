import { DateTime } from 'luxon';
import type { RuleResult } from '../gate-types.ts';
import type { RuleContext } from './rule-context.ts';

/** Attempts made on the contact's local calendar day of `now` (its own zone). */
export function attemptsToday(ctx: RuleContext): { count: number; dayEnd: Date } {
  const local = DateTime.fromJSDate(ctx.now, { zone: ctx.contact.timeZone });
  const start = local.startOf('day').toMillis();
  const end = local.startOf('day').plus({ days: 1 }).toMillis();
  const count = ctx.facts.recentAttemptTimes.filter((t) => t.getTime() >= start && t.getTime() < end).length;
  return { count, dayEnd: new Date(end) };
}

/** At most maxPerContact attempts in the campaign, and maxPerDay on one local day. */
export function attemptsRule(ctx: RuleContext): RuleResult {
  const { maxPerContact, maxPerDay } = ctx.campaign.definition.attempts;
  const total = ctx.facts.attemptsTotal;
  if (total >= maxPerContact) {
    return {
      rule: 'attempts',
      status: 'deny',
      code: 'attempts.max_per_contact',
      message: `The contact was already called ${total} times in this campaign (at most ${maxPerContact}).`,
    };
  }
  const today = attemptsToday(ctx);
  if (today.count >= maxPerDay) {
    return {
      rule: 'attempts',
      status: 'deny',
      code: 'attempts.max_per_day',
      message: `The contact was already called ${today.count} times today (at most ${maxPerDay} a day).`,
      retryAt: today.dayEnd,
    };
  }
  return {
    rule: 'attempts',
    status: 'pass',
    code: 'attempts.within_limits',
    message: `${total} of ${maxPerContact} attempts made, ${today.count} of ${maxPerDay} today.`,
  };
}
