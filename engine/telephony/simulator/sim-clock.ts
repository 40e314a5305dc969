/**
 * The simulator's sense of time. Simulated delays (ringing, talk, AMD, playback) are divided by
 * `speed`, so a 20 s call lasts 0.2 s at speed 100; ARI timestamps advance at the simulated rate
 * from the moment the simulator started, so they stay plausible (a call still "lasts" 20 s).
 */
export interface SimClock {
  readonly speed: number;
  /** Runs `fn` after `simMs` simulated milliseconds. */
  after(simMs: number, fn: () => void): NodeJS.Timeout;
  /** Simulated milliseconds since start. */
  elapsedMs(): number;
  /** ARI timestamp format: `2026-11-24T15:45:54.258+0000`. */
  timestamp(): string;
}

export type SimClockSetting = 'realtime' | { speed: number };

export function createSimClock(setting: SimClockSetting = 'realtime', epoch = Date.now()): SimClock {
  const speed = setting === 'realtime' ? 1 : setting.speed;
  if (!(speed > 0)) throw new RangeError('clock speed must be > 0');
  const startedAt = performance.now();
  const elapsedMs = () => (performance.now() - startedAt) * speed;
  return {
    speed,
    after: (simMs, fn) => setTimeout(fn, Math.max(0, simMs / speed)),
    elapsedMs,
    timestamp: () => ariTimestamp(new Date(epoch + elapsedMs())),
  };
}

export function ariTimestamp(date: Date): string {
  return date.toISOString().replace('Z', '+0000');
}
