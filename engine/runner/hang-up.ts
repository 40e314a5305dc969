import type { Logger } from '../platform/logger.ts';
import type { HangupReason, TelephonyPort } from '../telephony/port.ts';

/** Tries in all and the pauses between them (real milliseconds, doubling) for a hang-up. */
export const HANGUP_RETRY = { attempts: 8, firstDelayMs: 250, maxDelayMs: 5000 } as const;

/**
 * Hangs a customer leg up and makes sure of it: a refused or timed-out request (Asterisk busy
 * or reconnecting) is logged and tried again while the call is still live, since a customer we
 * meant to hang up would otherwise stay connected to silence. The port already treats a channel
 * that is gone as done. Never throws: the last failure is logged as an error.
 */
export async function hangUpCustomer(
  telephony: Pick<TelephonyPort, 'hangup'>,
  attemptId: string,
  context: {
    log: Logger;
    /** False once the call has ended (its hangup event came): no more tries. */
    stillLive?: () => boolean;
    reason?: HangupReason;
    policy?: { attempts: number; firstDelayMs: number; maxDelayMs: number };
  },
): Promise<boolean> {
  const policy = context.policy ?? HANGUP_RETRY;
  let delay = policy.firstDelayMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await telephony.hangup(attemptId, context.reason);
      return true;
    } catch (error) {
      if (context.stillLive && !context.stillLive()) return true;
      if (attempt >= policy.attempts) {
        context.log.error({ err: error, attemptId, attempt }, 'could not hang the call up; giving up');
        return false;
      }
      context.log.warn({ err: error, attemptId, attempt, retryInMs: delay }, 'hang-up failed; retrying');
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, policy.maxDelayMs);
    }
  }
}
