import type { Client } from 'ari-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AriSimulator, startAriSimulator } from '../../engine/telephony/index.ts';
import { rawClient, sleep } from './support.ts';
import { loadTrace, type RawEvent, Recorder, ringingFirst, signatures } from './trace-support.ts';

/**
 * The simulator against the PJSIP-trunk recordings of Asterisk 22 (../shared/ari-traces/pjsip_*):
 * customers dialed as `PJSIP/<number>@sim-trunk`, one channel per call (no Local `;2` half).
 * Compared as in trace-conformance.test.ts: type, order, channel state, cause, dial status.
 */
const SPEED = 20;
const destroyed = (id: string) => (e: RawEvent) => e.type === 'ChannelDestroyed' && e.channel?.id === id;

describe('ARI simulator conformance with the PJSIP trunk recordings', () => {
  let sim: AriSimulator;
  let client: Client;
  let rec: Recorder;

  beforeEach(async () => {
    sim = await startAriSimulator({ clock: { speed: SPEED }, callees: { dtmf: '' } });
    ({ client } = await rawClient(sim));
    rec = new Recorder(client);
    await client.start('dialer');
  });
  afterEach(async () => {
    client.stop();
    await sim.stop();
  });

  const originate = (id: string, number: string, extra: Record<string, unknown> = {}) =>
    client.channels.originate({
      endpoint: `PJSIP/${number}@sim-trunk`,
      app: 'dialer',
      appArgs: `customer,${id}`,
      callerId: '"Dialer" <4000>',
      timeout: 30,
      channelId: id,
      ...extra,
    });

  const cases: Array<[string, string, string, Record<string, unknown>?]> = [
    ['pjsip_busy', 'att-pb-1', '+8613800000000'],
    ['pjsip_congestion', 'att-pc-1', '+8613800000001'],
    ['pjsip_no_answer_timeout_15s', 'att-pd-1', '+8613800000002', { timeout: 15 }],
    ['pjsip_unallocated_number', 'att-ph-1', '9991234567'],
    ['pjsip_answered_customer_hangs_up', 'att-pa-1', '7703081234'],
  ];
  for (const [trace, id, number, extra] of cases) {
    it(`${trace}: the same events about the one PJSIP channel`, async () => {
      await originate(id, number, extra);
      await rec.until(destroyed(id), 20_000);
      expect(signatures(rec.events)).toEqual(signatures(loadTrace(trace).events));
    });
  }

  it('channel_id_prefix_conflict: ids clash only when equal ignoring case, never as prefixes', async () => {
    const trace = loadTrace('channel_id_prefix_conflict');
    const status = (request: Promise<unknown>) =>
      request.then(
        () => true,
        (error: Error) => error.message,
      );
    const results = [
      await status(originate('att-pfx-12', '+8613800000002')),
      await status(originate('att-pfx-1', '+8613800000002')),
      await status(originate('ATT-PFX-12', '+8613800000002')),
      await status(originate('att-pfx-123', '+8613800000002')),
      await status(client.channels.get({ channelId: 'att-pfx-1' })),
    ];
    // ari-client's error message is Asterisk's response body, as the recording shows it.
    expect(results).toEqual((trace.rest ?? []).slice(0, 5).map((r) => (r.ok ? true : r.error)));
    await sleep(3000 / SPEED);
    await client.channels.hangup({ channelId: 'att-pfx-12' });
    await client.channels.hangup({ channelId: 'att-pfx-123' });
    await rec.until(destroyed('att-pfx-123'));
    expect(ringingFirst(signatures(rec.events))).toEqual(ringingFirst(signatures(trace.events)));
  });

  it('pjsip_app_hangs_up_ringing_call: our hang-up of a ringing call', async () => {
    const trace = loadTrace('pjsip_app_hangs_up_ringing_call');
    const id = trace.events.find((e) => e.channel)?.channel?.id ?? 'att-pr-1';
    await originate(id, '+8613800000002');
    await sleep(3000 / SPEED);
    await client.channels.hangup({ channelId: id });
    await rec.until(destroyed(id));
    expect(ringingFirst(signatures(rec.events))).toEqual(ringingFirst(signatures(trace.events)));
  });

  it('customer_hangs_up_in_bridge_agent_stays: a PJSIP customer leaves the Local agent bridge by hanging up, the agent stays', async () => {
    client.stop();
    await sim.stop();
    // As recorded: the customer answers at once and hangs up 4 s after answering.
    sim = await startAriSimulator({
      clock: { speed: SPEED },
      callees: { numbers: { '7700041234': { kind: 'answer', ringMs: 0, talkMs: 4000 } } },
    });
    ({ client } = await rawClient(sim));
    rec = new Recorder(client);
    await client.start('dialer');
    const stasisStart = (id: string) => (e: RawEvent) => e.type === 'StasisStart' && e.channel?.id === id;
    await client.channels.originate({
      endpoint: 'Local/105@sim-agent',
      app: 'dialer',
      appArgs: 'agent,105',
      channelId: 'agent-105-hb',
    });
    await rec.until(stasisStart('agent-105-hb'));
    await client.bridges.create({ type: 'mixing', bridgeId: 'bridge-hb-1', name: 'agent-105' });
    await client.bridges.addChannel({ bridgeId: 'bridge-hb-1', channel: 'agent-105-hb' });
    await originate('att-hb-1', '7700041234');
    await rec.until(stasisStart('att-hb-1'));
    await client.bridges.addChannel({ bridgeId: 'bridge-hb-1', channel: 'att-hb-1' });
    await rec.until(destroyed('att-hb-1'));
    await sleep(3000 / SPEED);
    const bridge = await client.bridges.get({ bridgeId: 'bridge-hb-1' });
    expect(bridge.channels).toEqual(['agent-105-hb']);
    await client.channels.hangup({ channelId: 'agent-105-hb' });
    await rec.until(destroyed('agent-105-hb'));
    const trace = loadTrace('customer_hangs_up_in_bridge_agent_stays');
    const ofChannel = (events: RawEvent[], id: string) =>
      signatures(events.filter((e) => (e.channel ?? e.peer)?.id === id));
    expect(ofChannel(rec.events, 'att-hb-1')).toEqual(ofChannel(trace.events, 'att-hb-1'));
    expect(ofChannel(rec.events, 'agent-105-hb')).toEqual(ofChannel(trace.events, 'agent-105-hb'));
  });

  it('bridge_pjsip_customer_local_agent: with codec_resample a PJSIP customer and a Local agent share the bridge until the app hangs both up', async () => {
    client.stop();
    await sim.stop();
    // As recorded: the customer answers at once and talks 30 s.
    sim = await startAriSimulator({
      clock: { speed: SPEED },
      callees: { numbers: { '7700301234': { kind: 'answer', ringMs: 0, talkMs: 30_000 } } },
    });
    ({ client } = await rawClient(sim));
    rec = new Recorder(client);
    await client.start('dialer');
    const entered = (id: string) => (e: RawEvent) =>
      e.type === 'ChannelEnteredBridge' && e.channel?.id === id;
    await client.channels.originate({
      endpoint: 'Local/104@sim-agent',
      app: 'dialer',
      appArgs: 'agent,104',
      channelId: 'agent-104-ok',
    });
    await rec.until((e) => e.type === 'StasisStart' && e.channel?.id === 'agent-104-ok');
    await client.bridges.create({ type: 'mixing', bridgeId: 'bridge-tf-2', name: 'agent-104' });
    await client.bridges.addChannel({ bridgeId: 'bridge-tf-2', channel: 'agent-104-ok' });
    await originate('att-tf-2', '7700301234');
    await rec.until((e) => e.type === 'StasisStart' && e.channel?.id === 'att-tf-2');
    await client.bridges.addChannel({ bridgeId: 'bridge-tf-2', channel: 'att-tf-2' });
    await rec.until(entered('att-tf-2'));
    await sleep(4000 / SPEED);
    const bridge = await client.bridges.get({ bridgeId: 'bridge-tf-2' });
    expect([...bridge.channels].sort()).toEqual(['agent-104-ok', 'att-tf-2']);
    await client.channels.hangup({ channelId: 'att-tf-2' });
    await rec.until(destroyed('att-tf-2'));
    await client.channels.hangup({ channelId: 'agent-104-ok' });
    await rec.until(destroyed('agent-104-ok'));
    await client.bridges.destroy({ bridgeId: 'bridge-tf-2' });
    await rec.until((e) => e.type === 'BridgeDestroyed');
    const trace = loadTrace('bridge_pjsip_customer_local_agent');
    const ofChannel = (events: RawEvent[], id: string) =>
      signatures(events.filter((e) => (e.channel ?? e.peer)?.id === id));
    expect(ofChannel(rec.events, 'att-tf-2')).toEqual(ofChannel(trace.events, 'att-tf-2'));
    expect(ofChannel(rec.events, 'agent-104-ok')).toEqual(ofChannel(trace.events, 'agent-104-ok'));
  });
});
