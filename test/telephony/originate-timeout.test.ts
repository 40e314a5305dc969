import { afterEach, describe, expect, it } from 'vitest';
import { isTelephonyError } from '../../engine/telephony/index.ts';
import { originateRequest, type Rig, sleep, startRig } from './support.ts';

/**
 * An originate whose REST call gets no answer may still have reached Asterisk and ring: the
 * engine counts it as failed, so the adapter hangs that channel up by its id (it made the id)
 * until Asterisk confirms it is gone, never letting a customer answer an untracked call.
 */

const CHANNELS = /^\/channels(\/[^/]+)?$/;
const RINGS_LONG = { kind: 'answer' as const, ringMs: 60_000, talkMs: null };
const ANSWERS_AT_ONCE = { kind: 'answer' as const, ringMs: 0, talkMs: null };

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await sleep(10);
  expect(condition()).toBe(true);
}

describe('an originate that times out', () => {
  it('is hung up by its id although Asterisk never answered the originate, and its trunk slot comes back', async () => {
    rig = await startRig({ callees: { numbers: { '+8613800000006': RINGS_LONG } } }, { restTimeoutMs: 300 });
    rig.sim.withholdReplies({ method: 'POST', path: CHANNELS, carryOut: true });
    const attemptId = rig.tel.newCallId('c1-k1');
    const error = await rig.tel
      .originate(originateRequest(attemptId, '+8613800000006'))
      .catch((e: unknown) => e);

    expect(isTelephonyError(error, 'unavailable')).toBe(true);
    const reported = rig.log.of(attemptId);
    await until(() => rig?.sim.stats().channels === 0);
    await until(() => rig?.tel.snapshot().calls === 0);
    expect(rig.tel.snapshot().trunks).toEqual([expect.objectContaining({ inUse: 0 })]);
    // The engine already counts the attempt as failed: nothing more is reported about it.
    expect(rig.log.of(attemptId)).toEqual(reported);
    expect(reported).not.toContain('hangup');
  });

  it('keeps retrying the hang-up while Asterisk does not answer it either', async () => {
    rig = await startRig(
      { callees: { numbers: { '+8613800000006': RINGS_LONG } } },
      { restTimeoutMs: 300, reconnectInitialMs: 20 },
    );
    rig.sim.withholdReplies({ method: 'POST', path: CHANNELS, carryOut: true });
    rig.sim.withholdReplies({ method: 'DELETE', path: CHANNELS, count: 2 });
    const attemptId = rig.tel.newCallId('c1-k1');
    await rig.tel.originate(originateRequest(attemptId, '+8613800000006')).catch(() => {});

    await until(() => rig?.sim.stats().channels === 0);
    await until(() => rig?.tel.snapshot().calls === 0);
  });

  it('a customer who answers the channel meanwhile is hung up, not left in silence', async () => {
    rig = await startRig(
      { callees: { numbers: { '+8613800000005': ANSWERS_AT_ONCE } } },
      { restTimeoutMs: 300 },
    );
    // Neither the originate nor the first hang-up gets an answer: the person picks up meanwhile.
    rig.sim.withholdReplies({ method: 'POST', path: CHANNELS, carryOut: true });
    rig.sim.withholdReplies({ method: 'DELETE', path: CHANNELS, count: 1 });
    const attemptId = rig.tel.newCallId('c1-k1');
    await rig.tel.originate(originateRequest(attemptId, '+8613800000005')).catch(() => {});
    const reported = rig.log.of(attemptId);

    await until(() => rig?.sim.stats().channels === 0);
    await until(() => rig?.tel.snapshot().calls === 0);
    expect(rig.log.of(attemptId)).toEqual(reported);
    expect(reported).not.toContain('hangup');
  });

  it('an originate that Asterisk refuses is not retried as a hang-up: no channel exists', async () => {
    rig = await startRig({}, { restTimeoutMs: 300 });
    const before = rig.sim.stats().restRequests;
    const error = await rig.tel
      .originate(originateRequest(rig.tel.newCallId('c1-k1'), '+8613800000005', { endpoint: 'Nope/x' }))
      .catch((e: unknown) => e);
    expect(isTelephonyError(error, 'originate-failed')).toBe(true);
    expect(rig.sim.stats().restRequests).toBe(before + 1);
    expect(rig.tel.snapshot()).toMatchObject({ calls: 0 });
  });
});
