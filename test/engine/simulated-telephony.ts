import { type EngineClock, scaledEngineClock } from '../../engine/runner/engine-clock.ts';
import { type AriTelephony, createAriTelephony } from '../../engine/telephony/ari/ari-telephony.ts';
import { startAriSimulator } from '../../engine/telephony/simulator/start-ari-simulator.ts';
import { demoEpoch } from '../../scripts/demo/demo-clock.ts';

export interface SimulatedTelephony {
  clock: EngineClock;
  telephony: AriTelephony;
  stop(): Promise<void>;
}

/**
 * The ARI simulator at `speed`× on a free port, the real ARI adapter connected to it over
 * sockets, and the engine clock both share (starting within US calling hours).
 */
export async function simulatedTelephony(speed: number): Promise<SimulatedTelephony> {
  const clock = scaledEngineClock(speed, demoEpoch(new Date()).getTime());
  const sim = await startAriSimulator({ port: 0, clock: { speed }, seed: 4 });
  const telephony = createAriTelephony({
    url: sim.url,
    username: sim.username,
    password: sim.password,
    app: sim.app,
    clock,
  });
  return {
    clock,
    telephony,
    async stop() {
      await telephony.stop().catch(() => {});
      await sim.stop();
    },
  };
}
