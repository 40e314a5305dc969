import type { EventEmitter } from 'node:events';
import ari, { type Client } from 'ari-client';
import {
  type AriSimulator,
  type AriSimulatorOptions,
  type AriTelephony,
  createAriTelephony,
  startAriSimulator,
  type TelephonyEvent,
} from '../../engine/telephony/index.ts';

/** Records every event of a port and waits for the ones a test expects. */
export class EventLog {
  readonly events: TelephonyEvent[] = [];
  private waiters: Array<{ match: (e: TelephonyEvent) => boolean; resolve: (e: TelephonyEvent) => void }> =
    [];

  push = (event: TelephonyEvent): void => {
    this.events.push(event);
    this.waiters = this.waiters.filter((w) => {
      if (!w.match(event)) return true;
      w.resolve(event);
      return false;
    });
  };

  waitFor<T extends TelephonyEvent['type']>(
    type: T,
    where: (e: Extract<TelephonyEvent, { type: T }>) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<Extract<TelephonyEvent, { type: T }>> {
    const match = (e: TelephonyEvent): e is Extract<TelephonyEvent, { type: T }> =>
      e.type === type && where(e as Extract<TelephonyEvent, { type: T }>);
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${type}`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e as Extract<TelephonyEvent, { type: T }>);
        },
      });
    });
  }

  of(attemptId: string): string[] {
    return this.events.filter((e) => 'attemptId' in e && e.attemptId === attemptId).map((e) => e.type);
  }
}

export interface Rig {
  sim: AriSimulator;
  tel: AriTelephony;
  log: EventLog;
  close(): Promise<void>;
}

/** A simulator on 127.0.0.1 (free port) and the real adapter connected to it. */
export async function startRig(
  simOptions: AriSimulatorOptions = {},
  telOptions: Partial<Parameters<typeof createAriTelephony>[0]> = {},
): Promise<Rig> {
  const sim = await startAriSimulator({ clock: { speed: 50 }, ...simOptions });
  const tel = createAriTelephony({
    url: sim.url,
    username: sim.username,
    password: sim.password,
    app: 'dialer',
    reconnectInitialMs: 50,
    ...telOptions,
  });
  const log = new EventLog();
  tel.onEvent(log.push);
  await tel.start();
  return {
    sim,
    tel,
    log,
    async close() {
      await tel.stop();
      await sim.stop();
    },
  };
}

export function customer(number: string): string {
  return `PJSIP/${number}@carrier`;
}

export function originateRequest(attemptId: string, number: string, extra: Record<string, unknown> = {}) {
  return { attemptId, endpoint: customer(number), callerId: '4000', ringTimeoutSeconds: 20, ...extra };
}

/** A raw ari-client connection, for driving the simulator exactly like the recorded traces. */
export async function rawClient(sim: AriSimulator): Promise<{ client: Client; emitter: EventEmitter }> {
  const client = await ari.connect(sim.url, sim.username, sim.password);
  return { client, emitter: client as unknown as EventEmitter };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
