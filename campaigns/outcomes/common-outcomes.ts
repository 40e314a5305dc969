import { z } from 'zod';

/**
 * Outcomes every campaign type shares. Some are only ever set by the engine from the call's
 * fate (the telephone said busy, nobody tagged in time); agents may tag the rest.
 */

const isoDateTime = z.iso.datetime({
  offset: true,
  message: 'must be an ISO date-time such as 2026-11-26T15:00:00Z',
});

export const noAnswerOutcome = z.strictObject({ tag: z.literal('no_answer') });
export const busyOutcome = z.strictObject({ tag: z.literal('busy') });
export const congestionOutcome = z.strictObject({ tag: z.literal('congestion') });
export const machineOutcome = z.strictObject({
  tag: z.literal('machine'),
  /** The campaign's machine message was played to the machine. */
  messageLeft: z.boolean().default(false),
});
export const invalidNumberOutcome = z.strictObject({ tag: z.literal('invalid_number') });
export const abandonedOutcome = z.strictObject({ tag: z.literal('abandoned') });
/** The telephone system failed (originate refused, channel lost): not the callee's doing. */
export const failedOutcome = z.strictObject({
  tag: z.literal('failed'),
  detail: z.string().max(200).optional(),
});
/** A person answered and hung up before reaching an agent within the connect time: not an abandon. */
export const hungUpOutcome = z.strictObject({ tag: z.literal('hung_up') });
/** The agent did not tag the call before the wrap-up timeout; recorded as such, never guessed. */
export const noOutcomeOutcome = z.strictObject({ tag: z.literal('no_outcome') });

export const wrongNumberOutcome = z.strictObject({ tag: z.literal('wrong_number') });
export const callbackOutcome = z.strictObject({
  tag: z.literal('callback'),
  at: isoDateTime,
  /** Whether the callback is the tagging agent's own (routed back to them) or anybody's. */
  personal: z.boolean().default(true),
  note: z.string().max(500).optional(),
});
/** The called person asked not to be called again: internal DNC at once, in every campaign. */
export const optOutOutcome = z.strictObject({
  tag: z.literal('opt_out'),
  note: z.string().max(500).optional(),
});

/** Outcomes the engine records from the call itself. */
export const systemOutcomes = [
  noAnswerOutcome,
  busyOutcome,
  congestionOutcome,
  machineOutcome,
  invalidNumberOutcome,
  abandonedOutcome,
  failedOutcome,
  hungUpOutcome,
  noOutcomeOutcome,
] as const;

/** Outcomes an agent may tag in any campaign type. */
export const agentCommonOutcomes = [wrongNumberOutcome, callbackOutcome, optOutOutcome] as const;

export const SYSTEM_TAGS = [
  'no_answer',
  'busy',
  'congestion',
  'machine',
  'invalid_number',
  'abandoned',
  'failed',
  'hung_up',
  'no_outcome',
] as const;
export type SystemTag = (typeof SYSTEM_TAGS)[number];
