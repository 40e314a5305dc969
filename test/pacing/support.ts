import { createStatistics, type PacingStatistics, updateStatistics } from '../../engine/pacing/statistics.ts';
import type { BusyAgent, CallInFlight, LivePacingState, PacingConfig } from '../../engine/pacing/types.ts';

export const config: PacingConfig = {
  linesPerAgent: 1,
  maxLinesPerAgent: 3,
  targetAbandonRate: 0.025,
  minAnsweredForPredictive: 50,
  connectWithinSeconds: 2,
};

export interface TrainingPlan {
  /** Attempts to observe; every `1 / answerRate`-th one is answered. */
  readonly attempts: number;
  readonly answerRate: number;
  readonly ringSeconds?: number;
  readonly talkSeconds?: number;
  readonly wrapUpSeconds?: number;
}

/** Statistics learned from a fixed, regular sequence of observations (no randomness). */
export function trainedStatistics(
  plan: TrainingPlan,
  start: PacingStatistics = createStatistics(),
): PacingStatistics {
  let stats = start;
  let credit = 0;
  for (let i = 0; i < plan.attempts; i++) {
    credit += plan.answerRate;
    if (credit >= 1) {
      credit -= 1;
      // Ring times spread evenly over ±50 % around the mean.
      const ring = (plan.ringSeconds ?? 8) * (0.5 + ((i * 7) % 10) / 10);
      stats = updateStatistics(stats, { kind: 'answered', ringSeconds: ring, party: 'human' });
      const talk = (plan.talkSeconds ?? 120) * (0.5 + ((i * 3) % 10) / 10);
      stats = updateStatistics(stats, { kind: 'talk', seconds: talk });
      stats = updateStatistics(stats, { kind: 'wrap-up', seconds: plan.wrapUpSeconds ?? 20 });
    } else {
      stats = updateStatistics(stats, { kind: 'unanswered', seconds: 25 });
    }
  }
  return stats;
}

export function state(options: {
  ready?: number;
  reserved?: number;
  talking?: number[];
  wrapUp?: number[];
  ringing?: number[];
  waiting?: number;
}): LivePacingState {
  const busy: BusyAgent[] = [
    ...(options.talking ?? []).map((elapsedSeconds) => ({ phase: 'talking' as const, elapsedSeconds })),
    ...(options.wrapUp ?? []).map((elapsedSeconds) => ({ phase: 'wrap-up' as const, elapsedSeconds })),
  ];
  const calls: CallInFlight[] = [
    ...(options.ringing ?? []).map((elapsedSeconds) => ({ stage: 'ringing' as const, elapsedSeconds })),
    ...Array.from({ length: options.waiting ?? 0 }, () => ({ stage: 'waiting' as const, elapsedSeconds: 1 })),
  ];
  return {
    agentsReady: options.ready ?? 0,
    ...(options.reserved === undefined ? {} : { agentsReserved: options.reserved }),
    agentsBusy: busy,
    callsInFlight: calls,
  };
}

/** The same statistics with the abandonment controller's threshold pinned, to test the model alone. */
export function withThreshold(stats: PacingStatistics, threshold: number): PacingStatistics {
  return { ...stats, control: { ...stats.control, logThreshold: Math.log(threshold) } };
}
