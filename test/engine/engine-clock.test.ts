import { describe, expect, it } from 'vitest';
import { manualEngineClock } from '../../engine/runner/engine-clock.ts';
import { lockstep } from '../../scripts/demo/lockstep.ts';

const EPOCH = Date.parse('2026-11-25T15:00:00Z');

describe('manual engine time', () => {
  it('fires the timers due by the new time in order of due time, each at its own moment', () => {
    const clock = manualEngineClock(EPOCH);
    const fired: Array<[string, number]> = [];
    const at = (name: string) => () => fired.push([name, clock.now().getTime() - EPOCH]);
    clock.after(300, at('c'));
    clock.after(100, at('a'));
    clock.after(100, at('a2'));
    const cancel = clock.after(200, at('cancelled'));
    clock.after(900, at('later'));
    cancel();
    clock.advance(500);
    expect(fired).toEqual([
      ['a', 100],
      ['a2', 100],
      ['c', 300],
    ]);
    expect(clock.now().getTime() - EPOCH).toBe(500);
    expect(clock.nextDue()).toBe(EPOCH + 900);
  });

  it('stands still until moved, however much real time passes', async () => {
    const clock = manualEngineClock(EPOCH);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(clock.now().getTime()).toBe(EPOCH);
  });
});

describe('lockstep', () => {
  const idleTelephony = { activity: () => ({ restInFlight: 0, framesReceived: 0 }) };
  const idleSimulator = { stats: () => ({ framesSent: 0 }) };

  it('does not move engine time while held work is pending, and moves on to the next timer once it settled', async () => {
    const clock = manualEngineClock(EPOCH);
    let release = () => {};
    const work = new Promise<void>((resolve) => {
      release = resolve;
    });
    void clock.hold(work);
    let fired = false;
    clock.after(1000, () => {
      fired = true;
    });
    const driver = lockstep({ clock, telephony: idleTelephony, simulator: idleSimulator });
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(fired).toBe(false);
      expect(clock.now().getTime()).toBe(EPOCH);
      release();
      for (let i = 0; i < 200 && !fired; i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(fired).toBe(true);
      expect(clock.now().getTime()).toBe(EPOCH + 1000);
    } finally {
      await driver.stop();
    }
  });

  it('does not move engine time while an event the simulator sent is unread or a REST call is in flight', async () => {
    const clock = manualEngineClock(EPOCH);
    clock.after(1000, () => {});
    const activity = { restInFlight: 1, framesReceived: 3 };
    const driver = lockstep({
      clock,
      telephony: { activity: () => activity },
      simulator: { stats: () => ({ framesSent: 4 }) },
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      activity.restInFlight = 0;
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(clock.now().getTime()).toBe(EPOCH);
      activity.framesReceived = 4;
      for (let i = 0; i < 200 && clock.now().getTime() === EPOCH; i += 1)
        await new Promise((resolve) => setTimeout(resolve, 5));
      expect(clock.now().getTime()).toBe(EPOCH + 1000);
    } finally {
      await driver.stop();
    }
  });

  it('stops at once while it waits for real time to catch up with a paced step', async () => {
    const clock = manualEngineClock(EPOCH);
    let fired = false;
    clock.after(3_600_000, () => {
      fired = true;
    });
    // At most real speed: the step to the timer is an hour of real time away.
    const driver = lockstep({ clock, telephony: idleTelephony, simulator: idleSimulator }, { maxSpeed: 1 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Resolves within the test's timeout, not after the hour; and time was not moved on.
    await driver.stop();
    expect(fired).toBe(false);
    expect(clock.now().getTime()).toBe(EPOCH);
  });
});
