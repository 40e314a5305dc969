import { predictiveLaunches } from './predictive.ts';
import { progressiveLaunches } from './progressive.ts';
import type { PacingStatistics } from './statistics.ts';
import type { PacingConfig, PacingDecision, PacingInput } from './types.ts';

export {
  createStatistics,
  type PacingObservation,
  type PacingStatistics,
  updateStatistics,
} from './statistics.ts';
export type {
  AbandonmentWindow,
  BusyAgent,
  CallInFlight,
  LivePacingState,
  PacingConfig,
  PacingDecision,
  PacingInput,
  PacingMode,
  PacingReason,
  PredictiveDetail,
} from './types.ts';

/** Ended talks needed (besides `minAnsweredForPredictive` routed answers) before predictive runs. */
export const MIN_TALKS_FOR_PREDICTIVE = 10;

/**
 * How many calls to launch now. Pure: the same input always gives the same decision, so the
 * runner and the simulator (engine/pacing-simulator) share it. Predictive falls back to
 * progressive while the statistics are too thin, and whenever the compliance gate says the
 * campaign is at its abandonment cap (`predictiveAllowed: false`).
 */
export function decideLaunches(input: PacingInput): PacingDecision {
  const { state, config } = input;
  const loggedIn = input.state.agentsReady + input.state.agentsBusy.length;
  if (loggedIn === 0) return { launch: 0, mode: input.mode, reason: 'no-agents' };

  const progressive = (reason: PacingDecision['reason']): PacingDecision => ({
    launch: progressiveLaunches(state, config.linesPerAgent),
    mode: 'progressive',
    reason,
  });
  if (input.mode === 'progressive') return progressive('progressive');
  if (!input.predictiveAllowed) return progressive('abandonment-cap');
  if (!hasEnoughStatistics(input.stats, config)) return progressive('insufficient-statistics');

  const lineCap = Math.max(0, Math.floor(config.maxLinesPerAgent * loggedIn) - state.callsInFlight.length);
  const result = predictiveLaunches(state, input.stats, config, input.abandonment, lineCap);
  return {
    launch: result.launch,
    mode: 'predictive',
    reason: result.launch === lineCap && lineCap > 0 ? 'line-cap' : 'predictive',
    detail: result.detail,
  };
}

export function hasEnoughStatistics(
  stats: PacingStatistics,
  config: Pick<PacingConfig, 'minAnsweredForPredictive'>,
): boolean {
  return (
    stats.totals.routed >= config.minAnsweredForPredictive &&
    stats.totals.talks >= MIN_TALKS_FOR_PREDICTIVE &&
    stats.attempts > 0
  );
}
