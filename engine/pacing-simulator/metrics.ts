import { type AbandonmentDefinition, abandonmentWindowDays } from '../compliance/abandonment.ts';
/** Counters one strategy accumulates over one simulated day. */
export interface DayMetrics {
  attempts: number;
  /** True persons who answered (whatever happened next). */
  humanAnswered: number;
  /** Persons connected to an agent. */
  humanConnects: number;
  /** Persons routed to an agent who found none within connectWithinSeconds. */
  abandoned: number;
  /** Persons hung up on because AMD took them for a machine. */
  amdHangups: number;
  /** Machines AMD passed to an agent. */
  machineConnects: number;
  /** Answered calls AMD judged machines (persons among them included): what the dialer counts. */
  machineVerdicts: number;
  /** Persons who hung up in silence before an agent took them (during AMD, or while waiting within the grace). */
  silentHangups: number;
  /** What the dialer itself sees (the abandonment rate its gate and pacer use): routed answers. */
  routed: number;
  routedAbandoned: number;
  loggedInSeconds: number;
  talkSeconds: number;
  wrapUpSeconds: number;
  /** Idle seconds that ended with a call, and how many calls ended them. */
  waitSeconds: number;
  waitsEnded: number;
  /** Seconds from the first shift start to the last shift end (the dialing day). */
  dialingSeconds: number;
  /** Agent seconds in unannounced pauses (logged in, neither ready nor busy). */
  pausedSeconds: number;
  /** Calls the strategy wanted that the trunk refused (calls per second, channels). */
  trunkRefused: number;
  /** Numbers passed over because they were outside their own calling window then. */
  passedOver: number;
  /** Seconds in which the strategy wanted a call and the list had no number to dial. */
  listEmptySeconds: number;
}

export function emptyDay(): DayMetrics {
  return {
    attempts: 0,
    humanAnswered: 0,
    humanConnects: 0,
    abandoned: 0,
    amdHangups: 0,
    machineConnects: 0,
    machineVerdicts: 0,
    silentHangups: 0,
    routed: 0,
    routedAbandoned: 0,
    loggedInSeconds: 0,
    talkSeconds: 0,
    wrapUpSeconds: 0,
    waitSeconds: 0,
    waitsEnded: 0,
    dialingSeconds: 0,
    pausedSeconds: 0,
    trunkRefused: 0,
    passedOver: 0,
    listEmptySeconds: 0,
  };
}

/** Per time bucket across the whole run (bucket i covers dialing seconds [i·size, (i+1)·size) of the run). */
export interface TimeSeries {
  readonly bucketSeconds: number;
  /** Busy agent-seconds and logged-in agent-seconds, sampled once a second. */
  readonly busy: number[];
  readonly loggedIn: number[];
  /** Sum over the bucket's seconds of the calls in flight. */
  readonly lines: number[];
  readonly samples: number[];
  readonly humanAnswered: number[];
  readonly abandoned: number[];
}

export function emptySeries(bucketSeconds: number): TimeSeries {
  return { bucketSeconds, busy: [], loggedIn: [], lines: [], samples: [], humanAnswered: [], abandoned: [] };
}

export function addTo(series: number[], index: number, value: number): void {
  while (series.length <= index) series.push(0);
  series[index] = (series[index] ?? 0) + value;
}

export interface StrategySummary {
  readonly occupancy: number;
  /** As the scenario's abandonment definition counts, from the true counts (over every person who answered). */
  readonly abandonRate: number;
  readonly maxDailyAbandonRate: number;
  /** The worst window of the definition's length (30 days, or 24 h = a day) ending on a simulated day. */
  readonly maxRollingAbandonRate: number;
  /** What the dialer itself saw: abandoned / routed answers (its gate counts by the definition's estimate). */
  readonly dialerAbandonRate: number;
  /** Persons who hung up in silence before reaching an agent (not abandoned) / persons who answered. */
  readonly silentHangupRate: number;
  readonly connectsPerAgentHour: number;
  readonly meanAgentWaitSeconds: number;
  readonly callsPerHour: number;
  readonly amdHangupRate: number;
  readonly meanLinesInFlight: number;
  readonly attempts: number;
  readonly humanAnswered: number;
  readonly humanConnects: number;
  readonly abandoned: number;
}

const rate = (num: number, den: number): number => (den > 0 ? num / den : 0);

/**
 * The regulator's count for a day (or a window): the persons the dialer abandoned, plus, where the
 * definition says so (Ofcom), the persons AMD hung up on — the simulator knows them, where the
 * dialer only estimates them — over every person who answered.
 */
export function regulatoryAbandoned(
  d: Pick<DayMetrics, 'abandoned' | 'amdHangups'>,
  definition: Pick<AbandonmentDefinition, 'amdFalsePositives'>,
): number {
  return d.abandoned + (definition.amdFalsePositives === 'abandoned' ? d.amdHangups : 0);
}

/** Rolling windows end on each simulated day and span the definition's days (fewer at the start). */
export function summarize(
  days: readonly DayMetrics[],
  series: TimeSeries,
  definition: Pick<AbandonmentDefinition, 'amdFalsePositives' | 'window'> = {
    amdFalsePositives: 'answered',
    window: '30d',
  },
): StrategySummary {
  const windowDays = abandonmentWindowDays(definition);
  const total = emptyDay();
  for (const d of days) {
    for (const key of Object.keys(total) as (keyof DayMetrics)[]) total[key] += d[key];
  }
  let maxDaily = 0;
  let maxRolling = 0;
  for (let i = 0; i < days.length; i++) {
    const d = days[i] as DayMetrics;
    maxDaily = Math.max(maxDaily, rate(regulatoryAbandoned(d, definition), d.humanAnswered));
    let abandoned = 0;
    let answered = 0;
    for (let j = Math.max(0, i - windowDays + 1); j <= i; j++) {
      abandoned += regulatoryAbandoned(days[j] as DayMetrics, definition);
      answered += (days[j] as DayMetrics).humanAnswered;
    }
    maxRolling = Math.max(maxRolling, rate(abandoned, answered));
  }
  const lines = series.lines.reduce((a, b) => a + b, 0);
  const samples = series.samples.reduce((a, b) => a + b, 0);
  return {
    occupancy: rate(total.talkSeconds + total.wrapUpSeconds, total.loggedInSeconds),
    abandonRate: rate(regulatoryAbandoned(total, definition), total.humanAnswered),
    maxDailyAbandonRate: maxDaily,
    maxRollingAbandonRate: maxRolling,
    dialerAbandonRate: rate(total.routedAbandoned, total.routed),
    silentHangupRate: rate(total.silentHangups, total.humanAnswered),
    connectsPerAgentHour: rate(total.humanConnects, total.loggedInSeconds / 3600),
    meanAgentWaitSeconds: rate(total.waitSeconds, total.waitsEnded),
    callsPerHour: rate(total.attempts, total.dialingSeconds / 3600),
    amdHangupRate: rate(total.amdHangups, total.humanAnswered),
    meanLinesInFlight: rate(lines, samples),
    attempts: total.attempts,
    humanAnswered: total.humanAnswered,
    humanConnects: total.humanConnects,
    abandoned: total.abandoned,
  };
}
