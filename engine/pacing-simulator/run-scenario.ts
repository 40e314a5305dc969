import { type CompiledScenario, compileScenario } from './attempts.ts';
import { simulateClairvoyant } from './clairvoyant.ts';
import { type StrategySummary, summarize } from './metrics.ts';
import type { Scenario } from './scenario.ts';
import {
  type RunOptions,
  type StrategyRun,
  scenarioAbandonmentDefinition,
  simulateDialer,
} from './simulate-dialer.ts';
import {
  agentForesightStrategy,
  type DialerStrategy,
  informedPredictiveStrategy,
  predictiveStrategy,
  progressiveStrategy,
  vicidialAdaptStrategy,
} from './strategies.ts';

export const strategyNames = [
  'progressive',
  'ratio-2.0',
  'vicidial-adapt',
  'predictive',
  'true-laws',
  'agent-foresight',
  'clairvoyant',
] as const;
export type StrategyName = (typeof strategyNames)[number];

/** The baselines and ours, fresh for each run (strategies keep state between seconds). */
export function dialerStrategies(compiled: CompiledScenario): DialerStrategy[] {
  return [
    progressiveStrategy('progressive', 1),
    progressiveStrategy('ratio-2.0', 2),
    vicidialAdaptStrategy('vicidial-adapt'),
    predictiveStrategy('predictive'),
    informedPredictiveStrategy(compiled, 'true-laws'),
    agentForesightStrategy(compiled, 'agent-foresight'),
  ];
}

export interface ScenarioReport {
  readonly scenario: string;
  readonly seed: number;
  readonly days: number;
  readonly agents: number;
  readonly strategies: Record<string, StrategySummary>;
  readonly runs: readonly StrategyRun[];
}

/** Runs every strategy on the same people (same seed) and summarizes each. */
export function runScenario(
  scenario: Scenario,
  options: RunOptions & { only?: readonly string[] },
): ScenarioReport {
  const compiled = compileScenario(scenario);
  const wanted = (name: string) => !options.only || options.only.includes(name);
  const runs: StrategyRun[] = [];
  for (const strategy of dialerStrategies(compiled)) {
    if (wanted(strategy.name)) runs.push(simulateDialer(compiled, strategy, options));
  }
  if (wanted('clairvoyant')) runs.push(simulateClairvoyant(compiled, options));
  const strategies: Record<string, StrategySummary> = {};
  const definition = scenarioAbandonmentDefinition(scenario);
  for (const run of runs) strategies[run.name] = summarize(run.days, run.series, definition);
  return {
    scenario: scenario.name,
    seed: options.seed,
    days: options.days ?? scenario.days,
    agents: scenario.shifts.reduce((sum, s) => sum + s.agents, 0),
    strategies,
    runs,
  };
}
