import { addSample, type DecayedHistogram, emptyHistogram } from './histogram.ts';

/**
 * What the runner tells the pacer after the fact. `party` is what the dialer believed: the AMD
 * verdict when detection runs, `human` when it does not (the call then goes to an agent), and
 * `undetermined` when the call was answered but ended while detection was still listening (an
 * answer all the same, routed to nobody; its moment of answer is unknown, so `ringSeconds` is
 * null and the ring-time law does not learn from it).
 */
export type PacingObservation =
  /** An attempt ended without being answered (no answer, busy, congestion, failure). */
  | { readonly kind: 'unanswered'; readonly seconds: number }
  /** An attempt was answered and classified `ringSeconds` after launch (after AMD when it runs). */
  | {
      readonly kind: 'answered';
      readonly ringSeconds: number | null;
      readonly party: 'human' | 'machine' | 'undetermined';
    }
  /** A call connected to an agent ended after `seconds` of talk. */
  | { readonly kind: 'talk'; readonly seconds: number }
  /** An agent finished tagging the outcome `seconds` after the call ended. */
  | { readonly kind: 'wrap-up'; readonly seconds: number }
  /** A person answered and no agent was free within connectWithinSeconds. */
  | { readonly kind: 'abandoned' };

/**
 * Learned statistics, a plain JSON value (persist it, log it, restart from it). Rates forget
 * quickly (a few hundred attempts) so a change in answer rate is seen within minutes on a large
 * team; duration distributions forget slowly because they barely move during a day.
 */
export interface PacingStatistics {
  readonly version: 1;
  readonly halfLives: StatisticsHalfLives;
  /** Decayed counts of ended attempts and of answered ones: p = answered / attempts. */
  readonly attempts: number;
  readonly answered: number;
  /** The same counts with a short memory, to catch a sudden rise in the answer rate (README §6). */
  readonly recentAttempts: number;
  readonly recentAnswered: number;
  /** Decayed counts of answers and of answers routed to an agent (human verdict). */
  readonly answers: number;
  readonly routed: number;
  /** Ring seconds before an answer; seconds an unanswered attempt occupied a line. */
  readonly ringToAnswer: DecayedHistogram;
  readonly unansweredDuration: DecayedHistogram;
  readonly talk: DecayedHistogram;
  readonly wrapUp: DecayedHistogram;
  /** The abandonment controller's state (README §4): an integrator on the log of the threshold. */
  readonly control: AbandonmentControl;
  /** Lifetime counts (never decayed): how much evidence the estimates rest on. */
  readonly totals: {
    readonly attempts: number;
    readonly answered: number;
    readonly routed: number;
    readonly talks: number;
    readonly wrapUps: number;
    readonly abandoned: number;
  };
}

export interface AbandonmentControl {
  /** The campaign's `pacing.targetAbandonRate`: the long-run share of routed answers it may abandon. */
  readonly target: number;
  /** ln of the marginal abandonment probability the predictive pacer launches under. */
  readonly logThreshold: number;
  /**
   * Routed answers and abandoned calls with a short memory (half-life RECENT_ABANDONMENT_HALF_LIFE
   * routed answers, about a small team's afternoon): the recent rate the day guard holds to the
   * target (README §4), so that a bad spell is paid back within the day, not over the month.
   */
  readonly recentRouted: number;
  readonly recentAbandoned: number;
}

/** Each routed answer raises ln(threshold) by STEP × target, each abandoned call lowers it by STEP. */
export const CONTROL_STEP = 0.07;
export const MIN_THRESHOLD = 0.001;
export const MAX_THRESHOLD = 0.5;
/** Where the threshold starts, as a multiple of the target (the model abandons about twice its threshold). */
export const INITIAL_THRESHOLD_PER_TARGET = 0.4;
/** Routed answers after which a routed answer's (and an abandon's) weight in the recent rate halves. */
export const RECENT_ABANDONMENT_HALF_LIFE = 700;

/** Half-lives counted in observations of each kind. */
export interface StatisticsHalfLives {
  /** Ended attempts, for the answer probability. */
  readonly answerRate: number;
  /** Ended attempts, for the short-memory answer probability that detects a rise. */
  readonly recentAnswerRate: number;
  /** Answers, for the routed share (AMD verdicts) and the ring-to-answer distribution. */
  readonly answers: number;
  /** Talk and wrap-up observations. */
  readonly durations: number;
}

