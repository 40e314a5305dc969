import { attemptOutcome, type CompiledScenario } from './attempts.ts';
import { addTo, type DayMetrics, emptyDay, emptySeries } from './metrics.ts';
import { secondsOfDay } from './scenario.ts';
import type { RunOptions, StrategyRun } from './simulate-dialer.ts';

interface Seat {
  readonly shiftStart: number;
  readonly shiftEnd: number;
  /** When the agent is next free (ready for a call). */
  freeAt: number;
}

/**
 * The clairvoyant dialer: it knows, for every attempt of the day's list, whether it would be
 * answered by a person if launched at a given time, after how many seconds of ringing, and how long
 * the talk and wrap-up would last. Taking agents in the order they become free, it skips every
 * attempt that would not reach a person the dialer routes to an agent (no answer, machine, an AMD
 * error) and launches the next one that would, `ringSeconds (+ AMD seconds)` before the agent frees
 * up, so the person is connected the instant the agent is ready. It never abandons; an agent waits
 * only for the first call of the shift (nothing may be launched before the dialing day starts).
 * No dialer facing the same people can keep agents busier (README: "The clairvoyant bound").
 */
export function simulateClairvoyant(compiled: CompiledScenario, options: RunOptions): StrategyRun {
  const scenario = compiled.scenario;
  const dayCount = options.days ?? scenario.days;
  const bucketSeconds = options.bucketSeconds ?? 900;
  const series = emptySeries(bucketSeconds);
  const days: DayMetrics[] = [];
  let bucketOffset = 0;

  for (let day = 0; day < dayCount; day++) {
    const m = emptyDay();
    days.push(m);
    const seats: Seat[] = [];
    for (const shift of scenario.shifts) {
      for (let i = 0; i < shift.agents; i++) {
        const start = secondsOfDay(shift.start);
        seats.push({ shiftStart: start, shiftEnd: secondsOfDay(shift.end), freeAt: start });
      }
    }
    const dayStart = Math.min(...seats.map((s) => s.shiftStart));
    const dayEnd = Math.max(...seats.map((s) => s.shiftEnd));
    m.dialingSeconds = dayEnd - dayStart;
    const bucketOf = (second: number): number =>
      bucketOffset + Math.floor((second - dayStart) / bucketSeconds);
    const busyIntervals: [number, number][] = [];
    const lineIntervals: [number, number][] = [];
    let cursor = 0;
    const active = seats.slice();

    while (active.length > 0 && cursor < scenario.listSize) {
      // The agent who frees up first gets the next call.
      let index = 0;
      for (let i = 1; i < active.length; i++) {
        if ((active[i] as Seat).freeAt < (active[index] as Seat).freeAt) index = i;
      }
      const seat = active[index] as Seat;
      if (seat.freeAt >= seat.shiftEnd) {
        active.splice(index, 1);
        m.loggedInSeconds += seat.freeAt - seat.shiftStart;
        continue;
      }
      let connected = false;
      while (cursor < scenario.listSize) {
        // Ring and AMD times do not depend on the launch time; only whether it is answered does.
        const probe = attemptOutcome(compiled, options.seed, day, cursor, seat.freeAt);
        const launchAt = Math.max(dayStart, seat.freeAt - probe.ringToAnswerSeconds - probe.amdSeconds);
        const outcome = attemptOutcome(compiled, options.seed, day, cursor, launchAt);
        if (!(outcome.answered && outcome.verdict === 'human' && outcome.party === 'human')) {
          cursor++;
          continue;
        }
        const connectAt = launchAt + outcome.ringSeconds + outcome.amdSeconds;
        if (connectAt >= seat.shiftEnd) break;
        cursor++;
        m.attempts++;
        m.humanAnswered++;
        m.humanConnects++;
        m.routed++;
        m.waitSeconds += connectAt - seat.freeAt;
        m.waitsEnded++;
        m.talkSeconds += outcome.talkSeconds;
        m.wrapUpSeconds += outcome.wrapUpSeconds;
        addTo(series.humanAnswered, bucketOf(connectAt), 1);
        lineIntervals.push([launchAt, connectAt]);
        busyIntervals.push([connectAt, connectAt + outcome.talkSeconds + outcome.wrapUpSeconds]);
        seat.freeAt = connectAt + outcome.talkSeconds + outcome.wrapUpSeconds;
        connected = true;
        break;
      }
      if (!connected) {
        active.splice(index, 1);
        m.loggedInSeconds += Math.max(seat.shiftEnd, seat.freeAt) - seat.shiftStart;
      }
    }
    for (const seat of active) m.loggedInSeconds += Math.max(seat.shiftEnd, seat.freeAt) - seat.shiftStart;

    sampleIntervals(series.busy, busyIntervals, dayStart, bucketOf);
    sampleIntervals(series.lines, lineIntervals, dayStart, bucketOf);
    for (let t = dayStart; t < dayEnd; t++) {
      let loggedIn = 0;
      for (const seat of seats)
        if (t >= seat.shiftStart && t < Math.max(seat.shiftEnd, seat.freeAt)) loggedIn++;
      addTo(series.loggedIn, bucketOf(t), loggedIn);
      addTo(series.samples, bucketOf(t), 1);
    }
    bucketOffset += Math.ceil((dayEnd - dayStart) / bucketSeconds);
  }
  return { name: 'clairvoyant', days, series };
}

/** Adds, per bucket, the number of whole seconds t at which each interval [from, to) is open. */
function sampleIntervals(
  target: number[],
  intervals: readonly [number, number][],
  dayStart: number,
  bucketOf: (second: number) => number,
): void {
  for (const [from, to] of intervals) {
    for (let t = Math.max(dayStart, Math.ceil(from)); t < to; t++) addTo(target, bucketOf(t), 1);
  }
}
