import { cdfTable, tableCdf as importedTableCdf, tableQuantile } from './histogram.ts';
import { normalCdf } from './normal.ts';
import { availableAgents } from './progressive.ts';
import {
  answerProbability,
  MAX_THRESHOLD,
  MIN_THRESHOLD,
  type PacingStatistics,
  recentAbandonRate,
  routedShare,
} from './statistics.ts';
import type { AbandonmentWindow, LivePacingState, PacingConfig, PredictiveDetail } from './types.ts';

// Bound once: under a CommonJS-style loader (tsx) every use of an imported name is a getter call,
// which costs more than the function itself in this hot loop.
const tableCdf = importedTableCdf;

/** Where on the ring-to-answer distribution a new call's answer time is evaluated (README §3). */
const ANSWER_TIME_LEVELS = [0.2, 0.5, 0.8] as const;
/** A window must hold this many expected abandons before its rate tightens the threshold. */
const WINDOW_MIN_EXPECTED = 5;
/** The recent rate (statistics `control`) must rest on this many expected abandons to tighten it. */
const RECENT_MIN_EXPECTED = 3;
/** How hard a recent rate over the target tightens the threshold: τ × (target / recent)^k. */
const RECENT_EXPONENT = 4;
/** Slices of the horizon over which the wrap-up time of a talking agent is integrated. */
const WRAP_UP_SLICES = 2;
/** A busy agent less likely than this to be free by the longest horizon is left out. */
const NEGLIGIBLE = 1e-4;