export const defaultHalfLives: StatisticsHalfLives = {
  answerRate: 400,
  recentAnswerRate: 80,
  answers: 300,
  durations: 800,
};

export interface StatisticsOptions {
  /** The campaign's `pacing.targetAbandonRate` (default 0.025). */
  readonly targetAbandonRate?: number;
  readonly halfLives?: Partial<StatisticsHalfLives>;
}

export function createStatistics(options: StatisticsOptions = {}): PacingStatistics {
  const target = options.targetAbandonRate ?? 0.025;
  return {
    version: 1,
    halfLives: { ...defaultHalfLives, ...options.halfLives },
    attempts: 0,
    answered: 0,
    recentAttempts: 0,
    recentAnswered: 0,
    answers: 0,
    routed: 0,
    ringToAnswer: emptyHistogram(1, 60),
    unansweredDuration: emptyHistogram(1, 60),
    talk: emptyHistogram(5, 1800),
    wrapUp: emptyHistogram(1, 300),
    control: {
      target,
      logThreshold: Math.log(clampThreshold(target * INITIAL_THRESHOLD_PER_TARGET)),
      recentRouted: 0,
      recentAbandoned: 0,
    },
    totals: { attempts: 0, answered: 0, routed: 0, talks: 0, wrapUps: 0, abandoned: 0 },
  };
}

const keeps = new Map<number, number>();

/** Weight kept per observation so that an observation's weight halves after `halfLife` more. */
function keepFor(halfLife: number): number {
  let keep = keeps.get(halfLife);
  if (keep === undefined) {
    keep = halfLife > 0 ? 2 ** (-1 / halfLife) : 0;
    keeps.set(halfLife, keep);
  }
  return keep;
}

type Changes = { -readonly [K in keyof PacingStatistics]?: PacingStatistics[K] };
type Totals = PacingStatistics['totals'];

// Every field spelled out, so each snapshot has the same shape (object spread is slower here,
// and updateStatistics runs for every event of every call).
function withChanges(s: PacingStatistics, c: Changes): PacingStatistics {
  return {
    version: 1,
    halfLives: s.halfLives,
    attempts: c.attempts ?? s.attempts,
    answered: c.answered ?? s.answered,
    recentAttempts: c.recentAttempts ?? s.recentAttempts,
    recentAnswered: c.recentAnswered ?? s.recentAnswered,
    answers: c.answers ?? s.answers,
    routed: c.routed ?? s.routed,
    ringToAnswer: c.ringToAnswer ?? s.ringToAnswer,
    unansweredDuration: c.unansweredDuration ?? s.unansweredDuration,
    talk: c.talk ?? s.talk,
    wrapUp: c.wrapUp ?? s.wrapUp,
    control: c.control ?? s.control,
    totals: c.totals ?? s.totals,
  };
}

function withTotals(t: Totals, c: { -readonly [K in keyof Totals]?: number }): Totals {
  return {
    attempts: c.attempts ?? t.attempts,
    answered: c.answered ?? t.answered,
    routed: c.routed ?? t.routed,
    talks: c.talks ?? t.talks,
    wrapUps: c.wrapUps ?? t.wrapUps,
    abandoned: c.abandoned ?? t.abandoned,
  };
}

