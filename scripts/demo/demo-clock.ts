import { DateTime } from 'luxon';

/**
 * Where the demo's simulated clock starts: now, if it is Monday–Saturday between 12:30 and
 * 19:00 in New York (then every US zone of the sample list is within its calling hours for the
 * whole run), else the next such day at 13:00 New York time. The compliance gate is not bent for
 * the demo; the clock is simulated anyway.
 */
export function demoEpoch(realNow: Date): Date {
  const ny = DateTime.fromJSDate(realNow, { zone: 'America/New_York' });
  const minutes = ny.hour * 60 + ny.minute;
  if (ny.weekday !== 7 && minutes >= 12 * 60 + 30 && minutes < 19 * 60) return realNow;
  let day = ny.set({ hour: 13, minute: 0, second: 0, millisecond: 0 });
  if (minutes >= 13 * 60) day = day.plus({ days: 1 });
  while (day.weekday === 7) day = day.plus({ days: 1 });
  return day.toJSDate();
}
