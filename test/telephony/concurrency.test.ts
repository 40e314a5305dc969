import { describe, expect, it } from 'vitest';
import { startRig } from './support.ts';

describe('telephony over ARI: load', () => {
  it('carries 200 concurrent calls, each answered and bridged to its own agent, each ending exactly once', async () => {
    const calls = 200;
    const rig = await startRig(
      {
        // Slow enough that a loaded CI machine still bridges each call before its callee hangs up.
        clock: { speed: 5 },
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
      { trunks: { carrier: { callsPerSecond: 10_000, maxChannels: 1000 } } },
    );
    try {
      const ids = Array.from({ length: calls }, (_, i) => String(1000 + i));
      await Promise.all(ids.map((id) => rig.tel.loginAgent({ agentId: id, endpoint: `PJSIP/agent-${id}` })));
      const connected: Promise<unknown>[] = [];
      rig.tel.onEvent((e) => {
        if (e.type === 'answered') {
          connected.push(
            rig.tel.connect(e.attemptId, e.attemptId.slice(4)).then(
              () => 'ok',
              (error: Error) => error.message,
            ),
          );
        }
      });
      await Promise.all(
        ids.map((id) =>
          rig.tel.originate({
            attemptId: `att-${id}`,
            endpoint: `PJSIP/+86138${id}0005@carrier`,
            callerId: '4000',
            ringTimeoutSeconds: 30,
          }),
        ),
      );
      const hangups = await Promise.all(
        ids.map((id) => rig.log.waitFor('hangup', (e) => e.attemptId === `att-${id}`, 25_000)),
      );
      expect(new Set(await Promise.all(connected))).toEqual(new Set(['ok']));
      expect(hangups.every((h) => h.outcome === 'answered')).toBe(true);
      expect(rig.log.events.filter((e) => e.type === 'hangup')).toHaveLength(calls);
      expect(rig.log.events.filter((e) => e.type === 'connected')).toHaveLength(calls);
      expect(rig.sim.stats().peakChannels).toBeGreaterThan(calls + calls / 2);
      expect(rig.tel.snapshot().calls).toBe(0);
      expect(rig.sim.stats().channels).toBe(calls);
    } finally {
      await rig.close();
    }
  });
});
