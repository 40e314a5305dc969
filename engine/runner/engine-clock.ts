import type { Clock } from '../platform/clock.ts';

/**
 * The engine's time: "now" for the database and the pure core, and timers for the deadlines
 * it keeps (connect within 2 s, wrap-up, ticks). One object so that an accelerated clock (the
 * demo, the tests against the simulator at speed N) scales both together.
 */
export interface EngineClock extends Clock {
  /** Calls `fn` after `ms` of engine time; returns a canceller. */
  after(ms: number, fn: () => void): () => void;
  /** Resolves after `ms` of engine time. */
  sleep(ms: number): Promise<void>;
  /** Engine milliseconds per real millisecond (1 in production). */
  readonly speed: number;
}

/** Real time. */
export function systemEngineClock(): EngineClock {
  return scaledEngineClock(1, Date.now());
}

/**
 * Time running `speed` times faster than real time from `epoch` (engine time = epoch at start).
 * Matches the ARI simulator's clock of the same speed.
 */
export function scaledEngineClock(speed: number, epoch: number = Date.now()): EngineClock {
  if (!(speed > 0)) throw new RangeError('clock speed must be > 0');
  const startedAt = performance.now();
  const after = (ms: number, fn: () => void) => {
    const timer = setTimeout(fn, Math.max(0, ms / speed));
    return () => clearTimeout(timer);
  };
  return {
    speed,
    now: () => new Date(speed === 1 ? Date.now() : epoch + (performance.now() - startedAt) * speed),
    after,
    sleep: (ms) => new Promise((resolve) => after(ms, resolve)),
  };
}
