import { describe, expect, it } from 'vitest';
import { agentTraits } from '../../engine/pacing-simulator/agents.ts';
import {
  answerProbabilityAt,
  compileScenario,
  secondsUntilWindow,
  withinCallingWindow,
} from '../../engine/pacing-simulator/attempts.ts';
import { simulateClairvoyant } from '../../engine/pacing-simulator/clairvoyant.ts';
import { DialList } from '../../engine/pacing-simulator/dial-list.ts';
import type { DayMetrics } from '../../engine/pacing-simulator/metrics.ts';
import { type ScenarioInput, scenarioSchema } from '../../engine/pacing-simulator/scenario.ts';
import { simulateDialer } from '../../engine/pacing-simulator/simulate-dialer.ts';
import { predictiveStrategy, progressiveStrategy } from '../../engine/pacing-simulator/strategies.ts';

/** A short day, no machines: every effect below is measured against it. */
const base: ScenarioInput = {
  name: 'realism',
  days: 1,
  shifts: [{ agents: 4, start: '09:00', end: '10:00' }],
  answer: { probability: 0.4, ringSeconds: { kind: 'uniform', min: 3, max: 9 } },
  talkSeconds: { kind: 'fixed', seconds: 60 },
  wrapUpSeconds: { kind: 'fixed', seconds: 10 },
  pacing: { minAnsweredForPredictive: 20 },
};

function compiled(overrides: Partial<ScenarioInput>) {
  return compileScenario(scenarioSchema.parse({ ...base, ...overrides }));
}

function total(days: readonly DayMetrics[], key: keyof DayMetrics): number {
  return days.reduce((sum, d) => sum + d[key], 0);
}

const oneToOne = () => progressiveStrategy('progressive', 1);

describe('realism: agents who differ', () => {
  it('gives each agent a factor of mean 1 and the configured spread, the same every time', () => {
    const c = compiled({ agents: { talkSpread: 0.5, wrapUpSpread: 0 } });
    const factors = Array.from({ length: 4000 }, (_, i) => agentTraits(c, 1, i).talkFactor);
    const mean = factors.reduce((a, b) => a + b, 0) / factors.length;
    const sd = Math.sqrt(factors.reduce((a, f) => a + (f - mean) ** 2, 0) / factors.length);
    expect(mean).toBeCloseTo(1, 1);
    expect(sd).toBeCloseTo(0.5, 1);
    expect(agentTraits(c, 1, 3)).toEqual(agentTraits(c, 1, 3));
    expect(agentTraits(c, 1, 3).wrapUpFactor).toBe(1);
  });

  it('makes an agent talk and wrap up for their own factor times the scenario’s law', () => {
    const c = compiled({
      shifts: [{ agents: 1, start: '09:00', end: '10:00' }],
      agents: { talkSpread: 0.6, wrapUpSpread: 0.6 },
    });
    const { talkFactor, wrapUpFactor } = agentTraits(c, 1, 0);
    expect(talkFactor).not.toBeCloseTo(1, 2);
    for (const run of [simulateDialer(c, oneToOne(), { seed: 1 }), simulateClairvoyant(c, { seed: 1 })]) {
      const day = run.days[0] as DayMetrics;
      expect(day.humanConnects).toBeGreaterThan(5);
      expect(day.talkSeconds / day.humanConnects).toBeCloseTo(60 * talkFactor, 6);
      expect(day.wrapUpSeconds / day.humanConnects).toBeCloseTo(10 * wrapUpFactor, 6);
    }
  });
});

describe('realism: unannounced pauses', () => {
  it('pauses agents after a share of their calls, unseen by the dialer, and costs occupancy', () => {
    const pauses = { share: 1, seconds: { kind: 'fixed' as const, seconds: 30 } };
    const paused = simulateDialer(compiled({ agents: { pauses } }), oneToOne(), { seed: 2 });
    const plain = simulateDialer(compiled({}), oneToOne(), { seed: 2 });
    const day = paused.days[0] as DayMetrics;
    // Every call but those ending within 30 s of the shift's end is followed by a 30-s pause.
    expect(day.pausedSeconds).toBeGreaterThan(0);
    expect(day.pausedSeconds % 30).toBe(0);
    expect(day.pausedSeconds / 30).toBeGreaterThan(day.humanConnects - 4 - 1);
    const busy = (d: DayMetrics) => (d.talkSeconds + d.wrapUpSeconds) / d.loggedInSeconds;
    expect(busy(day)).toBeLessThan(busy(plain.days[0] as DayMetrics));
  });

  it('leaves a paused agent out of the pacer’s view (neither ready nor busy)', () => {
    const pauses = { share: 1, seconds: { kind: 'fixed' as const, seconds: 600 } };
    const c = compiled({ shifts: [{ agents: 1, start: '09:00', end: '10:00' }], agents: { pauses } });
    const seen: number[] = [];
    const strategy = oneToOne();
    simulateDialer(
      c,
      {
        ...strategy,
        decide(view) {
          seen.push(view.state.agentsReady + view.state.agentsBusy.length);
          return strategy.decide(view);
        },
      },
      { seed: 3 },
    );
    // The agent is logged in all hour, yet unseen for the 10 minutes of each pause.
    expect(seen.filter((n) => n === 0).length).toBeGreaterThanOrEqual(600);
  });
});

