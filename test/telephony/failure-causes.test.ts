import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTelephonyError } from '../../engine/telephony/index.ts';
import { originateRequest, type Rig, sleep, startRig } from './support.ts';

/** Each way a customer leg fails, end to end: simulator → ari-client → adapter → hangup outcome. */

describe('telephony over ARI: failure causes', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({
      callees: {
        numbers: {
          '+8613800000021': { kind: 'rejected' },
          '+8613800000052': { kind: 'answer', ringMs: 30_000, talkMs: null },
        },
      },
    });
  });
  afterAll(async () => {
    await rig.close();
  });

  it.each([
    ['busy over a SIP trunk (cause 17)', 'PJSIP/+8613800000000@carrier', 'busy', 17, 'BUSY'],
    [
      'busy through a Local channel (cause 0, Dial BUSY)',
      'Local/+8613800000010@sim-customer',
      'busy',
      0,
      'BUSY',
    ],
    [
      'congestion over a SIP trunk (cause 34)',
      'PJSIP/+8613800000001@carrier',
      'congestion',
      34,
      'CONGESTION',
    ],
    [
      'congestion through a Local channel (cause 0)',
      'Local/+8613800000011@sim-customer',
      'congestion',
      0,
      'CONGESTION',
    ],
    [
      'unallocated number (cause 1, Dial NOANSWER)',
      'PJSIP/9991234567@carrier',
      'invalid_number',
      1,
      'NOANSWER',
    ],
    ['call rejected (cause 21)', 'PJSIP/+8613800000021@carrier', 'rejected', 21, 'NOANSWER'],
    ['missing dialplan context (cause 0, no Dial)', 'Local/123@no-such-context', 'failed', 0, undefined],
  ])('%s', async (_what, endpoint, outcome, cause, dialStatus) => {
    const attemptId = `att-${outcome}-${cause}-${endpoint.length}`;
    await rig.tel.originate({ ...originateRequest(attemptId, ''), endpoint });
    const hangup = await rig.log.waitFor('hangup', (e) => e.attemptId === attemptId);
    expect(hangup).toMatchObject({ outcome, cause, answered: false });
    expect(hangup.dialStatus).toBe(dialStatus);
  });

  it('no answer: the originate timeout ends the leg with cause 19 and no final Dial', async () => {
    await rig.tel.originate(originateRequest('att-noanswer', '+8613800000002', { ringTimeoutSeconds: 15 }));
    const hangup = await rig.log.waitFor('hangup', (e) => e.attemptId === 'att-noanswer');
    expect(hangup).toMatchObject({ outcome: 'no_answer', cause: 19, causeText: 'User alerting, no answer' });
    expect(hangup.dialStatus).toBeUndefined();
    expect(rig.log.of('att-noanswer')).toEqual(['ringing', 'hangup']);
  });

  it('unknown channel technology: the originate itself is refused with a typed error, and no events follow', async () => {
    const error = await rig.tel
      .originate({ ...originateRequest('att-badtech', ''), endpoint: 'NoSuchTech/123' })
      .catch((e: unknown) => e);
    expect(isTelephonyError(error, 'originate-failed')).toBe(true);
    expect((error as Error).message).toContain('Allocation failed');
    expect(rig.log.of('att-badtech')).toEqual([]);
  });

  it('cancelled: we hang up while it rings', async () => {
    await rig.tel.originate(originateRequest('att-cancel', '+8613800000052', { ringTimeoutSeconds: 60 }));
    await rig.log.waitFor('ringing', (e) => e.attemptId === 'att-cancel');
    await rig.tel.hangup('att-cancel');
    const hangup = await rig.log.waitFor('hangup', (e) => e.attemptId === 'att-cancel');
    expect(hangup).toMatchObject({ outcome: 'cancelled', answered: false });
  });

  it('hanging up a call that is already gone is not an error', async () => {
    await expect(rig.tel.hangup('att-never-existed')).resolves.toBeUndefined();
  });

  it('originate while Asterisk is unreachable fails as unavailable; the trunk slot is free once Asterisk confirms no channel', async () => {
    const rig2 = await startRig({}, { restTimeoutMs: 300 });
    try {
      const restarting = rig2.sim.restart({ downMs: 1000, loadingMs: 0 });
      for (let i = 0; i < 500 && rig2.tel.snapshot().connected; i++) await sleep(10);
      const error = await rig2.tel
        .originate(originateRequest(rig2.tel.newCallId('down'), '+8613800000005'))
        .catch((e: unknown) => e);
      expect(isTelephonyError(error, 'unavailable')).toBe(true);
      await restarting;
      // Never sent (the link was down: freed at once) or sent without an answer (hung up by its
      // id once Asterisk is back, which has no such channel): either way the slot comes back.
      for (let i = 0; i < 500 && rig2.tel.snapshot().trunks[0]?.inUse !== 0; i++) await sleep(20);
      expect(rig2.tel.snapshot().trunks).toEqual([expect.objectContaining({ trunk: 'carrier', inUse: 0 })]);
    } finally {
      await rig2.close();
    }
  });
});
