import { describe, expect, it } from 'vitest';
import { decideLaunches } from '../../engine/pacing/pacer.ts';
import { progressiveLaunches } from '../../engine/pacing/progressive.ts';
import { createStatistics, type PacingStatistics } from '../../engine/pacing/statistics.ts';
import type { LivePacingState, PacingConfig } from '../../engine/pacing/types.ts';
import { config, state, trainedStatistics, withThreshold } from './support.ts';

const noAbandonment = { abandoned: 0, humanAnswered: 0 };

function predictive(s: LivePacingState, stats: PacingStatistics, overrides: Partial<PacingConfig> = {}) {
  return decideLaunches({
    mode: 'predictive',
    state: s,
    stats,
    config: { ...config, ...overrides },
    abandonment: noAbandonment,
    predictiveAllowed: true,
  });
}

const lowAnswer = withThreshold(trainedStatistics({ attempts: 3000, answerRate: 0.1 }), 0.01);
const highAnswer = withThreshold(trainedStatistics({ attempts: 3000, answerRate: 0.5 }), 0.01);

describe('progressive pacing', () => {
  it('keeps linesPerAgent calls in flight for each ready agent', () => {
    expect(progressiveLaunches(state({ ready: 4 }), 1)).toBe(4);
    expect(progressiveLaunches(state({ ready: 4, ringing: [3, 5] }), 1)).toBe(2);
    expect(progressiveLaunches(state({ ready: 3 }), 1.5)).toBe(4);
    expect(progressiveLaunches(state({ ready: 2 }), 3)).toBe(6);
  });

  it('never launches a negative number of calls, and leaves reserved agents out', () => {
    expect(progressiveLaunches(state({ ready: 1, ringing: [1, 2, 3] }), 1)).toBe(0);
    expect(progressiveLaunches(state({ ready: 3, reserved: 2 }), 2)).toBe(2);
    expect(progressiveLaunches(state({ talking: [10, 20] }), 3)).toBe(0);
  });

  it('is what decideLaunches does in progressive mode', () => {
    const decision = decideLaunches({
      mode: 'progressive',
      state: state({ ready: 5, ringing: [1] }),
      stats: lowAnswer,
      config: { ...config, linesPerAgent: 2 },
      abandonment: noAbandonment,
      predictiveAllowed: true,
    });
    expect(decision).toEqual({ launch: 9, mode: 'progressive', reason: 'progressive' });
  });
});

describe('predictive pacing: fallback rules', () => {
  it('runs progressive until enough person-answered calls have been observed', () => {
    const thin = trainedStatistics({ attempts: 200, answerRate: 0.2 });
    expect(thin.totals.routed).toBe(40);
    const decision = predictive(state({ ready: 3 }), thin);
    expect(decision).toEqual({ launch: 3, mode: 'progressive', reason: 'insufficient-statistics' });
    expect(predictive(state({ ready: 3 }), thin, { minAnsweredForPredictive: 40 }).mode).toBe('predictive');
  });

  it('runs progressive with fresh statistics', () => {
    expect(predictive(state({ ready: 2 }), createStatistics()).reason).toBe('insufficient-statistics');
  });

  it('runs progressive when the compliance gate says the campaign is at its abandonment cap', () => {
    const decision = decideLaunches({
      mode: 'predictive',
      state: state({ ready: 4, ringing: [2] }),
      stats: lowAnswer,
      config,
      abandonment: { abandoned: 31, humanAnswered: 1000 },
      predictiveAllowed: false,
    });
    expect(decision).toEqual({ launch: 3, mode: 'progressive', reason: 'abandonment-cap' });
  });

  it('launches nothing when no agent is logged in', () => {
    expect(predictive(state({ ringing: [3] }), lowAnswer)).toMatchObject({ launch: 0, reason: 'no-agents' });
  });
});

