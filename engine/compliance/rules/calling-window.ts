import {
  type CallingWindowSpec,
  evaluateCallingWindow,
  type WindowClosure,
  type WindowEvaluation,
} from '../calling-window.ts';
import type { GateContact, RuleResult } from '../gate-types.ts';
import type { RuleContext } from './rule-context.ts';
import { sharedResult } from './shared-result.ts';

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

// One campaign, one moment and one set of zones give the same result for every contact of a
// batch: the rule's whole result (verdict, sentence, retryAt) is memoized per definition,
// policy and moment, then by the zone set, so a batch of 100,000 costs a few luxon
// conversions and shares its few distinct results.
interface Memo {
  policy: RuleContext['policy'];
  at: number;
  spec: CallingWindowSpec;
  byZones: Map<string, RuleResult>;
}
const memo = new WeakMap<object, Memo>();

function memoFor(ctx: RuleContext): Memo {
  const { definition } = ctx.campaign;
  const at = ctx.now.getTime();
  let m = memo.get(definition);
  if (!m || m.policy !== ctx.policy || m.at !== at) {
    m = {
      policy: ctx.policy,
      at,
      spec: {
        days: definition.callingWindow.days,
        start: definition.callingWindow.start,
        end: definition.callingWindow.end,
        legalHours: ctx.policy.legalHours,
        holidays: [...definition.holidays, ...ctx.policy.holidays],
      },
      byZones: new Map(),
    };
    memo.set(definition, m);
  }
  return m;
}

export function callingWindowRule(ctx: RuleContext): RuleResult {
  const m = memoFor(ctx);
  const { contact } = ctx;
  const key = contact.timeZoneAssumed
    ? candidateZones(contact, ctx.campaign.definition.defaultTimeZone).join(',')
    : contact.timeZone;
  let result = m.byZones.get(key);
  if (!result) {
    const zones = candidateZones(contact, ctx.campaign.definition.defaultTimeZone);
    result = sharedResult(windowResult(evaluateCallingWindow(ctx.now, zones, m.spec), zones));
    if (m.byZones.size > 5000) m.byZones.clear();
    m.byZones.set(key, result);
  }
  return result;
}

function windowResult(result: WindowEvaluation, zones: readonly string[]): RuleResult {
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
