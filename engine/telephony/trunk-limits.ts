import { setMaxListeners } from 'node:events';
import PQueue from 'p-queue';
import { TelephonyError } from './errors.ts';

/**
 * Per-trunk admission for customer legs: at most `callsPerSecond` originates in any rolling
 * second (p-queue `intervalCap` in strict mode, so bursts cannot straddle a window edge) and at
 * most `maxChannels` legs alive at once. Carriers reject or blacklist a trunk that exceeds its
 * contracted rate, so waiting here is cheaper than a refused call.
 */
export interface TrunkLimit {
  callsPerSecond: number;
  maxChannels: number;
}

export const DEFAULT_TRUNK_LIMIT: TrunkLimit = { callsPerSecond: 50, maxChannels: 1000 };

interface TrunkState {
  limit: TrunkLimit;
  rate: PQueue;
  inUse: number;
  waiting: Array<{ resolve: () => void; reject: (error: Error) => void }>;
}

export interface TrunkUsage {
  trunk: string;
  inUse: number;
  waiting: number;
  limit: TrunkLimit;
}

export class TrunkLimits {
  private readonly trunks = new Map<string, TrunkState>();
  private closed = false;
  /** Aborts rate-queue waits on close (a cleared p-queue task would never settle). */
  private readonly abort = new AbortController();

  constructor(
    private readonly limits: Readonly<Record<string, TrunkLimit>> = {},
    private readonly fallback: TrunkLimit = DEFAULT_TRUNK_LIMIT,
  ) {
    // Every waiting originate listens on this one signal.
    setMaxListeners(0, this.abort.signal);
  }

  private state(trunk: string): TrunkState {
    let state = this.trunks.get(trunk);
    if (!state) {
      const limit = this.limits[trunk] ?? this.fallback;
      state = {
        limit,
        rate: new PQueue({ intervalCap: limit.callsPerSecond, interval: 1000, strict: true }),
        inUse: 0,
        waiting: [],
      };
      this.trunks.set(trunk, state);
    }
    return state;
  }

  /** Waits for a channel slot, then for a rate slot; returns the function that frees the channel. */
  async acquire(trunk: string): Promise<() => void> {
    if (this.closed) throw new TelephonyError('limit', 'telephony is stopped');
    const state = this.state(trunk);
    if (state.inUse < state.limit.maxChannels) {
      state.inUse++;
    } else {
      // The slot is handed over by release(), so inUse is already counted for us.
      await new Promise<void>((resolve, reject) => state.waiting.push({ resolve, reject }));
    }
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const next = state.waiting.shift();
      if (next) next.resolve();
      else state.inUse--;
    };
    try {
      await state.rate.add(() => undefined, { signal: this.abort.signal });
    } catch (error) {
      release();
      throw this.closed ? new TelephonyError('limit', 'telephony is stopped') : error;
    }
    if (this.closed) {
      release();
      throw new TelephonyError('limit', 'telephony is stopped');
    }
    return release;
  }

  /** The limit that applies to a trunk (its own, or the fallback). */
  limitOf(trunk: string): TrunkLimit {
    return this.limits[trunk] ?? this.fallback;
  }

  usage(): TrunkUsage[] {
    return [...this.trunks].map(([trunk, s]) => ({
      trunk,
      inUse: s.inUse,
      waiting: s.waiting.length,
      limit: s.limit,
    }));
  }

  /** Rejects everyone waiting; used on stop. */
  close(): void {
    this.closed = true;
    for (const state of this.trunks.values()) {
      for (const w of state.waiting.splice(0)) w.reject(new TelephonyError('limit', 'telephony is stopped'));
    }
    this.abort.abort();
  }
}
