import type { Client } from 'ari-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AriSimulator, startAriSimulator } from '../../engine/telephony/index.ts';
import { rawClient, sleep } from './support.ts';
import { loadTrace, type RawEvent, Recorder, signatures } from './trace-support.ts';

/**
 * The simulator against Asterisk 22's own recordings (../shared/ari-traces): a real ari-client
 * drives the simulator through the steps of each recorded scenario, and the events about our
 * channels (ids without the Local `;2` suffix), Dial events, bridges, playbacks and recordings
 * must match the recording in type, order, channel state, cause, dial status and arguments.
 * Channel-variable values are left out (they carry Asterisk's internal channel numbers).
 */

/** Slow enough that the seconds between traced steps stay well apart on a loaded machine. */
const SPEED = 20;
const destroyed = (id: string) => (e: RawEvent) => e.type === 'ChannelDestroyed' && e.channel?.id === id;
const stasisStart = (id: string) => (e: RawEvent) => e.type === 'StasisStart' && e.channel?.id === id;

describe('ARI simulator conformance with the recorded Asterisk traces', () => {
  let sim: AriSimulator;
  let client: Client;
  let rec: Recorder;

  const useSimulator = async (speed: number) => {
    sim = await startAriSimulator({ clock: { speed }, callees: { dtmf: '' } });
    ({ client } = await rawClient(sim));
    rec = new Recorder(client);
    await client.start('dialer');
  };
  beforeEach(() => useSimulator(SPEED));

  afterEach(async () => {
    client.stop();
    await sim.stop();
  });

  const originate = (id: string, number: string, extra: Record<string, unknown> = {}) =>
    client.channels.originate({
      endpoint: `Local/${number}@sim-customer`,
      app: 'dialer',
      appArgs: 'customer',
      channelId: id,
      timeout: 30,
      ...extra,
    });

  it('answered_customer_hangs_up: Dial, Ringing, answer, StasisStart on answer, cause 16', async () => {
    await originate('att-answered-1', '+8613800000005', {
      appArgs: 'customer,att-answered-1',
      callerId: 'Dialer <4000>',
    });
    await rec.until(destroyed('att-answered-1'));
    expect(signatures(rec.events)).toEqual(signatures(loadTrace('answered_customer_hangs_up').events));
  });

  it('busy: Dial BUSY and our channel destroyed with cause 0', async () => {
    await originate('att-busy-1', '+8613800000000');
    await rec.until(destroyed('att-busy-1'));
    expect(signatures(rec.events)).toEqual(signatures(loadTrace('busy').events));
  });

  it('congestion: Dial CONGESTION and cause 0', async () => {
    await originate('att-congestion-1', '+8613800000001');
    await rec.until(destroyed('att-congestion-1'));
    expect(signatures(rec.events)).toEqual(signatures(loadTrace('congestion').events));
  });

  it('no_answer_timeout_15s: cause 19 at the timeout, no final Dial', async () => {
    await originate('att-noanswer-1', '+8613800000002', { timeout: 15 });
    await rec.until(destroyed('att-noanswer-1'));
    expect(signatures(rec.events)).toEqual(signatures(loadTrace('no_answer_timeout_15s').events));
  });

  it('unallocated_number: Dial NOANSWER but cause 1', async () => {
    await originate('att-unalloc-1', '9991234567');
    await rec.until(destroyed('att-unalloc-1'));
    expect(signatures(rec.events)).toEqual(signatures(loadTrace('unallocated_number').events));
  });

  it('bad_endpoint: unknown technology fails the REST call; a missing context ends at once with cause 0', async () => {
    const trace = loadTrace('bad_endpoint');
    const refused = await client.channels
      .originate({ endpoint: 'NoSuchTech/123', app: 'dialer', channelId: 'att-bad-1' })
      .then(
        () => 'accepted',
        (error: Error) => error.message,
      );
    expect(refused).toBe(trace.rest?.[0]?.error);
    await client.channels.originate({
      endpoint: 'Local/123@no-such-context',
      app: 'dialer',
      channelId: 'att-bad-2',
    });
    await rec.until(destroyed('att-bad-2'));
    expect(signatures(rec.events)).toEqual(signatures(trace.events));
  });

  it('agent_bridge_record: agent parked, customer added, bridge recorded, customer left alone, recording finished', async () => {
    // Three steps (agent hangs up, recording ends, customer hangs up) ~2 s apart: a slower clock
    // keeps them apart even when other test files load the machine.
    const slow = 4;
    client.stop();
    await sim.stop();
    await useSimulator(slow);
    await client.channels.originate({
      endpoint: 'Local/101@sim-agent',
      app: 'dialer',
      appArgs: 'agent,101',
      channelId: 'agent-101',
    });
    await rec.until(stasisStart('agent-101'));
    await client.bridges.create({ type: 'mixing', bridgeId: 'bridge-agent-101', name: 'agent-101' });
    await client.bridges.addChannel({ bridgeId: 'bridge-agent-101', channel: 'agent-101' });
    await originate('att-bridge-1', '+8613800000006');
    await rec.until(stasisStart('att-bridge-1'));
    await client.bridges.addChannel({ bridgeId: 'bridge-agent-101', channel: 'att-bridge-1' });
    await client.bridges.record({ bridgeId: 'bridge-agent-101', name: 'rec-att-bridge-1', format: 'wav' });
    await rec.until((e) => e.type === 'RecordingStarted');
    await sleep(3000 / slow);
    await client.channels.hangup({ channelId: 'agent-101' });
    await rec.until(destroyed('att-bridge-1'));
    await rec.until((e) => e.type === 'RecordingFinished');
    const stored = await client.recordings.getStored({ recordingName: 'rec-att-bridge-1' });
    expect(stored).toMatchObject({ name: 'rec-att-bridge-1', format: 'wav' });
    await client.bridges.destroy({ bridgeId: 'bridge-agent-101' });
    await rec.until((e) => e.type === 'BridgeDestroyed');
    expect(signatures(rec.events)).toEqual(signatures(loadTrace('agent_bridge_record').events));
  });

  it('amd_human_and_machine: nothing until StasisStart after AMD, with the result as arguments', async () => {
    const amd = (id: string, number: string) =>
      client.channels.originate({
        endpoint: `Local/${number}@sim-customer`,
        context: 'dialer-amd',
        extension: 's',
        priority: 1,
        channelId: id,
        timeout: 30,
      });
    await amd('att-amd-human', '+8613800000007');
    await amd('att-amd-machine', '+8613800000003');
    await rec.until((e) => e.type === 'StasisEnd' && e.channel?.id === 'att-amd-machine', 15_000);
    await sleep(20);
    expect(signatures(rec.events)).toEqual(signatures(loadTrace('amd_human_and_machine').events));
  });

  it('abandon_message_then_hangup: playback started and finished, app hangup is cause 32 soft then 16', async () => {
    await originate('att-abandon-1', '+8613800000008');
    await rec.until(stasisStart('att-abandon-1'));
    await client.channels.play({
      channelId: 'att-abandon-1',
      media: 'sound:beep',
      playbackId: 'pb-abandon-1',
    });
    await rec.until((e) => e.type === 'PlaybackFinished');
    await client.channels.hangup({ channelId: 'att-abandon-1' });
    await rec.until(destroyed('att-abandon-1'));
    expect(signatures(rec.events)).toEqual(signatures(loadTrace('abandon_message_then_hangup').events));
  });

  it('create_then_dial: StasisStart first in state Down, then dialing, no second StasisStart', async () => {
    await client.channels.create({
      endpoint: 'Local/+8613800000009@sim-customer',
      app: 'dialer',
      appArgs: 'customer',
      channelId: 'att-create-dial-1',
    });
    await client.channels.dial({ channelId: 'att-create-dial-1', timeout: 30 });
    await rec.until(destroyed('att-create-dial-1'));
    expect(signatures(rec.events)).toEqual(signatures(loadTrace('create_then_dial').events));
  });

  it('dtmf_from_customer: DTMF sent toward the callee, then an app hangup', async () => {
    await originate('att-dtmf-1', '+8613800000005');
    await rec.until(stasisStart('att-dtmf-1'));
    await client.channels.sendDTMF({ channelId: 'att-dtmf-1', dtmf: '1#' });
    await sleep(1500 / SPEED);
    await client.channels.hangup({ channelId: 'att-dtmf-1' });
    await rec.until(destroyed('att-dtmf-1'));
    expect(signatures(rec.events)).toEqual(signatures(loadTrace('dtmf_from_customer').events));
  });

  it('asterisk_restart_while_connected: clean hang-ups, reconnect after the restart, nothing replayed', async () => {
    const trace = loadTrace('asterisk_restart_while_connected');
    const emitter = client as unknown as NodeJS.EventEmitter;
    const clientEvents: string[] = [];
    emitter.on('WebSocketReconnecting', () => clientEvents.push('WebSocketReconnecting'));
    emitter.on('WebSocketConnected', () => clientEvents.push('WebSocketConnected'));
    await client.channels.originate({
      endpoint: 'Local/101@sim-agent',
      app: 'dialer',
      appArgs: 'agent,101',
      channelId: 'agent-101',
    });
    await rec.until(stasisStart('agent-101'));
    const before = rec.events.length;
    await sim.restart({ downMs: 150, loadingMs: 100 });
    for (let i = 0; i < 200 && !clientEvents.includes('WebSocketConnected'); i++) await sleep(10);

    const restartAt = trace.events.findIndex((e) => e.type.startsWith('(test)'));
    const recorded = trace.events.slice(restartAt + 1).filter((e) => !e.type.startsWith('('));
    const dedupe = (types: string[]) => types.filter((t, i) => t !== types[i - 1]);
    expect(dedupe(rec.events.slice(before).map((e) => e.type))).toEqual(dedupe(recorded.map((e) => e.type)));
    expect(clientEvents[0]).toBe('WebSocketReconnecting');
    expect(clientEvents.at(-1)).toBe('WebSocketConnected');
    expect(await client.channels.list()).toEqual([]);
  });
});
