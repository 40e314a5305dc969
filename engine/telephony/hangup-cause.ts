import type { CallOutcome, DialStatus, HangupInput } from './port.ts';

/**
 * Q.850 causes and Asterisk dial statuses → our outcome vocabulary. Pure.
 *
 * Why both inputs, most specific first (DESIGN.md §4, ../shared/ari-traces):
 * - a busy or congested Local/SIP callee can end OUR channel with cause 0; only `Dial.dialstatus`
 *   says BUSY / CONGESTION;
 * - an unallocated number says `Dial` NOANSWER but cause 1: the cause is the truth there;
 * - an originate timeout ends with cause 19 and no final `Dial`.
 * So: an answered call is `answered`; then a cause that names the number or the callee's
 * decision wins; then the dial status; then the remaining causes; else `failed`.
 */

const CAUSE_TEXT: Readonly<Record<number, string>> = {
  0: 'Unknown',
  1: 'Unallocated (unassigned) number',
  2: 'No route to specified transmit network',
  3: 'No route to destination',
  16: 'Normal Clearing',
  17: 'User busy',
  18: 'No user responding',
  19: 'User alerting, no answer',
  20: 'Subscriber absent',
  21: 'Call Rejected',
  22: 'Number changed',
  27: 'Destination out of order',
  28: 'Invalid number format (addr incomplete)',
  31: 'Normal, unspecified',
  32: 'Normal, unspecified',
  34: 'Circuit/channel congestion',
  38: 'Network out of order',
  41: 'Temporary failure',
  42: 'Switching equipment congestion',
  44: 'Requested channel not available',
  58: 'Bearer capability not presently available',
  102: 'Recovery on timer expiry',
};

/** Causes that say something definite about the number or the callee. */
const SPECIFIC_CAUSE: Readonly<Record<number, CallOutcome>> = {
  1: 'invalid_number',
  22: 'invalid_number',
  28: 'invalid_number',
  2: 'no_route',
  3: 'no_route',
  27: 'out_of_order',
  21: 'rejected',
  17: 'busy',
};

const BY_DIAL_STATUS: Readonly<Partial<Record<DialStatus, CallOutcome>>> = {
  BUSY: 'busy',
  CONGESTION: 'congestion',
  CHANUNAVAIL: 'congestion',
  NOANSWER: 'no_answer',
  CANCEL: 'cancelled',
  DONTCALL: 'rejected',
  TORTURE: 'rejected',
  INVALIDARGS: 'failed',
};

/** Causes that only make sense once the dial status (if any) has had its say. */
const GENERAL_CAUSE: Readonly<Record<number, CallOutcome>> = {
  18: 'no_answer',
  19: 'no_answer',
  20: 'no_answer',
  34: 'congestion',
  38: 'congestion',
  41: 'congestion',
  42: 'congestion',
  44: 'congestion',
  58: 'congestion',
  102: 'no_answer',
};

export function causeText(cause: number): string {
  return CAUSE_TEXT[cause] ?? `Cause ${cause}`;
}

export function classifyHangup(input: HangupInput): CallOutcome {
  if (input.answered) return 'answered';
  const specific = SPECIFIC_CAUSE[input.cause];
  if (specific) return specific;
  if (input.hungUpByUs) return 'cancelled';
  const byStatus = input.dialStatus ? BY_DIAL_STATUS[input.dialStatus] : undefined;
  if (byStatus) return byStatus;
  return GENERAL_CAUSE[input.cause] ?? 'failed';
}

const FINAL_DIAL_STATUSES: ReadonlySet<string> = new Set<DialStatus>([
  'ANSWER',
  'BUSY',
  'NOANSWER',
  'CANCEL',
  'CONGESTION',
  'CHANUNAVAIL',
  'DONTCALL',
  'TORTURE',
  'INVALIDARGS',
]);

/** A `Dial.dialstatus` that ends dialing ('' and RINGING/PROGRESS are progress reports). */
export function finalDialStatus(value: string | undefined): DialStatus | undefined {
  return value !== undefined && FINAL_DIAL_STATUSES.has(value) ? (value as DialStatus) : undefined;
}
