import { addSample } from '../pacing/histogram.ts';
import { createStatistics, type PacingStatistics } from '../pacing/statistics.ts';
import { spreadFactor } from './agents.ts';
import { answerProbabilityAt, type CompiledScenario } from './attempts.ts';
import { sample } from './distributions.ts';
import { streamFor } from './prng.ts';

/** Draws per law: enough that the histograms are the scenario's laws to well under a percent. */
const DRAWS = 20_000;
/** Weight of the "observations" behind the true statistics: never thin, never forgotten. */
const MANY = 1e9;

/** The scenario's true laws, as the pacer's statistics hold them (without the answer rate). */
interface TrueLaws {
  readonly base: PacingStatistics;
  /** P(an answer would come before the ring timeout). */
  readonly answeredWithinTimeout: number;
  /** P(an answer is routed to an agent): a human verdict, the person still there. */
  readonly routedShare: number;
}

const cache = new WeakMap<CompiledScenario, TrueLaws>();

/**
 * What the pacer would learn with unlimited data: the scenario's own distributions of ring
 * (+ AMD) time, unanswered line time, talk and wrap-up of the calls routed to agents, and its
 * routed share — drawn from the scenario's laws, never from the attempts being dialed. The
 * answer probability is the schedule's at `second`. The second reference of the bench: a pacer
 * that knows the laws (not the outcomes), to split our loss into estimation and policy.
 */
export function trueStatistics(
  compiled: CompiledScenario,
  second: number,
  learned: PacingStatistics,
  day = 0,
): PacingStatistics {
  let laws = cache.get(compiled);
  if (!laws) {
    laws = trueLaws(compiled);
    cache.set(compiled, laws);
  }
  const p = answerProbabilityAt(compiled, second, day) * laws.answeredWithinTimeout;
  return {
    ...laws.base,
    attempts: MANY,
    answered: p * MANY,
    recentAttempts: MANY,
    recentAnswered: p * MANY,
    answers: MANY,
    routed: laws.routedShare * MANY,
    // The abandonment controller is the policy's: it learns from this pacer's own abandons.
    control: learned.control,
  };
}

function trueLaws(compiled: CompiledScenario): TrueLaws {
  const s = compiled.scenario;
  const random = streamFor(0x7e57, 0x1a75);
  let stats = createStatistics({ targetAbandonRate: s.pacing.targetAbandonRate });
  let ring = stats.ringToAnswer;
  let unanswered = stats.unansweredDuration;
  let talk = stats.talk;
  let wrapUp = stats.wrapUp;
  let withinTimeout = 0;
  let answers = 0;
  let routed = 0;
  for (let i = 0; i < DRAWS; i++) {
    const ringSeconds = sample(s.answer.ringSeconds, random);
    const machine = random() < s.machine.share;
    const amd = s.machine.amd;
    const amdSeconds = amd.enabled ? sample(amd.seconds, random) : 0;
    const correct = random() < (machine ? amd.machineAccuracy : amd.humanAccuracy);
    const patience = sample(s.answer.patienceSeconds, random);
    const talkSeconds = machine ? sample(s.machine.agentSeconds, random) : sample(s.talkSeconds, random);
    const wrap = sample(s.wrapUpSeconds, random);
    const earlyEnd = random() < s.unanswered.earlyEndShare;
    const earlyEndSeconds = sample(s.unanswered.earlyEndSeconds, random);
    // Agents who differ: the pooled law over the team (drawn only then, so the draws are as before).
    const talkFactor = spreadFactor(s.agents.talkSpread, random);
    const wrapUpFactor = spreadFactor(s.agents.wrapUpSpread, random);

    // An attempt not answered (or answered too late) holds its line this long.
    unanswered = addSample(
      unanswered,
      earlyEnd ? Math.min(earlyEndSeconds, s.ringTimeoutSeconds) : s.ringTimeoutSeconds,
      1,
    );
    if (ringSeconds >= s.ringTimeoutSeconds) continue;
    withinTimeout++;
    answers++;
    const verdictHuman = amd.enabled ? (machine ? !correct : correct) : true;
    // A person who cannot bear the AMD silence hangs up before the verdict: no ring time learnt.
    if (amd.enabled && !machine && patience < amdSeconds) continue;
    ring = addSample(ring, ringSeconds + amdSeconds, 1);
    if (!verdictHuman) continue;
    routed++;
    talk = addSample(talk, talkSeconds * talkFactor, 1);
    wrapUp = addSample(wrapUp, (machine ? Math.min(wrap, 5) : wrap) * wrapUpFactor, 1);
  }
  stats = {
    ...stats,
    ringToAnswer: ring,
    unansweredDuration: unanswered,
    talk,
    wrapUp,
    totals: {
      attempts: MANY,
      answered: MANY,
      routed: MANY,
      talks: MANY,
      wrapUps: MANY,
      abandoned: 0,
    },
  };
  return {
    base: stats,
    answeredWithinTimeout: withinTimeout / DRAWS,
    routedShare: answers > 0 ? routed / answers : 1,
  };
}
