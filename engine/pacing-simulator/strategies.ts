import { decideLaunches } from '../pacing/pacer.ts';
import type { PacingStatistics } from '../pacing/statistics.ts';
import type { AbandonmentWindow, LivePacingState, PacingConfig } from '../pacing/types.ts';

/** What the simulator hands a strategy each second. */
export interface DialerView {
  /** Seconds since midnight of the simulated day. */
  readonly second: number;
  readonly state: LivePacingState;
  readonly stats: PacingStatistics;
  readonly config: PacingConfig;
  readonly abandonment: AbandonmentWindow;
  readonly predictiveAllowed: boolean;
  /** Agents talking to a connected call (each holds a line). */
  readonly agentsTalking: number;
  /** Answered calls waiting for an agent. */
  readonly callsWaiting: number;
  /** Cumulative routed answers and abandoned calls today (the dialer's view). */
  readonly todayRouted: number;
  readonly todayAbandoned: number;
}

export interface DialerStrategy {
  readonly name: string;
  /** Whether the simulator must keep the pacing statistics up to date for it. */
  readonly learns: boolean;
  startDay(): void;
  /** Calls to launch this second. */
  decide(view: DialerView): number;
}

/** Our progressive pacer from engine/pacing at a fixed number of lines per ready agent. */
export function progressiveStrategy(name: string, linesPerAgent: number): DialerStrategy {
  return {
    name,
    learns: false,
    startDay() {},
    decide(view) {
      return decideLaunches({
        mode: 'progressive',
        state: view.state,
        stats: view.stats,
        config: { ...view.config, linesPerAgent },
        abandonment: view.abandonment,
        predictiveAllowed: view.predictiveAllowed,
      }).launch;
    },
  };
}

/** Our predictive pacer from engine/pacing, exactly as the campaign runner calls it. */
export function predictiveStrategy(name = 'predictive'): DialerStrategy {
  return {
    name,
    learns: true,
    startDay() {},
    decide(view) {
      return decideLaunches({
        mode: 'predictive',
        state: view.state,
        stats: view.stats,
        config: view.config,
        abandonment: view.abandonment,
        predictiveAllowed: view.predictiveAllowed,
      }).launch;
    },
  };
}

/**
 * VICIdial's adaptive dial level with ADAPT_HARD_LIMIT, from its published behaviour. Its own
 * counting: active agents are the ready and the talking ones (an agent tagging an outcome is
 * paused), and the campaign's lines are every live call, connected ones included, so the goal
 * level × active agents − live lines leaves level × ready + (level − 1) × talking calls ringing.
 * Every 15 s: level ×= 1 + d / a, d the last minute's mean of (ready agents − calls waiting), a the
 * mean active agents; clamped to [1, 3]; halved when over 20 calls in the last minute were answered
 * and more than half of them dropped; 1.0 for the rest of the day once today's drops exceed 3 % of
 * today's answers after 50 answers.
 */
export function vicidialAdaptStrategy(name = 'vicidial-adapt', startLevel = 1): DialerStrategy {
  let level = startLevel;
  let hardLimited = false;
  const surplus: number[] = [];
  const agents: number[] = [];
  const routedAt: number[] = [];
  const abandonedAt: number[] = [];
  let lastAdjust = -Infinity;
  return {
    name,
    learns: false,
    startDay() {
      hardLimited = false;
      surplus.length = 0;
      agents.length = 0;
      routedAt.length = 0;
      abandonedAt.length = 0;
      lastAdjust = -Infinity;
    },
    decide(view) {
      const ready = Math.max(0, view.state.agentsReady - (view.state.agentsReserved ?? 0));
      const active = ready + view.agentsTalking;
      push(surplus, ready - view.callsWaiting);
      push(agents, active);
      push(routedAt, view.todayRouted);
      push(abandonedAt, view.todayAbandoned);

      if (!hardLimited && view.todayRouted >= 50 && view.todayAbandoned > 0.03 * view.todayRouted) {
        hardLimited = true;
      }
      if (hardLimited) level = 1;
      else if (view.second - lastAdjust >= 15) {
        lastAdjust = view.second;
        const d = average(surplus);
        const a = average(agents);
        if (a > 0) level *= 1 + d / a;
        const answeredLastMinute = (routedAt.at(-1) ?? 0) - (routedAt[0] ?? 0);
        const droppedLastMinute = (abandonedAt.at(-1) ?? 0) - (abandonedAt[0] ?? 0);
        if (answeredLastMinute > 20 && droppedLastMinute > 0.5 * answeredLastMinute) level /= 2;
        level = Math.min(3, Math.max(1, level));
      }
      const lines = view.state.callsInFlight.length + view.agentsTalking;
      return Math.max(0, Math.floor(level * active + 1e-9) - lines);
    },
  };
}

const MINUTE = 60;

function push(window: number[], value: number): void {
  window.push(value);
  if (window.length > MINUTE) window.shift();
}

function average(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}