const scratch = {
  answerAt: new Float64Array(ANSWER_TIME_LEVELS.length),
  supplyMean: new Float64Array(ANSWER_TIME_LEVELS.length),
  supplyVar: new Float64Array(ANSWER_TIME_LEVELS.length),
  demandMean: new Float64Array(ANSWER_TIME_LEVELS.length),
  demandVar: new Float64Array(ANSWER_TIME_LEVELS.length),
  newCallAnswer: new Float64Array(ANSWER_TIME_LEVELS.length),
  wrapMass: new Float64Array(ANSWER_TIME_LEVELS.length * WRAP_UP_SLICES),
};

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
  const talkTable = cdfTable(stats.talk);
  const wrapTable = cdfTable(stats.wrapUp);
  const ringTable = cdfTable(stats.ringToAnswer);
  const unansweredTable = cdfTable(stats.unansweredDuration);
  const meanTalk = Math.max(1, talkTable.mean);

  const levels = ANSWER_TIME_LEVELS.length;
  // Scratch space reused by every call (a decision is synchronous and keeps no reference to it).
  const { answerAt, supplyMean, supplyVar, demandMean, demandVar, newCallAnswer, wrapMass } = scratch;
  supplyMean.fill(ready);
  supplyVar.fill(0);
  demandMean.fill(0);
  demandVar.fill(0);
  // Wrap-up mass per quarter of each horizon, shared by every talking agent.
  const slices = WRAP_UP_SLICES;
  const hasWrapUp = stats.wrapUp.total > 0;
  for (let k = 0; k < levels; k++) {
    const level = ANSWER_TIME_LEVELS[k] ?? 0.5;
    answerAt[k] = tableQuantile(ringTable, level);
    newCallAnswer[k] = routedProbability * level;
    const horizon = (answerAt[k] ?? 0) + grace;
    let previous = 0;
    for (let j = 1; j <= slices; j++) {
      const c = hasWrapUp ? tableCdf(wrapTable, (horizon * j) / slices) : 1;
      wrapMass[k * slices + j - 1] = c - previous;
      previous = c;
    }
  }

  const longestHorizon = (answerAt[levels - 1] ?? 0) + grace;
  let wrapWithinLongest = 0;
  for (let j = 0; j < slices; j++) wrapWithinLongest += wrapMass[(levels - 1) * slices + j] ?? 0;

  for (const agent of state.agentsBusy) {
    const elapsed = agent.elapsedSeconds;
    if (agent.readyInSeconds !== undefined) {
      // Known for certain (the simulator's foresight reference): free by a horizon or not.
      for (let k = 0; k < levels; k++) {
        if (agent.readyInSeconds <= (answerAt[k] ?? 0) + grace) supplyMean[k] = (supplyMean[k] ?? 0) + 1;
      }
      continue;
    }
    if (agent.phase === 'wrap-up') {
      const done = hasWrapUp ? tableCdf(wrapTable, elapsed) : 1;
      const left = 1 - done;
      for (let k = 0; k < levels; k++) {
        const horizon = (answerAt[k] ?? 0) + grace;
        const free =
          !hasWrapUp || left <= 1e-6
            ? 1 - Math.exp(-horizon / 10)
            : clamp01((tableCdf(wrapTable, elapsed + horizon) - done) / left);
        supplyMean[k] = (supplyMean[k] ?? 0) + free;
        supplyVar[k] = (supplyVar[k] ?? 0) + free * (1 - free);
      }
      continue;
    }
    // Talking: P(talk and wrap-up both end within the horizon | talking for `elapsed` s).
    const talkDone = tableCdf(talkTable, elapsed);
    const talkLeft = 1 - talkDone;
    // Most talking agents cannot be free that soon: skip them on an upper bound.
    const talkEndsSoon =
      talkLeft <= 1e-6 ? 1 : (tableCdf(talkTable, elapsed + longestHorizon) - talkDone) / talkLeft;
    if (talkEndsSoon * wrapWithinLongest < NEGLIGIBLE) continue;
    for (let k = 0; k < levels; k++) {
      const horizon = (answerAt[k] ?? 0) + grace;
      let free = 0;
      for (let j = 0; j < slices; j++) {
        const mass = wrapMass[k * slices + j] ?? 0;
        if (mass <= 0) continue;
        const y = horizon - (horizon * (j + 0.5)) / slices;
        // Past everything observed: assume a memoryless tail with the mean talk time.
        const ends =
          talkLeft <= 1e-6
            ? 1 - Math.exp(-y / meanTalk)
            : (tableCdf(talkTable, elapsed + y) - talkDone) / talkLeft;
        free += mass * ends;
      }
      free = clamp01(free);
      supplyMean[k] = (supplyMean[k] ?? 0) + free;
      supplyVar[k] = (supplyVar[k] ?? 0) + free * (1 - free);
    }
  }

  for (const call of state.callsInFlight) {
    if (call.stage !== 'ringing') {
      const q = call.stage === 'waiting' ? 1 : share;
      for (let k = 0; k < levels; k++) {
        demandMean[k] = (demandMean[k] ?? 0) + q;
        demandVar[k] = (demandVar[k] ?? 0) + q * (1 - q);
      }
      continue;
    }
    // P(answered within the horizon | still ringing after `elapsed` s), from both duration laws.
    const elapsed = call.elapsedSeconds;
    const answeredBy = tableCdf(ringTable, elapsed);
    const alive = p * (1 - answeredBy) + (1 - p) * (1 - tableCdf(unansweredTable, elapsed));
    if (alive <= 1e-9) continue;
    for (let k = 0; k < levels; k++) {
      const gain = p * (tableCdf(ringTable, elapsed + (answerAt[k] ?? 0)) - answeredBy);
      const q = share * clamp01(gain / alive);
      demandMean[k] = (demandMean[k] ?? 0) + q;
      demandVar[k] = (demandVar[k] ?? 0) + q * (1 - q);
    }
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
  const median = Math.floor(ANSWER_TIME_LEVELS.length / 2);
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
 * The marginal threshold: the controller's integrator (statistics `control`), tightened when the
 * regulatory window itself is over the target, so a bad day already on record is paid back.
 */
export function marginalThreshold(
  stats: PacingStatistics,
  target: number,
  abandonment: AbandonmentWindow,
): number {
  let threshold = Math.exp(stats.control.logThreshold);
  const recent = recentAbandonRate(stats.control);
  if (recent > target && target * stats.control.recentRouted >= RECENT_MIN_EXPECTED) {
    threshold *= (target / recent) ** RECENT_EXPONENT;
  }
  if (abandonment.humanAnswered > 0) {
    const windowRate = abandonment.abandoned / abandonment.humanAnswered;
    // Only a window with enough calls to mean something overrides the integrator.
    if (windowRate > target && target * abandonment.humanAnswered >= WINDOW_MIN_EXPECTED) {
      threshold *= (target / windowRate) ** 4;
    }
  }
  return Math.min(MAX_THRESHOLD, Math.max(MIN_THRESHOLD, threshold));
}

function clamp01(x: number): number {
  return Math.max(0, Math.min(x, 1));
}
