import { describe, expect, it } from 'vitest';
import { cdf } from '../../engine/pacing/histogram.ts';
import { createStatistics, routedShare } from '../../engine/pacing/statistics.ts';
import type { BusyAgent } from '../../engine/pacing/types.ts';
import { answerProbabilityAt, compileScenario } from '../../engine/pacing-simulator/attempts.ts';
import { runScenario } from '../../engine/pacing-simulator/run-scenario.ts';
import { scenarioSchema } from '../../engine/pacing-simulator/scenario.ts';
import { simulateDialer } from '../../engine/pacing-simulator/simulate-dialer.ts';
import {
  type DialerStrategy,
  type DialerView,
  vicidialAdaptStrategy,
} from '../../engine/pacing-simulator/strategies.ts';
import { trueStatistics } from '../../engine/pacing-simulator/true-statistics.ts';
import { config } from './support.ts';

/** A second of a campaign as VICIdial sees it: `ready` agents idle, nothing ringing. */
function view(
  second: number,
  ready: number,
  today: { attempts: number; routed: number; abandoned: number },
): DialerView {
  return {
    day: 0,
    second,
    state: { agentsReady: ready, agentsBusy: [], callsInFlight: [] },
    stats: createStatistics(),
    config: { ...config, targetAbandonRate: 0.03 },
    abandonment: { abandoned: 0, humanAnswered: 0 },
    predictiveAllowed: true,
    agentsTalking: 0,
    callsWaiting: 0,
    todayAttempts: today.attempts,
    todayRouted: today.routed,
    todayAbandoned: today.abandoned,
  };
}

describe('the faithful VICIdial baseline (AST_VDadapt ADAPT_HARD_LIMIT)', () => {
  it('drops to 1.0 while today is over the limit, and adapts again once it is back under', () => {
    const vicidial = vicidialAdaptStrategy('v', { startLevel: 2 });
    vicidial.startDay();
    // Over the limit today (5 % of 100 answers after 200 calls): 1.0, one line per ready agent.
    let launched = 0;
    for (let t = 0; t < 60; t++)
      launched = vicidial.decide(view(t, 10, { attempts: 200, routed: 100, abandoned: 5 }));
    expect(launched).toBe(10);
    // The day's rate falls back under 3 %: every 15 s it adapts up from 1.0 again (idle agents).
    for (let t = 60; t < 120; t++)
      launched = vicidial.decide(view(t, 10, { attempts: 800, routed: 400, abandoned: 5 }));
    expect(launched).toBeGreaterThan(10);
  });

  it('does not apply the day rule before 50 calls', () => {
    const vicidial = vicidialAdaptStrategy('v', { startLevel: 2 });
    vicidial.startDay();
    expect(vicidial.decide(view(0, 10, { attempts: 40, routed: 20, abandoned: 10 }))).toBeGreaterThan(10);
  });
});

describe('the second reference: our pacer given the true laws', () => {
  const scenario = scenarioSchema.parse({
    name: 'laws',
    days: 1,
    shifts: [{ agents: 10, start: '09:00', end: '10:00' }],
    answer: {
      probability: 0.4,
      changes: [{ at: '09:30', probability: 0.1 }],
      ringSeconds: { kind: 'fixed', seconds: 6 },
      patienceSeconds: { kind: 'fixed', seconds: 60 },
    },
    talkSeconds: { kind: 'fixed', seconds: 100 },
    wrapUpSeconds: { kind: 'fixed', seconds: 10 },
    machine: {
      share: 0.25,
      agentSeconds: { kind: 'fixed', seconds: 8 },
      amd: {
        enabled: true,
        humanAccuracy: 0.9,
        machineAccuracy: 0.8,
        seconds: { kind: 'fixed', seconds: 3 },
      },
    },
  });
  const compiled = compileScenario(scenario);

  it('holds the scenario’s laws: answer rate of the hour, routed share, ring + AMD time', () => {
    const morning = trueStatistics(compiled, 9 * 3600, createStatistics());
    const later = trueStatistics(compiled, 9.75 * 3600, createStatistics());
    expect(morning.answered / morning.attempts).toBeCloseTo(0.4, 5);
    expect(later.answered / later.attempts).toBeCloseTo(0.1, 5);
    // Persons judged persons (0.75 × 0.9) and machines judged persons (0.25 × 0.2).
    expect(routedShare(morning)).toBeCloseTo(0.75 * 0.9 + 0.25 * 0.2, 1);
    // Every verdict comes 6 s of ring + 3 s of AMD after the launch.
    expect(cdf(morning.ringToAnswer, 9)).toBe(0);
    expect(cdf(morning.ringToAnswer, 10)).toBe(1);
  });

  it('keeps the abandonment controller it learnt itself', () => {
    const learned = {
      ...createStatistics(),
      control: { target: 0.02, logThreshold: Math.log(0.05), recentRouted: 400, recentAbandoned: 9 },
    };
    expect(trueStatistics(compiled, 9 * 3600, learned).control).toEqual(learned.control);
  });
});

