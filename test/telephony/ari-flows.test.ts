import { afterEach, describe, expect, it, vi } from 'vitest';
import { isTelephonyError } from '../../engine/telephony/index.ts';
import { originateRequest, type Rig, startRig } from './support.ts';

/** Every flow of DESIGN.md §4 through the real adapter and ari-client, over sockets, against the simulator. */

const AGENT = { agentId: '101', endpoint: 'PJSIP/agent-101' };

describe('telephony over ARI: call flows', () => {
  let rig: Rig;
  afterEach(async () => {
    await rig.close();
  });

  it('logs an agent in: the nailed-up leg is answered and parked in a mixing bridge of its own', async () => {
    rig = await startRig();
    const leg = await rig.tel.loginAgent(AGENT);
    expect(leg.agentId).toBe('101');
    // Both ids carry this engine's tag; the agent's bridge is one per login.
    expect(leg.channelId).toMatch(new RegExp(`^${rig.tel.engineTag}-agent-101\\.[0-9a-f]{10}$`));
    expect(leg.bridgeId).toMatch(new RegExp(`^${rig.tel.engineTag}-bridge-agent-101\\.[0-9a-f]{10}$`));
    const bridge = await fetch(`${rig.sim.url}/ari/bridges/${leg.bridgeId}`, {
      headers: { authorization: `Basic ${Buffer.from('dialer:dialer').toString('base64')}` },
    }).then((r) => r.json() as Promise<{ channels: string[]; bridge_type: string }>);
    expect(bridge).toMatchObject({ channels: [leg.channelId], bridge_type: 'mixing' });
    await rig.tel.logoutAgent('101');
    // Asterisk answers the hang-up request before the channel is gone, as the simulator does.
    await vi.waitFor(() => expect(rig.sim.stats()).toMatchObject({ channels: 0 }), { timeout: 10_000 });
  });

  it('originates, the person answers, joins the agent bridge, the bridge is recorded until the customer leaves', async () => {
    rig = await startRig({
      callees: { numbers: { '+8613800000005': { kind: 'answer', ringMs: 2000, talkMs: 10_000 } } },
    });
    await rig.tel.loginAgent(AGENT);
    await rig.tel.originate(originateRequest('att-1', '+8613800000005'));
    await rig.log.waitFor('answered', (e) => e.attemptId === 'att-1');
    await rig.tel.connect('att-1', '101');
    await rig.log.waitFor('connected', (e) => e.attemptId === 'att-1');
    await rig.tel.record({ agentId: '101' }, { name: 'rec-att-1' });
    const hangup = await rig.log.waitFor('hangup', (e) => e.attemptId === 'att-1');
    expect(hangup).toMatchObject({ outcome: 'answered', cause: 16, dialStatus: 'ANSWER', answered: true });
    const recording = await rig.log.waitFor('recording-finished');
    expect(recording).toMatchObject({ recordingName: 'rec-att-1', target: { agentId: '101' } });
    expect(rig.log.of('att-1')).toEqual([
      'ringing',
      'answered',
      'connected',
      'customer-left-bridge',
      'hangup',
    ]);
    // The agent stays parked for the next customer.
    expect(rig.sim.stats().channels).toBe(1);
  });

  it('plays the identification message to an abandoned call, then hangs up', async () => {
    rig = await startRig({
      callees: { numbers: { '+8613800000006': { kind: 'answer', ringMs: 1000, talkMs: null } } },
    });
    await rig.tel.originate(originateRequest('att-ab', '+8613800000006'));
    await rig.log.waitFor('answered', (e) => e.attemptId === 'att-ab');
    const played = await rig.tel.play('att-ab', ['sound:dialer-identification']);
    await rig.tel.hangup('att-ab');
    expect(played).toEqual({ finished: true });
    const hangup = await rig.log.waitFor('hangup', (e) => e.attemptId === 'att-ab');
    expect(hangup).toMatchObject({ outcome: 'answered', cause: 16, answered: true });
  });

  it('reports play as unfinished when the customer hangs up during the message', async () => {
    rig = await startRig({
      callees: { numbers: { '+8613800000006': { kind: 'answer', ringMs: 1000, talkMs: 500 } } },
      sounds: { defaultMs: 5000 },
    });
    await rig.tel.originate(originateRequest('att-short', '+8613800000006'));
    await rig.log.waitFor('answered', (e) => e.attemptId === 'att-short');
    expect(await rig.tel.play('att-short', ['sound:long'])).toEqual({ finished: false });
  });

  it('agentless: plays a prompt and collects the keys the customer presses', async () => {
    rig = await startRig({
      callees: {
        numbers: {
          '+8613800000008': { kind: 'answer', ringMs: 1000, talkMs: null, dtmf: '42#', dtmfDelayMs: 300 },
        },
      },
    });
    await rig.tel.originate(originateRequest('att-ivr', '+8613800000008'));
    await rig.log.waitFor('answered', (e) => e.attemptId === 'att-ivr');
    const answer = await rig.tel.collectDtmf('att-ivr', {
      prompt: ['sound:survey-q1'],
      maxDigits: 5,
      timeoutMs: 2000,
    });
    expect(answer).toEqual({ digits: '42', reason: 'terminator' });
    expect(
      rig.log.events.filter((e) => e.type === 'dtmf').map((e) => (e.type === 'dtmf' ? e.digit : '')),
    ).toEqual(['4', '2', '#']);
    await rig.tel.hangup('att-ivr');
    await rig.log.waitFor('hangup', (e) => e.attemptId === 'att-ivr');
  });

  it('agentless: stops collecting at maxDigits, and times out when nobody presses anything', async () => {
    rig = await startRig({
      callees: {
        numbers: {
          '+8613800000008': { kind: 'answer', ringMs: 500, talkMs: null, dtmf: '123', dtmfDelayMs: 100 },
          '+8613800000009': { kind: 'answer', ringMs: 500, talkMs: null, dtmf: '' },
        },
      },
    });
    await rig.tel.originate(originateRequest('att-max', '+8613800000008'));
    await rig.tel.originate(originateRequest('att-silent', '+8613800000009'));
    await rig.log.waitFor('answered', (e) => e.attemptId === 'att-max');
    await rig.log.waitFor('answered', (e) => e.attemptId === 'att-silent');
    const [max, silent] = await Promise.all([
      rig.tel.collectDtmf('att-max', { prompt: ['sound:q'], maxDigits: 2, timeoutMs: 2000 }),
      rig.tel.collectDtmf('att-silent', { prompt: ['sound:q'], maxDigits: 1, timeoutMs: 50 }),
    ]);
    expect(max).toEqual({ digits: '12', reason: 'max-digits' });
    expect(silent).toEqual({ digits: '', reason: 'timeout' });
  });

  it.each([
    ['+8613800000005', 'HUMAN'],
    ['+8613800000003', 'MACHINE'],
    ['+8613800000007', 'NOTSURE'],
  ])('AMD: %s is answered with AMD status %s through the dialplan context', async (number, status) => {
    rig = await startRig();
    await rig.tel.originate(originateRequest('att-amd', number, { amd: { context: 'dialer-amd' } }));
    const answered = await rig.log.waitFor('answered', (e) => e.attemptId === 'att-amd');
    expect(answered.amd?.status).toBe(status);
    await rig.tel.hangup('att-amd');
    const hangup = await rig.log.waitFor('hangup', (e) => e.attemptId === 'att-amd');
    expect(hangup).toMatchObject({ outcome: 'answered', answered: true });
  });

  it('AMD: a callee who never answers ends as no_answer (pre-answer events reach the app)', async () => {
    rig = await startRig({ callees: { numbers: { '+8613800000015': { kind: 'no-answer' } } } });
    await rig.tel.originate(
      originateRequest('att-amd-na', '+8613800000015', { amd: { context: 'dialer-amd' } }),
    );
    const hangup = await rig.log.waitFor('hangup', (e) => e.attemptId === 'att-amd-na');
    expect(hangup).toMatchObject({ outcome: 'no_answer', cause: 19 });
  });

  it('tells the engine when an agent leg is lost, and the customer is left in the bridge', async () => {
    rig = await startRig({
      callees: { numbers: { '+8613800000005': { kind: 'answer', ringMs: 500, talkMs: null } } },
    });
    const leg = await rig.tel.loginAgent(AGENT);
    await rig.tel.originate(originateRequest('att-2', '+8613800000005'));
    await rig.log.waitFor('answered', (e) => e.attemptId === 'att-2');
    await rig.tel.connect('att-2', '101');
    await rig.log.waitFor('connected');
    rig.sim.hangupFromFarEnd(leg.channelId);
    const lost = await rig.log.waitFor('agent-leg-lost');
    expect(lost).toMatchObject({ agentId: '101', cause: 16 });
    expect(rig.log.of('att-2')).not.toContain('hangup');
    await rig.tel.hangup('att-2');
    await rig.log.waitFor('hangup', (e) => e.attemptId === 'att-2');
    await expect(rig.tel.connect('att-x', '101')).rejects.toSatisfy((e) => isTelephonyError(e, 'not-found'));
  });

  it('refuses a ring timeout under 15 seconds and a duplicate attempt id', async () => {
    rig = await startRig();
    await expect(
      rig.tel.originate(originateRequest('att-3', '+8613800000002', { ringTimeoutSeconds: 10 })),
    ).rejects.toSatisfy((e) => isTelephonyError(e, 'rejected'));
    await rig.tel.originate(originateRequest('att-3', '+8613800000002'));
    await expect(rig.tel.originate(originateRequest('att-3', '+8613800000002'))).rejects.toSatisfy((e) =>
      isTelephonyError(e, 'rejected'),
    );
  });
});
