import { describe, expect, it } from 'vitest';
import { TrunkLimits } from '../../engine/telephony/index.ts';
import { originateRequest, startRig } from './support.ts';

describe('trunk limits', () => {
  it('never lets more than maxChannels legs of a trunk be alive at once', async () => {
    const limits = new TrunkLimits({ carrier: { callsPerSecond: 1000, maxChannels: 2 } });
    const first = await limits.acquire('carrier');
    await limits.acquire('carrier');
    let third = false;
    const pending = limits.acquire('carrier').then((release) => {
      third = true;
      return release;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(third).toBe(false);
    first();
    (await pending)();
    expect(third).toBe(true);
    expect(limits.usage()).toEqual([expect.objectContaining({ trunk: 'carrier', inUse: 1, waiting: 0 })]);
  });

  it('admits at most callsPerSecond originates within one second, per trunk', async () => {
    const limits = new TrunkLimits({ slow: { callsPerSecond: 3, maxChannels: 100 } });
    let started = 0;
    const all = Array.from({ length: 6 }, () => limits.acquire('slow').then(() => started++));
    const other = await limits.acquire('another-trunk');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(started).toBe(3);
    other();
    limits.close();
    await Promise.allSettled(all);
  });

  it('rejects waiters when telephony stops', async () => {
    const limits = new TrunkLimits({ carrier: { callsPerSecond: 10, maxChannels: 1 } });
    await limits.acquire('carrier');
    const waiting = limits.acquire('carrier');
    limits.close();
    await expect(waiting).rejects.toThrow('telephony is stopped');
  });

  it('holds originates beyond the channel limit until earlier calls end (through the adapter)', async () => {
    const rig = await startRig(
      {
        callees: {
          mode: 'distribution',
          distribution: {
            answer: 0,
            machine: 0,
            busy: 1,
            noAnswer: 0,
            congestion: 0,
            invalid: 0,
            rejected: 0,
          },
        },
      },
      { trunks: { carrier: { callsPerSecond: 200, maxChannels: 3 } } },
    );
    try {
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          rig.tel.originate(originateRequest(`att-${i}`, `+86138000001${i}`)),
        ),
      );
      for (let i = 0; i < 12; i++) await rig.log.waitFor('hangup', (e) => e.attemptId === `att-${i}`);
      expect(rig.sim.stats().peakChannels).toBeLessThanOrEqual(3);
      expect(rig.sim.stats().originates).toBe(12);
    } finally {
      await rig.close();
    }
  });
});