describe('the third reference: the true laws and each agent’s ready time', () => {
  const team = (pauses?: { share: number; seconds: { kind: 'fixed'; seconds: number } }) =>
    compileScenario(
      scenarioSchema.parse({
        name: 'foresight',
        days: 1,
        shifts: [{ agents: 10, start: '09:00', end: '10:00' }],
        answer: { probability: 0.4, ringSeconds: { kind: 'fixed', seconds: 6 } },
        talkSeconds: { kind: 'fixed', seconds: 100 },
        wrapUpSeconds: { kind: 'fixed', seconds: 10 },
        ...(pauses ? { agents: { pauses } } : {}),
      }),
    );
  /** A strategy that keeps one call ringing per ready agent and keeps what it was shown. */
  const spy = (foresight: boolean) => {
    const seen: { ready: number; busy: BusyAgent[] }[] = [];
    const strategy: DialerStrategy = {
      name: 'spy',
      learns: false,
      ...(foresight ? { foresight: 'agents' as const } : {}),
      startDay() {},
      decide(v) {
        seen.push({ ready: v.state.agentsReady, busy: v.state.agentsBusy.map((a) => ({ ...a })) });
        return Math.max(0, v.state.agentsReady - v.state.callsInFlight.length);
      },
    };
    return { strategy, seen };
  };

  it('is told, to the second, when each talking or wrapping-up agent will be ready', () => {
    const { strategy, seen } = spy(true);
    simulateDialer(team(), strategy, { seed: 1 });
    const busy = seen.flatMap((s) => s.busy);
    expect(busy.some((a) => a.phase === 'talking')).toBe(true);
    expect(busy.some((a) => a.phase === 'wrap-up')).toBe(true);
    for (const a of busy) {
      // 100 s of talk then 10 s of wrap-up, known in advance.
      const left = a.phase === 'talking' ? 110 - a.elapsedSeconds : 10 - a.elapsedSeconds;
      expect(a.readyInSeconds).toBeCloseTo(left, 9);
    }
  });

  it('sees the end of an unannounced pause, which the engine’s view does not show at all', () => {
    const pauses = { share: 1, seconds: { kind: 'fixed' as const, seconds: 30 } };
    const told = spy(true);
    const engine = spy(false);
    simulateDialer(team(pauses), told.strategy, { seed: 1 });
    simulateDialer(team(pauses), engine.strategy, { seed: 1 });
    // Every agent is logged in all shift: the reference accounts for all ten every second.
    expect(told.seen.every((s) => s.ready + s.busy.length === 10)).toBe(true);
    expect(engine.seen.some((s) => s.ready + s.busy.length < 10)).toBe(true);
    expect(engine.seen.flatMap((s) => s.busy).every((a) => a.readyInSeconds === undefined)).toBe(true);
  });
});

describe('the frontier sweep (bench:pacing --frontier)', () => {
  const scenario = scenarioSchema.parse({
    name: 'frontier',
    days: 2,
    shifts: [{ agents: 10, start: '09:00', end: '11:00' }],
    answer: { probability: 0.3, ringSeconds: { kind: 'gamma', mean: 10, sd: 5, minSeconds: 2 } },
    talkSeconds: { kind: 'gamma', mean: 90, sd: 50, minSeconds: 10 },
    wrapUpSeconds: { kind: 'fixed', seconds: 10 },
  });

  it('buys occupancy with abandonment past the legal cap, the gate not emulated', () => {
    const at = (frontierTarget: number) =>
      runScenario(scenario, { seed: 2, frontierTarget, only: ['true-laws'] }).strategies['true-laws'];
    const lawful = at(0.02);
    const unlawful = at(0.1);
    expect(unlawful?.abandonRate).toBeGreaterThan(0.05);
    expect(lawful?.abandonRate).toBeLessThan(0.03);
    expect(unlawful?.occupancy).toBeGreaterThan(lawful?.occupancy ?? 1);
  });
});

describe('answer rates that drift smoothly', () => {
  it('moves linearly from the day start to each change, then holds', () => {
    const compiled = compileScenario(
      scenarioSchema.parse({
        name: 'ramp',
        days: 1,
        shifts: [{ agents: 5, start: '08:00', end: '18:00' }],
        answer: {
          probability: 0.3,
          smooth: true,
          changes: [
            { at: '12:00', probability: 0.1 },
            { at: '14:00', probability: 0.2 },
          ],
          ringSeconds: { kind: 'fixed', seconds: 6 },
        },
        talkSeconds: { kind: 'fixed', seconds: 100 },
        wrapUpSeconds: { kind: 'fixed', seconds: 10 },
      }),
    );
    const at = (h: number) => answerProbabilityAt(compiled, h * 3600);
    expect(at(8)).toBeCloseTo(0.3, 10);
    expect(at(10)).toBeCloseTo(0.2, 10);
    expect(at(12)).toBeCloseTo(0.1, 10);
    expect(at(13)).toBeCloseTo(0.15, 10);
    expect(at(17)).toBeCloseTo(0.2, 10);
  });
});
