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
  /**
   * Engine milliseconds per real millisecond (1 in production). A manual clock has no rate of
   * its own: there it is the nominal rate by which real-time settings (the runner's tick, the
   * adapter's DTMF wait) are converted to engine time.
   */
  readonly speed: number;
  /**
   * Work done at the present moment of engine time (a loop pass, a call's event, a timer's
   * consequence). Real and accelerated time flow on regardless; a manual clock is not moved on
   * by its driver while such work is pending. Absent: nothing to wait for.
   */
  hold?<T>(work: Promise<T>): Promise<T>;
  /**
   * Inside held work: a wait for something that happens later in engine time (a prompt played
   * out, a phone answering). The holder stops holding time while it waits, or it would wait
   * forever on a manual clock.
   */
  awaitLater?<T>(wait: Promise<T>): Promise<T>;
}

/** `work`, counted as pending at the present moment of engine time when the clock cares. */
export function holdTime<T>(clock: EngineClock, work: Promise<T>): Promise<T> {
  return clock.hold ? clock.hold(work) : work;
}

/** `wait` (inside held work), during which the holder lets engine time move on. */
export function awaitLater<T>(clock: EngineClock, wait: Promise<T>): Promise<T> {
  return clock.awaitLater ? clock.awaitLater(wait) : wait;
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

/**
 * Engine time that moves only when told to (`advanceTo`), firing the timers that fall due in
 * the order of their due times (ties in the order they were set), each at its own moment. The
 * ARI simulator can run on the same time (its `{ shared: clock }` setting), so engine and
 * simulated Asterisk never drift apart however slow the machine is. `lockstep()` (scripts/demo)
 * moves it on only while nothing is pending: no held work, no REST call, no event in transit.
 */
export interface ManualEngineClock extends EngineClock {
  hold<T>(work: Promise<T>): Promise<T>;
  awaitLater<T>(wait: Promise<T>): Promise<T>;
  /** Moves engine time to `at` (ms since the epoch), firing every timer due by then. */
  advanceTo(at: number): void;
  /** Moves engine time on by `ms`. */
  advance(ms: number): void;
  /** Due time of the earliest pending timer; undefined when none is set. */
  nextDue(): number | undefined;
  /** Held work that has not settled yet, less the held work waiting on later engine time. */
  readonly holding: number;
  /** Timers set and neither fired nor cancelled (a test that ends with some left leaked them). */
  readonly timers: number;
}

interface ManualTimer {
  due: number;
  seq: number;
  fn: () => void;
}

export function manualEngineClock(epoch: number, options: { speed?: number } = {}): ManualEngineClock {
  const speed = options.speed ?? 1;
  if (!(speed > 0)) throw new RangeError('clock speed must be > 0');
  let now = epoch;
  let seq = 0;
  let holding = 0;
  // Kept sorted by (due, seq); timers are few (one per call phase), so insertion is cheap enough.
  const queue: ManualTimer[] = [];
  const after = (ms: number, fn: () => void) => {
    const timer: ManualTimer = { due: now + Math.max(0, ms), seq: seq++, fn };
    let i = queue.length;
    while (i > 0 && (queue[i - 1] as ManualTimer).due > timer.due) i -= 1;
    queue.splice(i, 0, timer);
    return () => {
      const at = queue.indexOf(timer);
      if (at >= 0) queue.splice(at, 1);
    };
  };
  const advanceTo = (at: number) => {
    for (;;) {
      const first = queue[0];
      if (!first || first.due > at) break;
      queue.shift();
      now = Math.max(now, first.due);
      first.fn();
    }
    now = Math.max(now, at);
  };
  return {
    speed,
    now: () => new Date(now),
    after,
    sleep: (ms) => new Promise((resolve) => after(ms, resolve)),
    hold<T>(work: Promise<T>): Promise<T> {
      holding += 1;
      return work.finally(() => {
        holding -= 1;
      });
    },
    awaitLater<T>(wait: Promise<T>): Promise<T> {
      holding -= 1;
      return wait.finally(() => {
        holding += 1;
      });
    },
    advanceTo,
    advance: (ms) => advanceTo(now + ms),
    nextDue: () => queue[0]?.due,
    get holding() {
      return holding;
    },
    get timers() {
      return queue.length;
    },
  };
}