describe('realism: trunk limits', () => {
  it('never launches more calls in a second than the trunk takes', () => {
    const c = compiled({
      shifts: [{ agents: 20, start: '09:00', end: '10:00' }],
      trunk: { callsPerSecond: 1 },
    });
    const launchedAt: number[] = [];
    const strategy = progressiveStrategy('ratio-3.0', 3);
    const run = simulateDialer(
      c,
      {
        ...strategy,
        decide(view) {
          launchedAt.push(view.todayAttempts);
          return strategy.decide(view);
        },
      },
      { seed: 4 },
    );
    for (let i = 1; i < launchedAt.length; i++)
      expect((launchedAt[i] ?? 0) - (launchedAt[i - 1] ?? 0)).toBeLessThanOrEqual(1);
    expect(total(run.days, 'trunkRefused')).toBeGreaterThan(0);
  });

  it('never holds more calls than the trunk has channels', () => {
    const c = compiled({ shifts: [{ agents: 20, start: '09:00', end: '10:00' }], trunk: { channels: 12 } });
    const held: number[] = [];
    const strategy = progressiveStrategy('ratio-3.0', 3);
    const run = simulateDialer(
      c,
      {
        ...strategy,
        decide(view) {
          const n = strategy.decide(view);
          held.push(view.state.callsInFlight.length + view.agentsTalking);
          return n;
        },
      },
      { seed: 5 },
    );
    expect(Math.max(...held)).toBeLessThanOrEqual(12);
    expect(total(run.days, 'trunkRefused')).toBeGreaterThan(0);
  });
});

describe('realism: calling windows by time zone', () => {
  const window = {
    start: '09:00',
    end: '21:00',
    zones: [
      { share: 1, offsetHours: 0 },
      { share: 1, offsetHours: -1 },
    ],
  };

  it('knows when a number’s own window opens', () => {
    const c = compiled({ callingWindow: window });
    const west = { zoneOffsetSeconds: -3600 };
    expect(withinCallingWindow(c, west, 9 * 3600 + 1800)).toBe(false);
    expect(secondsUntilWindow(c, west, 9 * 3600 + 1800)).toBe(1800);
    expect(withinCallingWindow(c, west, 10 * 3600)).toBe(true);
    expect(secondsUntilWindow(c, { zoneOffsetSeconds: 0 }, 21 * 3600)).toBe(12 * 3600);
  });

  it('passes over numbers outside their window and dials them once it opens', () => {
    const c = compiled({ shifts: [{ agents: 4, start: '09:00', end: '11:00' }], callingWindow: window });
    const run = simulateDialer(c, oneToOne(), { seed: 6 });
    const day = run.days[0] as DayMetrics;
    expect(day.passedOver).toBeGreaterThan(0);
    // Numbers passed over at 09:xx are due at 10:00: dialing goes on from them, none lost.
    const plain = simulateDialer(
      compiled({ shifts: [{ agents: 4, start: '09:00', end: '11:00' }] }),
      oneToOne(),
      {
        seed: 6,
      },
    );
    expect(day.attempts).toBeGreaterThan(0.8 * (plain.days[0] as DayMetrics).attempts);
  });

  it('has the clairvoyant pass over the same numbers, and still bound the dialers', () => {
    // Shifts that start before a zone's window opens: a number whose window opens while it
    // would ring is put back until it could connect, never looked at again at once.
    const c = compiled({
      days: 2,
      shifts: [{ agents: 16, start: '09:00', end: '11:00' }],
      callingWindow: { ...window, zones: [...window.zones, { share: 1, offsetHours: -2 }] },
      list: { numbers: 5000, maxAttempts: 2, retryAfterMinutes: 20 },
    });
    const bound = simulateClairvoyant(c, { seed: 10, days: 2 });
    const dialer = simulateDialer(c, oneToOne(), { seed: 10, days: 2 });
    expect(total(bound.days, 'passedOver')).toBeGreaterThan(0);
    const busy = (days: readonly DayMetrics[]) =>
      (total(days, 'talkSeconds') + total(days, 'wrapUpSeconds')) / total(days, 'loggedInSeconds');
    expect(busy(bound.days)).toBeGreaterThan(busy(dialer.days));
  });

  it('launches nothing while every zone’s window is closed', () => {
    const closed = { ...window, start: '12:00' };
    const run = simulateDialer(compiled({ callingWindow: closed }), oneToOne(), { seed: 7 });
    expect((run.days[0] as DayMetrics).attempts).toBe(0);
  });
});

