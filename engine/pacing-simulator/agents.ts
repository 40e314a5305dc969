import type { CompiledScenario } from './attempts.ts';
import { sample } from './distributions.ts';
import { type Random, streamFor } from './prng.ts';

/** Stream tags: an agent's own laws, and the pauses after each of their calls. */
const TRAITS_STREAM = 0xa6e47;
const PAUSE_STREAM = 0x9a05e;

/** One agent's own laws: the scenario's talk and wrap-up times scaled by these factors. */
export interface AgentTraits {
  readonly talkFactor: number;
  readonly wrapUpFactor: number;
}

/** A factor of mean 1 and coefficient of variation `spread` (lognormal); exactly 1 without spread. */
export function spreadFactor(spread: number, random: Random): number {
  return spread > 0 ? sample({ kind: 'lognormal', mean: 1, sd: spread }, random) : 1;
}

/**
 * Agent `index` (shifts in file order, agents in order within each) keeps the same laws every day
 * and for every strategy, so that strategies are compared on the same team.
 */
export function agentTraits(compiled: CompiledScenario, seed: number, index: number): AgentTraits {
  const spread = compiled.scenario.agents;
  const random = streamFor(seed, TRAITS_STREAM, index);
  const talkFactor = spreadFactor(spread.talkSpread, random);
  const wrapUpFactor = spreadFactor(spread.wrapUpSpread, random);
  return { talkFactor, wrapUpFactor };
}

/**
 * Seconds agent `index` pauses, unannounced, after the wrap-up of their `call`-th call (0, 1, …)
 * of day `day`: 0 when they do not. The same for every strategy.
 */
export function pauseAfterCall(
  compiled: CompiledScenario,
  seed: number,
  day: number,
  index: number,
  call: number,
): number {
  const pauses = compiled.scenario.agents.pauses;
  if (!pauses || pauses.share <= 0) return 0;
  const random = streamFor(seed, PAUSE_STREAM, day, index, call);
  if (random() >= pauses.share) return 0;
  return sample(pauses.seconds, random);
}
