import { type AgentTraits, agentTraits, pauseAfterCall } from './agents.ts';
import {
  type AttemptOutcome,
  attemptOutcome,
  type CompiledScenario,
  listAttemptOutcome,
  secondsUntilWindow,
} from './attempts.ts';
import { DialList, type ListEntry } from './dial-list.ts';
import { addTo, type DayMetrics, emptyDay, emptySeries } from './metrics.ts';
import { secondsOfDay } from './scenario.ts';
import type { RunOptions, StrategyRun } from './simulate-dialer.ts';

interface Seat {
  readonly index: number;
  readonly traits: AgentTraits;
  calls: number;
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
  const runList = scenario.list
    ? new DialList(scenario.list.numbers, scenario.list.maxAttempts, scenario.list.retryAfterMinutes * 60)
    : null;

  for (let day = 0; day < dayCount; day++) {
    const m = emptyDay();
    days.push(m);
    const list = runList ?? new DialList(scenario.listSize, 1, 0);
    const clock = (second: number): number => (runList ? day * 86_400 + second : second);
    const outcomeOf = (entry: ListEntry, launchSecond: number): AttemptOutcome =>
      runList
        ? listAttemptOutcome(compiled, options.seed, entry.number, entry.attempt, day, launchSecond)
        : attemptOutcome(compiled, options.seed, day, entry.number, launchSecond);
    const seats: Seat[] = [];
    let seatIndex = 0;
    for (const shift of scenario.shifts) {
      for (let i = 0; i < shift.agents; i++) {
        const start = secondsOfDay(shift.start);
        const index = seatIndex++;
        seats.push({
          index,
          traits: agentTraits(compiled, options.seed, index),
          calls: 0,
          shiftStart: start,
          shiftEnd: secondsOfDay(shift.end),
          freeAt: start,
        });
      }
    }
    const dayStart = Math.min(...seats.map((s) => s.shiftStart));
    const dayEnd = Math.max(...seats.map((s) => s.shiftEnd));
    m.dialingSeconds = dayEnd - dayStart;
    const bucketOf = (second: number): number =>
      bucketOffset + Math.floor((second - dayStart) / bucketSeconds);
    const busyIntervals: [number, number][] = [];
    const lineIntervals: [number, number][] = [];
    const active = seats.slice();

    while (active.length > 0) {
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
      // Entries looked at and left for later this turn (a person it could not reach in time).
      const keep: ListEntry[] = [];
      for (;;) {
        const entry = list.next(clock(seat.freeAt));
        if (!entry) {
          // The list is exhausted for now: wait for the next retry, if one falls due in the shift.
          const due = list.nextDue();
          const at = due === null ? null : due - clock(0);
          if (at !== null && at > seat.freeAt && at < seat.shiftEnd) {
            seat.freeAt = at;
            continue;
          }
          break;
        }
        // Ring and AMD times do not depend on the launch time; only whether it is answered does.
        const probe = outcomeOf(entry, seat.freeAt);
        const launchAt = Math.max(dayStart, seat.freeAt - probe.ringToAnswerSeconds - probe.amdSeconds);
        const outcome = outcomeOf(entry, launchAt);
        const closedFor = secondsUntilWindow(compiled, outcome, launchAt);
        if (closedFor > 0) {
          // Outside its calling window: passed over until the window opens, as by every dialer.
          m.passedOver++;
          // Due when it could ring from the opening and connect: always later than now.
          list.defer(entry, clock(seat.freeAt + closedFor));
          continue;
        }
        if (!(outcome.answered && outcome.verdict === 'human' && outcome.party === 'human')) {
          // Known unfruitful: not dialed (no line, no time), but tried as far as the list goes.
          if (!outcome.answered) list.unanswered(entry, clock(launchAt));
          continue;
        }
        const connectAt = launchAt + outcome.ringSeconds + outcome.amdSeconds;
        if (connectAt >= seat.shiftEnd) {
          keep.push(entry);
          break;
        }
        m.attempts++;
        m.humanAnswered++;
        m.humanConnects++;
        m.routed++;
        m.waitSeconds += connectAt - seat.freeAt;
        m.waitsEnded++;
        const talk = outcome.talkSeconds * seat.traits.talkFactor;
        const wrapUp = outcome.wrapUpSeconds * seat.traits.wrapUpFactor;
        m.talkSeconds += talk;
        m.wrapUpSeconds += wrapUp;
        addTo(series.humanAnswered, bucketOf(connectAt), 1);
        lineIntervals.push([launchAt, connectAt]);
        busyIntervals.push([connectAt, connectAt + talk + wrapUp]);
        seat.freeAt = connectAt + talk + wrapUp;
        // The same unannounced pauses as every dialer meets (known here, in advance).
        const pause = pauseAfterCall(compiled, options.seed, day, seat.index, seat.calls++);
        if (pause > 0 && seat.freeAt + pause < seat.shiftEnd) {
          seat.freeAt += pause;
          m.pausedSeconds += pause;
        }
        connected = true;
        break;
      }
      for (const entry of keep) list.defer(entry, entry.dueAt);
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
