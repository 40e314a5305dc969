/**
 * The simulator's sense of time. Simulated delays (ringing, talk, AMD, playback) are divided by
 * `speed`, so a 20 s call lasts 0.2 s at speed 100; ARI timestamps advance at the simulated rate
 * from the moment the simulator started, so they stay plausible (a call still "lasts" 20 s).
 * On shared time (`{ shared }`, the engine's manual clock in tests and the demo) every delay,
 * Asterisk's own latency included, is a timer of that time: nothing happens until it is moved on.
 */
export interface SimClock {
  readonly speed: number;
  /** Runs `fn` after `simMs` simulated milliseconds. */
  after(simMs: number, fn: () => void): SimTimer;
  /** Runs `fn` after Asterisk's own processing latency (REST → event): ~2 ms, not scaled. */
  latency(fn: () => void): SimTimer;
  /** Simulated milliseconds since start. */
  elapsedMs(): number;
  /** ARI timestamp format: `2026-11-24T15:45:54.258+0000`. */
  timestamp(): string;
}

export interface SimTimer {
  cancel(): void;
}

/** Time owned by someone else, that moves when they move it (the engine's manual clock fits). */
export interface SharedTime {
  now(): Date;
  after(ms: number, fn: () => void): () => void;
}

export type SimClockSetting = 'realtime' | { speed: number } | { shared: SharedTime };

/** Internal ARI latency (REST → event): real Asterisk takes ~2–4 ms. */
const INTERNAL_MS = 2;

export function createSimClock(setting: SimClockSetting = 'realtime', epoch = Date.now()): SimClock {
  if (typeof setting === 'object' && 'shared' in setting) return sharedSimClock(setting.shared);
  const speed = setting === 'realtime' ? 1 : setting.speed;
  if (!(speed > 0)) throw new RangeError('clock speed must be > 0');
  const startedAt = performance.now();
  const elapsedMs = () => (performance.now() - startedAt) * speed;
  const realTimer = (ms: number, fn: () => void): SimTimer => {
    const timer = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(timer) };
  };
  return {
    speed,
    after: (simMs, fn) => realTimer(simMs / speed, fn),
    latency: (fn) => realTimer(INTERNAL_MS, fn),
    elapsedMs,
    timestamp: () => ariTimestamp(new Date(epoch + elapsedMs())),
  };
}

function sharedSimClock(time: SharedTime): SimClock {
  const startedAt = time.now().getTime();
  const after = (simMs: number, fn: () => void): SimTimer => ({ cancel: time.after(simMs, fn) });
  return {
    speed: 1,
    after,
    latency: (fn) => after(INTERNAL_MS, fn),
    elapsedMs: () => time.now().getTime() - startedAt,
    timestamp: () => ariTimestamp(time.now()),
  };
}

export function ariTimestamp(date: Date): string {
  return date.toISOString().replace('Z', '+0000');
}
