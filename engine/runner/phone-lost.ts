/**
 * When to ring a lost agent phone again: 1 s, 2 s, 4 s … up to 30 s apart (engine time), ten
 * tries (about three minutes, longer than an Asterisk restart), then the session ends as before.
 * A backoff, not a loop: an Asterisk that is down is not asked ten times a second (issue #11
 * saw 154 rings in 10 s), and the agents are still logged in when it is back.
 */
export const RING_BACKOFF = { firstMs: 1000, maxMs: 30_000, tries: 10 } as const;

/** The wait before try `tries` (1-based); undefined once the tries are used up. */
export function ringBackoff(tries: number): number | undefined {
  if (tries > RING_BACKOFF.tries) return undefined;
  return Math.min(RING_BACKOFF.maxMs, RING_BACKOFF.firstMs * 2 ** (tries - 1));
}
