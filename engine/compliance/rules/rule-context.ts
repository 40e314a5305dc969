import type { GateInput } from '../gate-types.ts';
import type { JurisdictionPolicy } from '../jurisdictions.ts';

/** What every rule receives: the gate input plus the resolved jurisdiction policy. */
export interface RuleContext extends GateInput {
  policy: JurisdictionPolicy;
}

const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export function addMinutes(at: Date, minutes: number): Date {
  return new Date(at.getTime() + minutes * MINUTE);
}
