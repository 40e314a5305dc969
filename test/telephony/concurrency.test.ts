import { describe, expect, it } from 'vitest';
import type { TelephonyEvent } from '../../engine/telephony/index.ts';
import { manualTelephony } from '../engine/simulated-telephony.ts';
import { EventLog } from './support.ts';

describe('telephony over ARI: load', () => {
  it('carries 200 concurrent calls, each answered and bridged to its own agent, each ending exactly once', async () => {
    const calls = 200;
    // Simulator and adapter on one manual time moved in lockstep: a loaded machine answers the
    // 400 concurrent requests more slowly in real time, but no callee hangs up meanwhile.
    const rig = await manualTelephony({
      simulator: {
        callees: {
          mode: 'distribution',
          distribution: {
            answer: 1,
            machine: 0,
            busy: 0,
            noAnswer: 0,
            congestion: 0,
            invalid: 0,
            rejected: 0,
            ringMs: { min: 1000, max: 3000 },
            talkMs: { min: 8000, max: 10000 },
            calleeHangsUp: 1,
          },
        },
      },
      adapter: {
        trunks: { carrier: { callsPerSecond: 10_000, maxChannels: 1000 } },
        // The REST timeout is real time: it bounds a dead Asterisk, not a busy test machine.
        restTimeoutMs: 60_000,
      },
    });
    const { telephony: tel, clock } = rig;
    const log = new EventLog();
    tel.onEvent(log.push);
    try {
      await tel.start();
      rig.run();
      const ids = Array.from({ length: calls }, (_, i) => String(1000 + i));
      // Requests go out 25 at a time: on a loaded machine 400 at once take the simulator more
      // than the 5 s after which Node's HTTP agent times the socket out, and ari-client's
      // swagger-client then aborts the request without ever settling it (an adapter matter).
      const inBatches = async (each: (id: string) => Promise<unknown>) => {
        for (let i = 0; i < ids.length; i += 25) await Promise.all(ids.slice(i, i + 25).map(each));
      };
      await inBatches((id) => tel.loginAgent({ agentId: id, endpoint: `PJSIP/agent-${id}` }));
      const connected: Promise<unknown>[] = [];
      tel.onEvent((e: TelephonyEvent) => {
        if (e.type === 'answered') {
          // Held: engine time waits for the connect, as it waits for the engine's own.
          connected.push(
            clock.hold(
              tel.connect(e.attemptId, e.attemptId.slice(4)).then(
                () => 'ok',
                (error: Error) => error.message,
              ),
            ),
          );
        }
      });
      // Engine time stands still until every call is out: all 200 ring at once.
      await clock.hold(
        inBatches((id) =>
          tel.originate({
            attemptId: `att-${id}`,
            endpoint: `PJSIP/+86138${id}0005@carrier`,
            callerId: '4000',
            ringTimeoutSeconds: 30,
          }),
        ),
      );
      const hangups = await Promise.all(
        ids.map((id) => log.waitFor('hangup', (e) => e.attemptId === `att-${id}`, 240_000)),
      );
      expect(new Set(await Promise.all(connected))).toEqual(new Set(['ok']));
      expect(hangups.every((h) => h.outcome === 'answered')).toBe(true);
      expect(log.events.filter((e) => e.type === 'hangup')).toHaveLength(calls);
      expect(log.events.filter((e) => e.type === 'connected')).toHaveLength(calls);
      expect(rig.sim.stats().peakChannels).toBeGreaterThan(calls + calls / 2);
      expect(tel.snapshot().calls).toBe(0);
      expect(rig.sim.stats().channels).toBe(calls);
    } finally {
      await rig.stop();
    }
  }, 300_000);
});
