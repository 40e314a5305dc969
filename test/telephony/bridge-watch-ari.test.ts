import { afterEach, describe, expect, it } from 'vitest';
import { originateRequest, type Rig, rawClient, startRig } from './support.ts';

const LOCAL_AGENT = { agentId: '103', endpoint: 'Local/103@sim-agent' };
const PERSON = '+8613800000005';
const callees = { numbers: { [PERSON]: { kind: 'answer' as const, ringMs: 500, talkMs: 20_000 } } };

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function answeredCustomer(r: Rig, attemptId: string) {
  await r.tel.loginAgent(LOCAL_AGENT);
  await r.tel.originate(originateRequest(attemptId, PERSON));
  await r.log.waitFor('answered', (e) => e.attemptId === attemptId);
}

describe('connecting a customer to an agent over ARI (trace bridge_translation_failure)', () => {
  it('without codec_resample the customer drops out of the bridge 2 ms later: no `connected`, the customer left unexplained and still up', async () => {
    rig = await startRig({ callees, modules: { missing: ['codec_resample'] } });
    await answeredCustomer(rig, 'att-xlate-1');
    await rig.tel.connect('att-xlate-1', '103');
    const left = await rig.log.waitFor('customer-left-bridge', (e) => e.attemptId === 'att-xlate-1');
    expect(left.reason).toBe('unexplained');
    expect(rig.log.of('att-xlate-1')).not.toContain('connected');
    // Still up, in Stasis, alone: the engine decides (bridge again, or message and hang up).
    expect(rig.sim.stats().channels).toBe(2);
    await rig.tel.hangup('att-xlate-1');
  });

  it('with codec_resample both legs stay: `connected` comes once the bridge holds both', async () => {
    rig = await startRig({ callees });
    await answeredCustomer(rig, 'att-xlate-2');
    await rig.tel.connect('att-xlate-2', '103');
    await rig.log.waitFor('connected', (e) => e.attemptId === 'att-xlate-2');
    expect(rig.log.of('att-xlate-2')).toEqual(['ringing', 'answered', 'connected']);
    await rig.tel.hangup('att-xlate-2');
    const left = await rig.log.waitFor('customer-left-bridge', (e) => e.attemptId === 'att-xlate-2');
    expect(left.reason).toBe('hangup');
  });

  it('reports a customer taken out of the bridge without a hang-up as unexplained', async () => {
    rig = await startRig({ callees });
    await answeredCustomer(rig, 'att-xlate-3');
    await rig.tel.connect('att-xlate-3', '103');
    await rig.log.waitFor('connected', (e) => e.attemptId === 'att-xlate-3');
    const { client } = await rawClient(rig.sim);
    const bridges = (await client.bridges.list()) as unknown as Array<{ id: string; channels: string[] }>;
    const agentBridge = bridges.find((b) => b.channels.includes('att-xlate-3'));
    await client.bridges.removeChannel({ bridgeId: agentBridge?.id ?? '', channel: 'att-xlate-3' });
    const left = await rig.log.waitFor('customer-left-bridge', (e) => e.attemptId === 'att-xlate-3');
    expect(left.reason).toBe('unexplained');
    await rig.tel.hangup('att-xlate-3');
  });
});