/** Pure: the statistics after one more observation. */
export function updateStatistics(stats: PacingStatistics, observation: PacingObservation): PacingStatistics {
  const t = stats.totals;
  switch (observation.kind) {
    case 'unanswered': {
      const keep = keepFor(stats.halfLives.answerRate);
      const keepRecent = keepFor(stats.halfLives.recentAnswerRate);
      return withChanges(stats, {
        attempts: stats.attempts * keep + 1,
        answered: stats.answered * keep,
        recentAttempts: stats.recentAttempts * keepRecent + 1,
        recentAnswered: stats.recentAnswered * keepRecent,
        unansweredDuration: addSample(
          stats.unansweredDuration,
          observation.seconds,
          keepFor(stats.halfLives.answers),
        ),
        totals: withTotals(t, { attempts: t.attempts + 1 }),
      });
    }
    case 'answered': {
      const keep = keepFor(stats.halfLives.answerRate);
      const keepRecent = keepFor(stats.halfLives.recentAnswerRate);
      const keepAnswers = keepFor(stats.halfLives.answers);
      const routed = observation.party === 'human' ? 1 : 0;
      return withChanges(stats, {
        attempts: stats.attempts * keep + 1,
        answered: stats.answered * keep + 1,
        recentAttempts: stats.recentAttempts * keepRecent + 1,
        recentAnswered: stats.recentAnswered * keepRecent + 1,
        answers: stats.answers * keepAnswers + 1,
        routed: stats.routed * keepAnswers + routed,
        ringToAnswer:
          observation.ringSeconds === null
            ? stats.ringToAnswer
            : addSample(stats.ringToAnswer, observation.ringSeconds, keepAnswers),
        control: routed === 1 ? routedAnswer(stats.control) : stats.control,
        totals: withTotals(t, {
          attempts: t.attempts + 1,
          answered: t.answered + 1,
          routed: t.routed + routed,
        }),
      });
    }
    case 'talk':
      return withChanges(stats, {
        talk: addSample(stats.talk, observation.seconds, keepFor(stats.halfLives.durations)),
        totals: withTotals(t, { talks: t.talks + 1 }),
      });
    case 'wrap-up':
      return withChanges(stats, {
        wrapUp: addSample(stats.wrapUp, observation.seconds, keepFor(stats.halfLives.durations)),
        totals: withTotals(t, { wrapUps: t.wrapUps + 1 }),
      });
    case 'abandoned':
      // The routed answer was counted when it was answered; this only marks it abandoned.
      return withChanges(stats, {
        control: abandonedCall(stats.control),
        totals: withTotals(t, { abandoned: t.abandoned + 1 }),
      });
  }
}

function clampThreshold(threshold: number): number {
  return Math.min(MAX_THRESHOLD, Math.max(MIN_THRESHOLD, threshold));
}

/** Integral control with anti-windup: the threshold stays within [MIN_THRESHOLD, MAX_THRESHOLD]. */
function adjusted(logThreshold: number, step: number): number {
  return Math.min(Math.log(MAX_THRESHOLD), Math.max(Math.log(MIN_THRESHOLD), logThreshold + step));
}

function routedAnswer(control: AbandonmentControl): AbandonmentControl {
  const keep = keepFor(RECENT_ABANDONMENT_HALF_LIFE);
  return {
    target: control.target,
    logThreshold: adjusted(control.logThreshold, CONTROL_STEP * control.target),
    recentRouted: control.recentRouted * keep + 1,
    recentAbandoned: control.recentAbandoned * keep,
  };
}

/** The abandoned call was counted as routed when it was answered: only the abandon is added. */
function abandonedCall(control: AbandonmentControl): AbandonmentControl {
  return {
    target: control.target,
    logThreshold: adjusted(control.logThreshold, -CONTROL_STEP),
    recentRouted: control.recentRouted,
    recentAbandoned: control.recentAbandoned + 1,
  };
}

/** The recent abandonment rate (abandoned / routed, short memory), 0 before any routed answer. */
export function recentAbandonRate(control: AbandonmentControl): number {
  return control.recentRouted > 0 ? control.recentAbandoned / control.recentRouted : 0;
}

/** Standard errors by which the short-memory estimate must exceed the long one to take over. */
const RISE_EVIDENCE = 2;

/**
 * Estimated probability that an attempt is answered (by anyone): the long-memory estimate, unless
 * the short-memory one is significantly higher. A rise is the dangerous direction (more answers
 * than agents), so it is believed at once; a fall (agents wait) is followed at the slower pace
 * that keeps the estimate steady.
 */
export function answerProbability(stats: PacingStatistics): number {
  const p = stats.attempts > 0 ? stats.answered / stats.attempts : 0;
  const n = stats.recentAttempts;
  if (n <= 0) return p;
  const recent = stats.recentAnswered / n;
  const standardError = Math.sqrt(Math.max(p * (1 - p), 1e-4) / n);
  return recent > p + RISE_EVIDENCE * standardError ? recent : p;
}

/** Estimated share of answers the dialer routes to an agent (its human verdicts). */
export function routedShare(stats: PacingStatistics): number {
  return stats.answers > 0 ? stats.routed / stats.answers : 1;
}
