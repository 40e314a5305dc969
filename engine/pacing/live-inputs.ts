import type { PacingObservation } from './statistics.ts';
import type { CallInFlight } from './types.ts';

/**
 * The moments of one customer call that the pacer may know, in seconds on any one time line
 * (engine milliseconds / 1000 in the runner, simulated seconds in the simulator). Both build the
 * pacer's inputs from these with the functions below, so both tell the pacer the same thing for
 * the same events: nothing the engine cannot see (a person's true party, a future answer).
 */
export interface CallMoments {
  readonly launchedAt: number;
  /** The line was answered (channel Up), AMD still listening; null before, or without AMD. */
  readonly lineAnsweredAt: number | null;
  /** The verdict (AMD's, or the answer itself without AMD); null before. */
  readonly verdictAt: number | null;
  /** Routed to an agent and none free yet: waiting since the verdict. */
  readonly waiting: boolean;
}

/**
 * The call as the pacer sees it: ringing until the line is answered, classifying while AMD
 * listens (from the line answer), waiting from the verdict until an agent takes it.
 */
export function callInFlight(call: CallMoments, now: number): CallInFlight {
  if (call.waiting) {
    return { stage: 'waiting', elapsedSeconds: Math.max(0, now - (call.verdictAt ?? call.launchedAt)) };
  }
  const answeredAt = call.lineAnsweredAt ?? call.verdictAt;
  if (answeredAt !== null) return { stage: 'classifying', elapsedSeconds: Math.max(0, now - answeredAt) };
  return { stage: 'ringing', elapsedSeconds: Math.max(0, now - call.launchedAt) };
}

/** The verdict on an answered call: `ringSeconds` from launch to the verdict (the pacer's F_A). */
export function answerObservation(
  call: Pick<CallMoments, 'launchedAt'>,
  verdictAt: number,
  party: 'human' | 'machine',
): PacingObservation {
  return { kind: 'answered', ringSeconds: Math.max(0, verdictAt - call.launchedAt), party };
}

/**
 * A call that ended before a verdict: unanswered (`seconds` of line from launch), or answered and
 * gone while AMD listened (`undetermined`: an answer, routed to nobody, no verdict moment).
 */
export function endBeforeVerdictObservation(
  call: Pick<CallMoments, 'launchedAt'>,
  endedAt: number,
  answered: boolean,
): PacingObservation {
  if (answered) return { kind: 'answered', ringSeconds: null, party: 'undetermined' };
  return { kind: 'unanswered', seconds: Math.max(0, endedAt - call.launchedAt) };
}
