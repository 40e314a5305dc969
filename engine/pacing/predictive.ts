import { cdf, mean, quantile } from './histogram.ts';
import { normalCdf } from './normal.ts';
import { availableAgents } from './progressive.ts';
import { answerProbability, type PacingStatistics, routedShare } from './statistics.ts';
import type { AbandonmentWindow, LivePacingState, PacingConfig, PredictiveDetail } from './types.ts';

/** Where on the ring-to-answer distribution a new call's answer time is evaluated (README §3). */
const ANSWER_TIME_LEVELS = [0.2, 0.5, 0.8] as const;
/** Marginal abandonment threshold when the controller has no evidence yet, as a multiple of the target. */
const THRESHOLD_PER_TARGET = 4;
/** How strongly the slack of the abandonment budget moves the threshold (log scale). */
const CONTROL_GAIN = 3;
/** Slack is measured against at least this many expected abandons, so a few early calls do not swing it. */
const CONTROL_MIN_SCALE = 5;
const MIN_THRESHOLD = 0.002;
const MAX_THRESHOLD = 0.5;

export interface PredictiveResult {
  readonly launch: number;
  readonly detail: PredictiveDetail;
}

/**
 * Predictive pacing: the largest n such that the n-th new call, if a person answers it, would
 * find no agent free with probability at most the controller's threshold. Supply (agents free by
 * the answer time) and demand (routed answers from calls already in flight and from the other new
 * calls) are sums of independent Bernoulli variables, approximated as normal (README §3).
 */
export function predictiveLaunches(
  state: LivePacingState,
  stats: PacingStatistics,
  config: PacingConfig,
  abandonment: AbandonmentWindow,
  lineCap: number,
): PredictiveResult {
  const p = answerProbability(stats);
  const share = routedShare(stats);
  const routedProbability = p * share;
  const grace = config.connectWithinSeconds ?? 2;
  const threshold = marginalThreshold(stats, config.targetAbandonRate, abandonment);
  const ready = availableAgents(state);
  const meanTalk = Math.max(1, mean(stats.talk));

  const levels = ANSWER_TIME_LEVELS.length;
  const supplyMean = new Float64Array(levels);
  const supplyVar = new Float64Array(levels);
  const demandMean = new Float64Array(levels);
  const demandVar = new Float64Array(levels);
  const newCallAnswer = new Float64Array(levels);

  for (let k = 0; k < levels; k++) {
    const level = ANSWER_TIME_LEVELS[k] ?? 0.5;
    const answerAt = quantile(stats.ringToAnswer, level);
    const horizon = answerAt + grace;
    let sMean = ready;
    let sVar = 0;
    for (const agent of state.agentsBusy) {
      const free =
        agent.phase === 'wrap-up'
          ? wrapUpEndsWithin(stats, agent.elapsedSeconds, horizon)
          : talkAndWrapUpEndWithin(stats, agent.elapsedSeconds, horizon, meanTalk);
      sMean += free;
      sVar += free * (1 - free);
    }
    let dMean = 0;
    let dVar = 0;
    for (const call of state.callsInFlight) {
      const q =
        call.stage === 'waiting'
          ? 1
          : call.stage === 'classifying'
            ? share
            : share * answerWithin(stats, p, call.elapsedSeconds, answerAt);
      dMean += q;
      dVar += q * (1 - q);
    }
    supplyMean[k] = sMean;
    supplyVar[k] = sVar;
    demandMean[k] = dMean;
    demandVar[k] = dVar;
    newCallAnswer[k] = routedProbability * level;
  }

  // P(abandon) of the n-th call grows with n: launch while it stays under the threshold.
  let launch = 0;
  let marginal = 0;
  while (launch < lineCap) {
    const next = abandonProbability(launch, supplyMean, supplyVar, demandMean, demandVar, newCallAnswer);
    if (next > threshold) break;
    marginal = next;
    launch++;
  }
  const median = 1;
  return {
    launch,
    detail: {
      routedAnswerProbability: routedProbability,
      expectedFreeAgents: supplyMean[median] ?? 0,
      expectedAnswersInFlight: demandMean[median] ?? 0,
      threshold,
      marginalAbandonProbability: marginal,
    },
  };
}

