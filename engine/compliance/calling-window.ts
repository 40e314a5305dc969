import { DateTime } from 'luxon';
import type { DailySpan } from './jurisdictions.ts';

/**
 * Calling hours in the called person's local time: the campaign's window (days and hours)
 * intersected with the jurisdiction's legal hours, minus holidays. Membership is decided on
 * the local wall clock at the instant, which is what the rules speak of ("not after 9 pm
 * local time"): across a DST change the window simply follows the clock, a spring-forward gap
 * has no local times to be in, and a fall-back overlap is judged by its wall-clock time twice.
 */

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export interface CallingWindowSpec {
  days: readonly Weekday[];
  /** Campaign hours, "HH:MM", end exclusive. */
  start: string;
  end: string;
  /** The jurisdiction's lawful hours. */
  legalHours: readonly DailySpan[];
  /** Local dates on which no call is made (campaign and jurisdiction holidays). */
  holidays: readonly string[];
}

export type WindowClosure = 'closed_day' | 'holiday' | 'legal_hours' | 'campaign_hours';

export interface ZoneWindowStatus {
  zone: string;
  open: boolean;
  /** Why it is closed; absent when open. */
  closure?: WindowClosure;
  /** Local time at the instant, e.g. "2026-03-08 02:30 EDT", for the sentence. */
  localTime: string;
}

export interface WindowEvaluation {
  open: boolean;
  zones: ZoneWindowStatus[];
  /** When closed: the earliest instant found at which it is open in every zone (within the horizon). */
  nextOpen: Date | null;
}

/** How far ahead nextOpen searches (holidays in a row, a window on one weekday only). */
export const NEXT_OPEN_HORIZON_DAYS = 14;

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** The window's open spans of a day, in minutes since local midnight: campaign ∩ legal. */
function openSpans(spec: CallingWindowSpec): Array<[number, number]> {
  const start = minutesOf(spec.start);
  const end = minutesOf(spec.end);
  const spans: Array<[number, number]> = [];
  for (const legal of spec.legalHours) {
    const s = Math.max(start, minutesOf(legal.start));
    const e = Math.min(end, minutesOf(legal.end));
    if (s < e) spans.push([s, e]);
  }
  return spans.sort((a, b) => a[0] - b[0]);
}

function zoneStatus(at: Date, zone: string, spec: CallingWindowSpec, holidays: ReadonlySet<string>) {
  const local = DateTime.fromJSDate(at, { zone });
  const status: ZoneWindowStatus = {
    zone,
    open: false,
    localTime: local.toFormat('yyyy-LL-dd HH:mm ZZZZ'),
  };
  const weekday = WEEKDAYS[local.weekday - 1]!;
  const minute = local.hour * 60 + local.minute;
  const inSpans = (spans: ReadonlyArray<readonly [number, number]>) =>
    spans.some(([s, e]) => minute >= s && minute < e);
  if (!spec.days.includes(weekday)) status.closure = 'closed_day';
  else if (holidays.has(local.toISODate() ?? '')) status.closure = 'holiday';
  else if (!inSpans(spec.legalHours.map((l) => [minutesOf(l.start), minutesOf(l.end)] as const)))
    status.closure = 'legal_hours';
  else if (!inSpans([[minutesOf(spec.start), minutesOf(spec.end)]])) status.closure = 'campaign_hours';
  else status.open = true;
  return status;
}

/** True when the window is open at `at` in every one of `zones`. */
export function isOpenInAll(at: Date, zones: readonly string[], spec: CallingWindowSpec): boolean {
  const holidays = new Set(spec.holidays);
  return zones.every((zone) => zoneStatus(at, zone, spec, holidays).open);
}

/**
 * Instants at which some zone's window may open: each span start on each day of the horizon.
 * A start inside a spring-forward gap is shifted forward by luxon; the start of that hour is
 * added too so the moment just after the gap is a candidate.
 */
function candidateOpenings(from: Date, zones: readonly string[], spec: CallingWindowSpec): number[] {
  const spans = openSpans(spec);
  const out: number[] = [];
  for (const zone of zones) {
    const day0 = DateTime.fromJSDate(from, { zone }).startOf('day');
    for (let d = 0; d <= NEXT_OPEN_HORIZON_DAYS; d++) {
      const day = day0.plus({ days: d });
      for (const [s] of spans) {
        const at = DateTime.fromObject(
          { year: day.year, month: day.month, day: day.day, hour: Math.floor(s / 60), minute: s % 60 },
          { zone },
        );
        out.push(at.toMillis());
        if (at.hour * 60 + at.minute !== s) out.push(at.startOf('hour').toMillis());
      }
    }
  }
  return out;
}

export function evaluateCallingWindow(
  at: Date,
  zones: readonly string[],
  spec: CallingWindowSpec,
): WindowEvaluation {
  const holidays = new Set(spec.holidays);
  const statuses = zones.map((zone) => zoneStatus(at, zone, spec, holidays));
  const open = statuses.every((s) => s.open);
  if (open) return { open, zones: statuses, nextOpen: null };
  const now = at.getTime();
  const candidates = candidateOpenings(at, zones, spec)
    .filter((t) => t > now)
    .sort((a, b) => a - b);
  let nextOpen: Date | null = null;
  for (const t of candidates) {
    const when = new Date(t);
    if (zones.every((zone) => zoneStatus(when, zone, spec, holidays).open)) {
      nextOpen = when;
      break;
    }
  }
  return { open, zones: statuses, nextOpen };
}
