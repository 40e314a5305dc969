import { sample } from './distributions.ts';
import { streamFor } from './prng.ts';
import { type Scenario, secondsOfDay } from './scenario.ts';

/** What happens to one dial attempt, fixed in advance by (seed, day, index) and the launch time. */
export interface AttemptOutcome {
  /** Seconds from launch to answer, or to the end of an unanswered attempt. */
  readonly ringSeconds: number;
  readonly answered: boolean;
  /** When it would be answered if answered (ringSeconds equals it for answered attempts). */
  readonly ringToAnswerSeconds: number;
  readonly party: 'human' | 'machine';
  /** The dialer's verdict: the true party when AMD is off (everything answered goes to an agent). */
  readonly verdict: 'human' | 'machine';
  /** AMD seconds after the answer (0 without AMD). */
  readonly amdSeconds: number;
  /** Agent seconds on the call when connected (machine handling time for a machine). */
  readonly talkSeconds: number;
  readonly wrapUpSeconds: number;
  /** A person's seconds of silence after answering before hanging up (Infinity for a machine). */
  readonly patienceSeconds: number;
  /** The number's clock offset from the campaign's, in seconds (its time zone; 0 without calling windows). */
  readonly zoneOffsetSeconds: number;
}

/** The scenario with its schedule resolved once, for the hot loop. */
export interface CompiledScenario {
  readonly scenario: Scenario;
  readonly changeAt: readonly number[];
  readonly changeProbability: readonly number[];
  /** The first shift start: where a smooth schedule starts from `answer.probability`. */
  readonly dayStart: number;
}

export function compileScenario(scenario: Scenario): CompiledScenario {
  const changes = [...scenario.answer.changes].sort((a, b) => secondsOfDay(a.at) - secondsOfDay(b.at));
  return {
    scenario,
    changeAt: changes.map((c) => secondsOfDay(c.at)),
    changeProbability: changes.map((c) => c.probability),
    dayStart: Math.min(...scenario.shifts.map((s) => secondsOfDay(s.start))),
  };
}

/** The answer probability in force at `second` of day `day` (the schedule, then the drift across days). */
export function answerProbabilityAt(compiled: CompiledScenario, second: number, day = 0): number {
  const drift = compiled.scenario.answer.drift;
  const p = scheduledProbability(compiled, second);
  if (!drift) return p;
  const t = day + second / 86_400 - drift.phaseDays;
  return Math.max(0, Math.min(1, p * (1 + drift.amplitude * Math.sin((2 * Math.PI * t) / drift.periodDays))));
}

function scheduledProbability(compiled: CompiledScenario, second: number): number {
  let p = compiled.scenario.answer.probability;
  if (compiled.scenario.answer.smooth) {
    // Linear between the points (day start, probability), (at, probability)…; flat after the last.
    let fromAt = compiled.dayStart;
    let fromP = p;
    for (let i = 0; i < compiled.changeAt.length; i++) {
      const at = compiled.changeAt[i] ?? Infinity;
      const to = compiled.changeProbability[i] ?? fromP;
      if (second < at) {
        if (at <= fromAt || second <= fromAt) return fromP;
        return fromP + ((to - fromP) * (second - fromAt)) / (at - fromAt);
      }
      fromAt = at;
      fromP = to;
    }
    return fromP;
  }
  for (let i = 0; i < compiled.changeAt.length; i++) {
    if ((compiled.changeAt[i] ?? Infinity) <= second) p = compiled.changeProbability[i] ?? p;
  }
  return p;
}

/**
 * Every draw is made in the same order whatever the outcome, so that an attempt's person is the
 * same person whenever (and by whichever strategy) it is dialed; only "answered" depends on the
 * launch time, through the answer probability in force then.
 */
export function attemptOutcome(
  compiled: CompiledScenario,
  seed: number,
  day: number,
  index: number,
  launchSecond: number,
): AttemptOutcome {
  return drawOutcome(compiled, streamFor(seed, day, index), day, launchSecond);
}

/** Stream tag of the whole-list mode (`list`): its draws never meet the daily lists'. */
const LIST_STREAM = 0x11575;

/** Attempt `attempt` (1, 2, …) of number `number` of a whole list (`list`), launched on `day`. */
export function listAttemptOutcome(
  compiled: CompiledScenario,
  seed: number,
  number: number,
  attempt: number,
  day: number,
  launchSecond: number,
): AttemptOutcome {
  const outcome = drawOutcome(compiled, streamFor(seed, LIST_STREAM, number, attempt), day, launchSecond);
  // A number keeps its time zone from one try to the next.
  const zone = zoneOffset(compiled.scenario, streamFor(seed, LIST_STREAM, number, 0)());
  return { ...outcome, zoneOffsetSeconds: zone };
}

