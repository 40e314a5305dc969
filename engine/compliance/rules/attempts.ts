import { DateTime } from 'luxon';
import type { RuleResult } from '../gate-types.ts';
import type { RuleContext } from './rule-context.ts';
import { ResultMemo } from './shared-result.ts';

const within = new ResultMemo(1000);

// Day bounds depend only on the zone and the moment: one luxon computation per zone for a
// whole batch evaluated at the same `now` (luxon's zone arithmetic is the gate's main cost).
const dayBoundsMemo = new Map<string, { start: number; end: number }>();

/** The contact-zone calendar day of `now`, as epoch ms [start, end). */
export function localDayBounds(now: Date, zone: string): { start: number; end: number } {
  const key = `${zone}|${now.getTime()}`;
  let bounds = dayBoundsMemo.get(key);
  if (!bounds) {
    const day = DateTime.fromJSDate(now, { zone }).startOf('day');
    bounds = { start: day.toMillis(), end: day.plus({ days: 1 }).toMillis() };
    if (dayBoundsMemo.size > 10_000) dayBoundsMemo.clear();
    dayBoundsMemo.set(key, bounds);
  }
  return bounds;
}

/** Attempts made on the contact's local calendar day of `now` (its own zone). */
export function attemptsToday(ctx: RuleContext): { count: number; dayEnd: Date } {
  const { start, end } = localDayBounds(ctx.now, ctx.contact.timeZone);
  let count = 0;
  for (const t of ctx.facts.recentAttemptTimes) if (t.getTime() >= start && t.getTime() < end) count++;
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
  // No recent attempt: nothing to count, and no denial whose retryAt needs the day's end.
  const today =
    ctx.facts.recentAttemptTimes.length === 0 && maxPerDay > 0
      ? { count: 0, dayEnd: null }
      : attemptsToday(ctx);
  if (today.count >= maxPerDay) {
    return {
      rule: 'attempts',
      status: 'deny',
      code: 'attempts.max_per_day',
      message: `The contact was already called ${today.count} times today (at most ${maxPerDay} a day).`,
      ...(today.dayEnd ? { retryAt: today.dayEnd } : {}),
    };
  }
  return within.get(`${total}|${maxPerContact}|${today.count}|${maxPerDay}`, () => ({
    rule: 'attempts',
    status: 'pass',
    code: 'attempts.within_limits',
    message: `${total} of ${maxPerContact} attempts made, ${today.count} of ${maxPerDay} today.`,
  }));
}