describe('predictive pacing: decisions', () => {
  it('dials one call for a lone ready agent when every call is answered', () => {
    const always = trainedStatistics({ attempts: 200, answerRate: 1 });
    expect(predictive(state({ ready: 1 }), always)).toMatchObject({ launch: 1, mode: 'predictive' });
  });

  it('dials several lines per ready agent when few calls are answered', () => {
    const decision = predictive(state({ ready: 10 }), lowAnswer);
    expect(decision.mode).toBe('predictive');
    expect(decision.launch).toBeGreaterThan(10);
    expect(decision.launch).toBeLessThanOrEqual(30);
    expect(decision.detail?.routedAnswerProbability).toBeCloseTo(0.1, 2);
  });

  it('launches nothing while the calls in flight already cover the free agents', () => {
    expect(predictive(state({ ready: 1, waiting: 1 }), highAnswer).launch).toBe(0);
    expect(predictive(state({ ready: 2, ringing: [1, 1, 1, 1, 1, 1, 1, 1] }), highAnswer).launch).toBe(0);
  });

  it('dials ahead for agents about to finish their wrap-up, not for agents who just started talking', () => {
    const finishing = predictive(state({ wrapUp: [19, 19, 19, 19] }), highAnswer).launch;
    const started = predictive(state({ talking: [1, 1, 1, 1] }), highAnswer).launch;
    expect(finishing).toBeGreaterThan(0);
    expect(started).toBe(0);
  });

  it('counts an agent whose ready time is known as free by a horizon or not at all', () => {
    // The simulator's agent-foresight reference tells the pacer when each agent is ready again.
    const busy = (readyInSeconds: number) =>
      predictive(
        {
          agentsReady: 0,
          agentsBusy: Array(4).fill({ phase: 'talking', elapsedSeconds: 1, readyInSeconds }),
          callsInFlight: [],
        },
        highAnswer,
      ).launch;
    // Just started talking, by the laws nobody is free soon; known to be ready in 1 s, all four are.
    expect(busy(1)).toBeGreaterThan(0);
    expect(busy(1)).toBe(predictive(state({ ready: 4 }), highAnswer).launch);
    expect(busy(600)).toBe(0);
  });

  it('never exceeds maxLinesPerAgent lines per logged-in agent', () => {
    const decision = predictive(state({ ready: 10, ringing: [1, 2, 3] }), lowAnswer, {
      maxLinesPerAgent: 1.5,
    });
    expect(decision.launch).toBe(12);
    expect(decision.reason).toBe('line-cap');
  });

  it('launches more as more agents are ready (monotone)', () => {
    let previous = -1;
    for (let ready = 0; ready <= 12; ready++) {
      const launch = predictive(state({ ready, talking: [30, 60, 90] }), lowAnswer).launch;
      expect(launch).toBeGreaterThanOrEqual(previous);
      previous = launch;
    }
  });

  it('launches fewer as more calls are already ringing (monotone)', () => {
    let previous = Infinity;
    for (let ringing = 0; ringing <= 30; ringing += 3) {
      const calls = Array.from({ length: ringing }, (_, i) => i % 10);
      const launch = predictive(state({ ready: 8, ringing: calls }), lowAnswer).launch;
      expect(launch).toBeLessThanOrEqual(previous);
      previous = launch;
    }
  });

  it('launches more when fewer calls are answered (monotone)', () => {
    const launches = [0.6, 0.4, 0.2, 0.1, 0.05].map(
      (answerRate) =>
        predictive(
          state({ ready: 6 }),
          withThreshold(trainedStatistics({ attempts: 4000, answerRate }), 0.01),
          {
            maxLinesPerAgent: 6,
          },
        ).launch,
    );
    for (let i = 1; i < launches.length; i++)
      expect(launches[i]).toBeGreaterThanOrEqual(launches[i - 1] ?? 0);
    expect(launches.at(-1)).toBeGreaterThan(launches[0] ?? 0);
  });

  it('launches more as the controller allows a higher marginal abandonment (monotone)', () => {
    const launches = [0.002, 0.01, 0.05, 0.2].map(
      (threshold) =>
        predictive(state({ ready: 4, talking: [60, 120] }), withThreshold(highAnswer, threshold)).launch,
    );
    for (let i = 1; i < launches.length; i++)
      expect(launches[i]).toBeGreaterThanOrEqual(launches[i - 1] ?? 0);
    expect(launches.at(-1)).toBeGreaterThan(launches[0] ?? 0);
  });

  it('launches fewer when the regulatory window is already over the target', () => {
    const s = state({ ready: 4, talking: [60, 120] });
    const clean = predictive(s, highAnswer).launch;
    const overspent = decideLaunches({
      mode: 'predictive',
      state: s,
      stats: highAnswer,
      config,
      abandonment: { abandoned: 28, humanAnswered: 1000 },
      predictiveAllowed: true,
    }).launch;
    expect(overspent).toBeLessThan(clean);
  });

  it('launches fewer when the recent abandonment rate (the day guard) is over the target', () => {
    const s = state({ ready: 4, talking: [60, 120] });
    const control = { ...highAnswer.control, recentRouted: 600 };
    const onTarget = predictive(s, { ...highAnswer, control: { ...control, recentAbandoned: 15 } }).launch;
    const overspent = predictive(s, { ...highAnswer, control: { ...control, recentAbandoned: 30 } }).launch;
    expect(overspent).toBeLessThan(onTarget);
  });

  it('ignores a recent abandonment rate resting on too few calls', () => {
    const s = state({ ready: 4, talking: [60, 120] });
    const thin = { ...highAnswer.control, recentRouted: 40, recentAbandoned: 2 };
    expect(predictive(s, { ...highAnswer, control: thin }).launch).toBe(predictive(s, highAnswer).launch);
  });

  it('is pure: the same input gives the same decision and nothing is modified', () => {
    const s = state({ ready: 3, talking: [40], wrapUp: [5], ringing: [2, 4] });
    const before = JSON.stringify({ s, lowAnswer });
    const first = predictive(s, lowAnswer);
    expect(predictive(s, lowAnswer)).toEqual(first);
    expect(JSON.stringify({ s, lowAnswer })).toBe(before);
  });
});