/**
 * Seconds from `launchSecond` until the number's calling window opens (0 when it is open, or
 * without calling windows).
 */
export function secondsUntilWindow(
  compiled: CompiledScenario,
  outcome: Pick<AttemptOutcome, 'zoneOffsetSeconds'>,
  launchSecond: number,
): number {
  const window = compiled.scenario.callingWindow;
  if (!window || withinCallingWindow(compiled, outcome, launchSecond)) return 0;
  const local = (((launchSecond + outcome.zoneOffsetSeconds) % 86_400) + 86_400) % 86_400;
  return (((secondsOfDay(window.start) - local) % 86_400) + 86_400) % 86_400;
}

/** Whether the calling window is open now in at least one of the zones (always without windows). */
export function anyCallingWindowOpen(compiled: CompiledScenario, second: number): boolean {
  const window = compiled.scenario.callingWindow;
  if (!window) return true;
  return window.zones.some((z) =>
    withinCallingWindow(compiled, { zoneOffsetSeconds: z.offsetHours * 3600 }, second),
  );
}

/** Whether the number may be dialed at `launchSecond` of the campaign's clock (its calling window). */
export function withinCallingWindow(
  compiled: CompiledScenario,
  outcome: Pick<AttemptOutcome, 'zoneOffsetSeconds'>,
  launchSecond: number,
): boolean {
  const window = compiled.scenario.callingWindow;
  if (!window) return true;
  const local = (((launchSecond + outcome.zoneOffsetSeconds) % 86_400) + 86_400) % 86_400;
  return local >= secondsOfDay(window.start) && local < secondsOfDay(window.end);
}

function drawOutcome(
  compiled: CompiledScenario,
  random: () => number,
  day: number,
  launchSecond: number,
): AttemptOutcome {
  const s = compiled.scenario;
  const uAnswer = random();
  const ringToAnswer = sample(s.answer.ringSeconds, random);
  const uMachine = random();
  const uAmd = random();
  const amdSeconds = sample(s.machine.amd.seconds, random);
  const humanTalk = sample(s.talkSeconds, random);
  const machineTalk = sample(s.machine.agentSeconds, random);
  const wrapUp = sample(s.wrapUpSeconds, random);
  const uEarly = random();
  const earlyEnd = sample(s.unanswered.earlyEndSeconds, random);
  // Drawn last, so that the earlier draws (and every strategy's people) are as before it existed.
  const patience = sample(s.answer.patienceSeconds, random);
  // Drawn after it for the same reason.
  const zoneOffsetSeconds = zoneOffset(s, random());

  const answered =
    uAnswer < answerProbabilityAt(compiled, launchSecond, day) && ringToAnswer < s.ringTimeoutSeconds;
  const party = uMachine < s.machine.share ? 'machine' : 'human';
  const amd = s.machine.amd;
  let verdict: 'human' | 'machine' = party;
  if (amd.enabled) {
    const correct = party === 'human' ? amd.humanAccuracy : amd.machineAccuracy;
    if (uAmd >= correct) verdict = party === 'human' ? 'machine' : 'human';
  } else {
    verdict = 'human';
  }
  const ringSeconds = answered
    ? ringToAnswer
    : uEarly < s.unanswered.earlyEndShare
      ? Math.min(earlyEnd, s.ringTimeoutSeconds)
      : s.ringTimeoutSeconds;
  return {
    ringSeconds,
    answered,
    ringToAnswerSeconds: ringToAnswer,
    party,
    verdict,
    amdSeconds: amd.enabled ? amdSeconds : 0,
    talkSeconds: party === 'human' ? humanTalk : machineTalk,
    wrapUpSeconds: party === 'human' ? wrapUp : Math.min(wrapUp, 5),
    patienceSeconds: party === 'human' ? patience : Number.POSITIVE_INFINITY,
    zoneOffsetSeconds,
  };
}

/** The time zone a uniform draw `u` falls in, by the zones' shares. */
function zoneOffset(s: Scenario, u: number): number {
  const zones = s.callingWindow?.zones;
  if (!zones) return 0;
  let total = 0;
  for (const zone of zones) total += zone.share;
  let below = 0;
  for (const zone of zones) {
    below += zone.share / total;
    if (u < below) return zone.offsetHours * 3600;
  }
  return (zones.at(-1)?.offsetHours ?? 0) * 3600;
}
