import { type CallingWindowSpec, evaluateCallingWindow, type WindowClosure } from '../calling-window.ts';
import type { GateContact, RuleResult } from '../gate-types.ts';
import type { RuleContext } from './rule-context.ts';

/**
 * The zones the window must hold in. A known zone is the only one; an assumed zone may be
 * wrong, so every candidate the import stored counts, or else the assumed zone plus the
 * campaign's default zone (see README.md).
 */
export function candidateZones(contact: GateContact, defaultTimeZone: string): string[] {
  if (!contact.timeZoneAssumed) return [contact.timeZone];
  const zones = contact.candidateTimeZones?.length
    ? [contact.timeZone, ...contact.candidateTimeZones]
    : [contact.timeZone, defaultTimeZone];
  return [...new Set(zones)];
}

const closureSentence: Record<WindowClosure, string> = {
  closed_day: 'the campaign does not call on this day of the week',
  holiday: 'it is a holiday',
  legal_hours: 'it is outside the lawful calling hours',
  campaign_hours: 'it is outside the campaign’s calling hours',
};

// One campaign, one moment and one set of zones give the same answer for every contact of a
// batch; memoized per definition object so a batch of 100,000 costs a few luxon conversions.
const memo = new WeakMap<object, Map<string, ReturnType<typeof evaluateCallingWindow>>>();

function evaluateMemo(ctx: RuleContext, zones: readonly string[]) {
  const { definition } = ctx.campaign;
  let byKey = memo.get(definition);
  if (!byKey) {
    byKey = new Map();
    memo.set(definition, byKey);
  }
  const key = `${ctx.now.getTime()}|${ctx.policy.code}|${ctx.policy.legalHours.map((l) => `${l.start}-${l.end}`).join(',')}|${ctx.policy.holidays.length}|${zones.join(',')}`;
  const hit = byKey.get(key);
  if (hit) return hit;
  const spec: CallingWindowSpec = {
    days: definition.callingWindow.days,
    start: definition.callingWindow.start,
    end: definition.callingWindow.end,
    legalHours: ctx.policy.legalHours,
    holidays: [...definition.holidays, ...ctx.policy.holidays],
  };
  const result = evaluateCallingWindow(ctx.now, zones, spec);
  if (byKey.size > 5000) byKey.clear();
  byKey.set(key, result);
  return result;
}

export function callingWindowRule(ctx: RuleContext): RuleResult {
  const zones = candidateZones(ctx.contact, ctx.campaign.definition.defaultTimeZone);
  const result = evaluateMemo(ctx, zones);
  const several = zones.length > 1;
  if (result.open) {
    return {
      rule: 'calling_window',
      status: 'pass',
      code: 'calling_window.open',
      message: several
        ? `Within calling hours in every possible zone of the contact (${result.zones.map((z) => z.localTime).join('; ')}).`
        : `Within calling hours in the contact’s zone (${result.zones[0]?.localTime} ${zones[0]}).`,
    };
  }
  const closed = result.zones.find((z) => !z.open)!;
  const where = several
    ? `in ${closed.zone}, one of ${zones.length} zones the contact may be in (${closed.localTime})`
    : `in the contact’s zone ${closed.zone} (${closed.localTime})`;
  return {
    rule: 'calling_window',
    status: 'deny',
    code: `calling_window.${closed.closure}`,
    message: `Not within calling hours: ${closureSentence[closed.closure!]} ${where}.`,
    ...(result.nextOpen ? { retryAt: result.nextOpen } : {}),
  };
}
