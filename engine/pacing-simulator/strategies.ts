import { decideLaunches } from '../pacing/pacer.ts';
import type { PacingStatistics } from '../pacing/statistics.ts';
import type { AbandonmentWindow, LivePacingState, PacingConfig } from '../pacing/types.ts';
import type { CompiledScenario } from './attempts.ts';
import { trueStatistics } from './true-statistics.ts';

/** What the simulator hands a strategy each second. */
export interface DialerView {
  /** The simulated day (0, 1, …). */
  readonly day: number;
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
  /** Cumulative attempts, routed answers and abandoned calls today (the dialer's view). */
  readonly todayAttempts: number;
  readonly todayRouted: number;
  readonly todayAbandoned: number;
}

export interface DialerStrategy {
  readonly name: string;
  /** Whether the simulator must keep the pacing statistics up to date for it. */
  readonly learns: boolean;
  /**
   * What the simulator tells it that no dialer knows: `agents`, each busy (or paused) agent's
   * exact moment of being ready again (BusyAgent.readyInSeconds). Absent: the engine's view.
   */
  readonly foresight?: 'agents';
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

export interface VicidialAdaptOptions {
  /** adaptive_dropped_percentage as a share; default: the campaign's own target (ours). */
  readonly droppedShare?: number;
  /** adaptive_maximum_level (default 3.0). */
  readonly maximumLevel?: number;
  /** The dial level of the first day (auto_dial_level; later days start where the last ended). */
  readonly startLevel?: number;
}

/**
 * The second reference: our predictive pacer given the scenario's true laws (trueStatistics:
 * ring, AMD, talk and wrap-up distributions, answer rate and routed share; never an attempt's
 * outcome). Its abandonment controller learns as ours does. Its gap to the clairvoyant is the
 * policy's loss; ours beyond it is the estimation's.
 */
export function informedPredictiveStrategy(compiled: CompiledScenario, name = 'true-laws'): DialerStrategy {
  return {
    name,
    learns: true,
    startDay() {},
    decide(view) {
      return decideLaunches({
        mode: 'predictive',
        state: view.state,
        stats: trueStatistics(compiled, view.second, view.stats, view.day),
        config: view.config,
        abandonment: view.abandonment,
        predictiveAllowed: view.predictiveAllowed,
      }).launch;
    },
  };
}

/**
 * The third reference: the second (true laws) also told when each busy or paused agent will be
 * ready again, to the second (BusyAgent.readyInSeconds). What is left between it and the
 * clairvoyant is the calls' side: whether and when each call will reach a person, which no
 * dialer knows before the answer. Between it and `true-laws`: what the agents' uncertainty costs.
 */
export function agentForesightStrategy(compiled: CompiledScenario, name = 'agent-foresight'): DialerStrategy {
  return { ...informedPredictiveStrategy(compiled, name), foresight: 'agents' };
}

/**
 * VICIdial's ADAPT_HARD_LIMIT as AST_VDadapt.pl computes it, re-checked every 15 s. Its own
 * counting: active agents are the ready and the talking ones (an agent tagging an outcome is
 * paused), and the campaign's lines are every live call, connected ones included, so the goal
 * level × active agents − live lines leaves level × ready + (level − 1) × talking calls ringing.
 * Every 15 s, from the current level:
 * - suggested = level × (1 + d / a), d the last minute's mean of (ready agents − calls waiting),
 *   a the mean active agents (adaptive_intensity 0, adaptive_dl_diff_target 0); capped at the
 *   maximum level;
 * - halved when more than 20 calls were placed in the last minute and over 50 % of the last
 *   minute's answers were dropped;
 * - set to 1.0 when more than 50 calls were placed today and today's drops exceed
 *   adaptive_dropped_percentage of today's answers — for this period only: the next one starts
 *   from 1.0 and adapts again if the day's rate has come back under the limit;
 * - never below 1.0.
 * The level carries over from one day to the next (it is the campaign's auto_dial_level).
 */
export function vicidialAdaptStrategy(
  name = 'vicidial-adapt',
  options: VicidialAdaptOptions = {},
): DialerStrategy {
  let level = options.startLevel ?? 1;
  const maximumLevel = options.maximumLevel ?? 3;
  const surplus: number[] = [];
  const agents: number[] = [];
  const attemptsAt: number[] = [];
  const routedAt: number[] = [];
  const abandonedAt: number[] = [];
  let lastAdjust = -Infinity;
  return {
    name,
    learns: false,
    startDay() {
      surplus.length = 0;
      agents.length = 0;
      attemptsAt.length = 0;
      routedAt.length = 0;
      abandonedAt.length = 0;
      lastAdjust = -Infinity;
    },
    decide(view) {
      const ready = Math.max(0, view.state.agentsReady - (view.state.agentsReserved ?? 0));
      const active = ready + view.agentsTalking;
      push(surplus, ready - view.callsWaiting);
      push(agents, active);
      push(attemptsAt, view.todayAttempts);
      push(routedAt, view.todayRouted);
      push(abandonedAt, view.todayAbandoned);

      if (view.second - lastAdjust >= 15) {
        lastAdjust = view.second;
        const d = average(surplus);
        const a = average(agents);
        let next = a > 0 ? level * (1 + d / a) : level;
        next = Math.min(maximumLevel, next);
        const callsLastMinute = (attemptsAt.at(-1) ?? 0) - (attemptsAt[0] ?? 0);
        const answeredLastMinute = (routedAt.at(-1) ?? 0) - (routedAt[0] ?? 0);
        const droppedLastMinute = (abandonedAt.at(-1) ?? 0) - (abandonedAt[0] ?? 0);
        if (callsLastMinute > 20 && droppedLastMinute > 0.5 * answeredLastMinute) next /= 2;
        const droppedShare = options.droppedShare ?? view.config.targetAbandonRate;
        if (view.todayAttempts > 50 && view.todayAbandoned > droppedShare * view.todayRouted) next = 1;
        level = Math.max(1, next);
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