/** P(no agent free) for a new call launched after `others` new calls, averaged over its answer time. */
function abandonProbability(
  others: number,
  supplyMean: Float64Array,
  supplyVar: Float64Array,
  demandMean: Float64Array,
  demandVar: Float64Array,
  newCallAnswer: Float64Array,
): number {
  let sum = 0;
  const levels = supplyMean.length;
  for (let k = 0; k < levels; k++) {
    const r = newCallAnswer[k] ?? 0;
    // Abandoned when the answers ahead of it reach the agents that are free by then.
    const gap = (demandMean[k] ?? 0) + others * r - (supplyMean[k] ?? 0);
    const variance = (demandVar[k] ?? 0) + (supplyVar[k] ?? 0) + others * r * (1 - r);
    const z = gap + 0.5;
    sum += variance > 1e-12 ? normalCdf(z / Math.sqrt(variance)) : z > 0 ? 1 : z === 0 ? 0.5 : 0;
  }
  return sum / levels;
}

/**
 * The abandonment controller: a marginal threshold that rises while the decayed budget
 * (target × routed − abandoned) has slack and falls when it is overspent, with a guard on the
 * regulatory window itself. It is an integral controller whose memory lives in the statistics.
 */
export function marginalThreshold(
  stats: PacingStatistics,
  target: number,
  abandonment: AbandonmentWindow,
): number {
  const expected = target * stats.control.routed;
  const slack = (expected - stats.control.abandoned) / Math.max(expected, CONTROL_MIN_SCALE);
  let threshold = target * THRESHOLD_PER_TARGET * Math.exp(CONTROL_GAIN * Math.max(-3, Math.min(1, slack)));
  if (abandonment.humanAnswered > 0) {
    const windowRate = abandonment.abandoned / abandonment.humanAnswered;
    const windowExpected = target * abandonment.humanAnswered;
    // Only a window with enough calls to mean something overrides the fast controller.
    if (windowRate > target && windowExpected >= CONTROL_MIN_SCALE) {
      threshold *= (target / windowRate) ** 4;
    }
  }
  return Math.min(MAX_THRESHOLD, Math.max(MIN_THRESHOLD, threshold));
}

/** P(a call ringing for `elapsed` s is answered within `horizon` more seconds | still ringing). */
function answerWithin(stats: PacingStatistics, p: number, elapsed: number, horizon: number): number {
  const answeredBy = cdf(stats.ringToAnswer, elapsed);
  const alive = p * (1 - answeredBy) + (1 - p) * (1 - cdf(stats.unansweredDuration, elapsed));
  if (alive <= 1e-9) return 0;
  const gain = p * (cdf(stats.ringToAnswer, elapsed + horizon) - answeredBy);
  return Math.min(1, Math.max(0, gain / alive));
}

function wrapUpEndsWithin(stats: PacingStatistics, elapsed: number, horizon: number): number {
  if (stats.wrapUp.total <= 0) return 1;
  const done = cdf(stats.wrapUp, elapsed);
  const left = 1 - done;
  if (left <= 1e-6) return 1 - Math.exp(-horizon / 10);
  return Math.min(1, Math.max(0, (cdf(stats.wrapUp, elapsed + horizon) - done) / left));
}

/**
 * P(talk ends and wrap-up ends within `horizon` | talking for `elapsed` s): the wrap-up time is
 * integrated over four slices of [0, horizon], enough at a horizon of a few seconds.
 */
function talkAndWrapUpEndWithin(
  stats: PacingStatistics,
  elapsed: number,
  horizon: number,
  meanTalk: number,
): number {
  const talkDone = cdf(stats.talk, elapsed);
  const talkLeft = 1 - talkDone;
  const endsWithin = (y: number): number => {
    if (y <= 0) return 0;
    // Past everything observed: assume a memoryless tail with the mean talk time.
    if (talkLeft <= 1e-6) return 1 - Math.exp(-y / meanTalk);
    return Math.max(0, (cdf(stats.talk, elapsed + y) - talkDone) / talkLeft);
  };
  if (stats.wrapUp.total <= 0) return endsWithin(horizon);
  const slices = 4;
  let sum = 0;
  let previous = 0;
  for (let j = 1; j <= slices; j++) {
    const w = (horizon * j) / slices;
    const wrapCdf = cdf(stats.wrapUp, w);
    sum += (wrapCdf - previous) * endsWithin(horizon - (horizon * (j - 0.5)) / slices);
    previous = wrapCdf;
  }
  return Math.min(1, sum);
}