describe('realism: retries and list exhaustion over days', () => {
  it('retries a number nobody answered after the delay, up to the attempts allowed', () => {
    const list = new DialList(2, 2, 100);
    const first = list.next(0);
    expect(first).toMatchObject({ number: 0, attempt: 1 });
    list.unanswered(first as NonNullable<typeof first>, 5);
    expect(list.next(10)).toMatchObject({ number: 1, attempt: 1 });
    expect(list.next(10)).toBeNull(); // exhausted until the retry is due
    expect(list.nextDue()).toBe(105);
    const retry = list.next(105);
    expect(retry).toMatchObject({ number: 0, attempt: 2 });
    list.unanswered(retry as NonNullable<typeof retry>, 120);
    expect(list.next(10_000)).toBeNull(); // two attempts: done
  });

  it('dials a whole list over the days, retrying the unanswered, until it runs out', () => {
    const c = compiled({ days: 3, list: { numbers: 400, maxAttempts: 2, retryAfterMinutes: 30 } });
    const run = simulateDialer(c, oneToOne(), { seed: 8, days: 3 });
    const attempts = run.days.map((d) => d.attempts);
    const all = attempts.reduce((a, b) => a + b, 0);
    expect(all).toBeGreaterThan(400);
    expect(all).toBeLessThanOrEqual(800);
    // The list runs out: later days dial less, and the dialer waits for numbers.
    expect(attempts[2]).toBeLessThan(attempts[0] ?? 0);
    expect(total(run.days, 'listEmptySeconds')).toBeGreaterThan(0);
  });
});

describe('realism: answer rates that drift across days', () => {
  it('moves the answer rate smoothly through the days, as a sine of the configured period', () => {
    const c = compiled({ answer: { ...base.answer, drift: { amplitude: 0.5, periodDays: 4 } } });
    expect(answerProbabilityAt(c, 0, 0)).toBeCloseTo(0.4, 9);
    expect(answerProbabilityAt(c, 0, 1)).toBeCloseTo(0.6, 9);
    expect(answerProbabilityAt(c, 0, 3)).toBeCloseTo(0.2, 9);
    // Smooth: the last second of a day and the first of the next barely differ.
    expect(Math.abs(answerProbabilityAt(c, 86_399, 0) - answerProbabilityAt(c, 0, 1))).toBeLessThan(1e-4);
  });

  it('has its effect on the people who answer, which the pacer follows', () => {
    const drift = compiled({ days: 4, answer: { ...base.answer, drift: { amplitude: 0.5, periodDays: 4 } } });
    const run = simulateDialer(drift, predictiveStrategy(), { seed: 9, days: 4 });
    const answered = (d: DayMetrics) => d.humanAnswered / d.attempts;
    expect(answered(run.days[1] as DayMetrics)).toBeGreaterThan(1.8 * answered(run.days[3] as DayMetrics));
  });
});

describe('realism options in scenario files', () => {
  it('rejects unknown keys and impossible values in each option', () => {
    const bad: unknown[] = [
      { ...base, agents: { talkSpred: 0.3 } },
      { ...base, agents: { pauses: { share: 1.5, seconds: { kind: 'fixed', seconds: 5 } } } },
      { ...base, trunk: { callsPerSecond: 0 } },
      { ...base, callingWindow: { start: '21:00', end: '09:00', zones: [{ share: 1, offsetHours: 0 }] } },
      { ...base, callingWindow: { start: '09:00', end: '21:00', zones: [] } },
      { ...base, list: { numbers: 10, maxAttempts: 0 } },
      { ...base, answer: { ...base.answer, drift: { amplitude: 0.2 } } },
    ];
    for (const input of bad) expect(scenarioSchema.safeParse(input).success).toBe(false);
  });
});
