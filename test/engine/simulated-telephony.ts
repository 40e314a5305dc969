import { afterEach } from 'vitest';
import {
  type EngineClock,
  type ManualEngineClock,
  manualEngineClock,
  scaledEngineClock,
} from '../../engine/runner/engine-clock.ts';
import {
  type AriTelephony,
  type AriTelephonyOptions,
  createAriTelephony,
} from '../../engine/telephony/ari/ari-telephony.ts';
import {
  type AriSimulator,
  type AriSimulatorOptions,
  startAriSimulator,
} from '../../engine/telephony/simulator/start-ari-simulator.ts';
import { demoEpoch } from '../../scripts/demo/demo-clock.ts';
import { type Lockstep, type LockstepOptions, lockstep } from '../../scripts/demo/lockstep.ts';

/**
 * Leak check: a test that leaves a simulator, its adapter or its lockstep running fails (they
 * would keep sockets and timers alive into the next test, as graphile-worker's pool check does).
 */
const running = new Set<string>();
let started = 0;
afterEach(() => {
  if (running.size === 0) return;
  const left = [...running];
  running.clear();
  throw new Error(`test left simulated telephony running (call stop()): ${left.join(', ')}`);
});

function track(kind: string): { done(): void } {
  const name = `${kind} #${++started}`;
  running.add(name);
  return { done: () => running.delete(name) };
}

/** The real ARI adapter connected to `sim` on `clock`; `overrides` replace its options. */
function adapterTo(sim: AriSimulator, clock: EngineClock, overrides: Partial<AriTelephonyOptions> = {}) {
  return createAriTelephony({
    url: sim.url,
    username: sim.username,
    password: sim.password,
    app: sim.app,
    clock,
    ...overrides,
  });
}

export interface SimulatedTelephony {
  clock: EngineClock;
  telephony: AriTelephony;
  stop(): Promise<void>;
}

/**
 * The ARI simulator at `speed`× on a free port, the real ARI adapter connected to it over
 * sockets, and the engine clock both share (starting within US calling hours). Accelerated real
 * time: the engine's own latency becomes simulated seconds, so a test on it may assert
 * invariants only, never rates or timings (those belong on `manualTelephony`). `adapter`
 * overrides the adapter's options (a test of its logging passes its `logger`).
 */
export async function simulatedTelephony(
  speed: number,
  options: { adapter?: Partial<AriTelephonyOptions> } = {},
): Promise<SimulatedTelephony> {
  const clock = scaledEngineClock(speed, demoEpoch(new Date()).getTime());
  const sim = await startAriSimulator({ port: 0, clock: { speed }, seed: 4 });
  const tracked = track(`simulatedTelephony(${speed})`);
  const telephony = adapterTo(sim, clock, options.adapter);
  return {
    clock,
    telephony,
    async stop() {
      await telephony.stop().catch(() => {});
      await sim.stop();
      tracked.done();
    },
  };
}

export interface ManualTelephony extends SimulatedTelephony {
  clock: ManualEngineClock;
  sim: AriSimulator;
  /**
   * Starts moving engine time (lockstep: a step only once the engine, the adapter and the
   * simulator are quiescent). Until then engine time stands still: set the test up first.
   */
  run(options?: LockstepOptions): Lockstep;
}

/**
 * The ARI simulator and the real ARI adapter over sockets on one manual engine time (starting
 * within US calling hours), which moves only when `run()` has been called and nothing is
 * pending. A test on it sees the same engine moments however loaded the machine is. `speed` is
 * the clock's nominal rate (the runner's tick in engine time is tickMs × speed).
 */
export async function manualTelephony(
  options: {
    speed?: number;
    simulator?: Omit<AriSimulatorOptions, 'clock' | 'port'>;
    adapter?: Partial<AriTelephonyOptions>;
  } = {},
): Promise<ManualTelephony> {
  const clock = manualEngineClock(demoEpoch(new Date()).getTime(), { speed: options.speed ?? 20 });
  const sim = await startAriSimulator({ seed: 4, ...options.simulator, port: 0, clock: { shared: clock } });
  const tracked = track('manualTelephony');
  const telephony = adapterTo(sim, clock, options.adapter);
  let driver: Lockstep | undefined;
  return {
    clock,
    sim,
    telephony,
    run(lockstepOptions) {
      driver ??= lockstep({ clock, telephony, simulator: sim }, lockstepOptions);
      return driver;
    },
    async stop() {
      await driver?.stop();
      await telephony.stop().catch(() => {});
      await sim.stop();
      tracked.done();
    },
  };
}
