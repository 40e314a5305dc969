import { afterEach, describe, expect, it } from 'vitest';
import { originateRequest, type Rig, startRig } from './support.ts';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('the two moments of an answer over ARI (trace amd_notsure_and_machine_pjsip)', () => {
  it('with AMD, reports the SIP answer (channel Up) apart from, and before, the verdict', async () => {
    rig = await startRig();
    await rig.tel.originate(
      originateRequest('att-sip-1', '+8613800000005', { amd: { context: 'dialer-amd' } }),
    );
    const answered = await rig.log.waitFor('answered', (e) => e.attemptId === 'att-sip-1');
    expect(answered.amd?.status).toBe('HUMAN');
    expect(answered.sipAnsweredAt).toBeInstanceOf(Date);
    // AMD listens after the answer: the verdict comes later (1.5 s of simulated time).
    expect(answered.sipAnsweredAt!.getTime()).toBeLessThan(answered.at.getTime());
    await rig.tel.hangup('att-sip-1');
  });

  it('without AMD, the SIP answer is the answer', async () => {
    rig = await startRig();
    await rig.tel.originate(originateRequest('att-sip-2', '+8613800000005'));
    const answered = await rig.log.waitFor('answered', (e) => e.attemptId === 'att-sip-2');
    expect(answered.amd).toBeUndefined();
    expect(answered.sipAnsweredAt!.getTime()).toBeLessThanOrEqual(answered.at.getTime());
    await rig.tel.hangup('att-sip-2');
  });
});
