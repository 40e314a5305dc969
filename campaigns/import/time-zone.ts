import { IANAZone } from 'luxon';
import { zonesForNumber } from './phone-time-zones.ts';

/**
 * A contact's zone, as stored: `timeZone` is the zone the gate uses; `assumed` says nothing
 * decided it for sure. When the number narrows it to several zones, `candidates` lists them
 * all (contacts.time_zone_candidates) so the gate can require the window to hold in every one;
 * `timeZone` is then the campaign default if it is a candidate, else the first candidate.
 */
export interface ContactTimeZone {
  readonly timeZone: string;
  readonly assumed: boolean;
  readonly candidates: readonly string[] | null;
}

const validZones = new Map<string, boolean>();

function isZone(name: string): boolean {
  let valid = validZones.get(name);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(name);
    // Bounded: a list has few distinct zone names, but a garbage column must not grow this forever.
    if (validZones.size < 10_000) validZones.set(name, valid);
  }
  return valid;
}

/** From the list's own zone column if it names a real zone; else from the number; else the default. */
export function resolveTimeZone(
  e164: string,
  columnValue: string | undefined,
  defaultZone: string,
): ContactTimeZone {
  const fromColumn = columnValue?.trim();
  if (fromColumn && isZone(fromColumn)) return { timeZone: fromColumn, assumed: false, candidates: null };
  const zones = zonesForNumber(e164);
  if (!zones) return { timeZone: defaultZone, assumed: true, candidates: null };
  if (zones.length === 1) return { timeZone: zones[0]!, assumed: false, candidates: null };
  return {
    timeZone: zones.includes(defaultZone) ? defaultZone : zones[0]!,
    assumed: true,
    candidates: zones,
  };
}
