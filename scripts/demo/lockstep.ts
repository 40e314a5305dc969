import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ManualEngineClock } from '../../engine/runner/engine-clock.ts';

/** What lockstep watches to tell that everything due at the present moment is done. */
export interface LockstepParts {
  /** The manual clock that engine and simulator share. */
  clock: ManualEngineClock;
  /** The ARI adapter: REST calls in flight, event frames read. */
  telephony: { activity(): { restInFlight: number; framesReceived: number } };
  /** The ARI simulator: event frames written. */
  simulator: { stats(): { framesSent: number } };
}

export interface LockstepOptions {
  /**
   * Largest step of engine time between two checks (ms). Unset: straight to the next timer, since
   * once everything is quiet nothing can happen before it (every engine and simulator delay is a
   * timer of the clock); with no timer set, time waits for something to set one.
   */
  maxStepMs?: number;
  /**
   * Engine milliseconds per real millisecond at most (the demo's speed): lockstep then also
   * waits for real time, never running ahead of it. Unset: as fast as the engine settles.
   */
  maxSpeed?: number;
  /**
   * Real milliseconds without any change of the watched counters after which a step is taken
   * anyway (held work that waits on later engine time without saying so would otherwise stop
   * time for good). Counted in `stalls`.
   */
  stallMs?: number;
}

export interface Lockstep {
  /** Steps of engine time taken so far. */
  readonly steps: number;
  /** Steps taken by the stall rule rather than on quiescence. */
  readonly stalls: number;
  /** Stops moving time at once (also out of a wait for real time to catch up); resolves once the loop has left. */
  stop(): Promise<void>;
}

/**
 * Moves a manual engine clock on, from timer to timer (or in steps of at most `maxStepMs`), each
 * step only once the system is quiescent: no held engine work (loop passes, call events, timer
 * consequences), no ARI REST call in flight, no event frame sent by the simulator and not yet
 * read by the adapter. The engine and the
 * simulated Asterisk therefore see the same sequence of engine moments however loaded the
 * machine is: a slow machine takes longer in real time, not in engine time.
 */
export function lockstep(parts: LockstepParts, options: LockstepOptions = {}): Lockstep {
  const { clock } = parts;
  const maxStepMs = options.maxStepMs ?? Number.POSITIVE_INFINITY;
  const stallMs = options.stallMs ?? 5000;
  const realStart = performance.now();
  const engineStart = clock.now().getTime();
  let running = true;
  let steps = 0;
  let stalls = 0;
  /** Real-time waits of the loop, cut short by stop(): a paced step can be far off in real time. */
  const wakers = new Set<() => void>();
  const realWait = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      wakers.add(wake);
    });

  const signature = () => {
    const a = parts.telephony.activity();
    return `${clock.holding}/${a.restInFlight}/${a.framesReceived}/${parts.simulator.stats().framesSent}`;
  };
  const quiet = () => {
    const a = parts.telephony.activity();
    return (
      clock.holding <= 0 && a.restInFlight === 0 && a.framesReceived >= parts.simulator.stats().framesSent
    );
  };

  /** Resolves once quiet on two turns of the event loop in a row (I/O callbacks had their turn). */
  const settled = async (): Promise<'quiet' | 'stalled' | 'stopped'> => {
    let seen = signature();
    let changedAt = performance.now();
    let quietTurns = 0;
    for (;;) {
      await nextTurn();
      if (!running) return 'stopped';
      if (quiet()) {
        quietTurns += 1;
        if (quietTurns >= 2) return 'quiet';
        continue;
      }
      quietTurns = 0;
      const now = signature();
      if (now !== seen) {
        seen = now;
        changedAt = performance.now();
      } else if (performance.now() - changedAt > stallMs) {
        return 'stalled';
      } else {
        // Waiting on I/O (database, sockets): let it come rather than spin.
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
  };

  const loop = (async () => {
    while (running) {
      const state = await settled();
      if (state === 'stopped') break;
      if (state === 'stalled') stalls += 1;
      const now = clock.now().getTime();
      const due = clock.nextDue();
      const target = Math.min(now + maxStepMs, due !== undefined ? Math.max(due, now) : Infinity);
      if (!Number.isFinite(target)) {
        // Nothing is due at any time: only something outside engine time (a test acting, a
        // request) can start work now.
        await realWait(5);
        continue;
      }
      if (options.maxSpeed !== undefined) {
        // Never ahead of real time × speed: wait for the wall clock to catch up.
        const aheadMs = (target - engineStart) / options.maxSpeed - (performance.now() - realStart);
        if (aheadMs > 0) await realWait(aheadMs);
        if (!running) break;
      }
      clock.advanceTo(target);
      steps += 1;
    }
  })();

  return {
    get steps() {
      return steps;
    },
    get stalls() {
      return stalls;
    },
    async stop() {
      running = false;
      for (const wake of [...wakers]) wake();
      await loop;
    },
  };
}
