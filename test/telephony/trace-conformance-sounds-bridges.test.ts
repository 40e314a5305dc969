import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'ari-client';
import { afterEach, describe, expect, it } from 'vitest';
import { type AriSimulator, startAriSimulator } from '../../engine/telephony/index.ts';
import { rawClient, sleep } from './support.ts';

/**
 * The simulator against two recordings of the PJSIP session (../shared/ari-traces) whose
 * behaviours it learnt for issue #11: a missing sound (playback_missing_sound) and a bridge with
 * no codec path between its legs (bridge_translation_failure). Compared: the playback and bridge
 * events about our channels, in order, and the REST answers the recording shows.
 */
const TRACES = join(import.meta.dirname, '../../../shared/ari-traces');

interface RawEvent {
  type: string;
  channel?: { id: string };
  bridge?: { id: string };
  playback?: { id: string; state: string };
}

interface Trace {
  rest: Array<{ call: string; status?: number; ok: boolean }>;
  events: RawEvent[];
}

const loadTrace = (name: string) => JSON.parse(readFileSync(join(TRACES, `${name}.json`), 'utf8')) as Trace;

/** Playback and bridge events about our channels (no Local `;2` halves). */
function mediaAndBridges(events: RawEvent[]): string[] {
  return events
    .filter((e) => /^(Playback|ChannelEnteredBridge|ChannelLeftBridge)/.test(e.type))
    .filter((e) => !e.channel?.id.endsWith(';2'))
    .map((e) =>
      [e.type, e.channel?.id, e.bridge?.id, e.playback ? `${e.playback.id}:${e.playback.state}` : undefined]
        .filter((p) => p !== undefined)
        .join(' '),
    );
}

async function until(events: RawEvent[], match: (e: RawEvent) => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!events.some(match)) {
    if (Date.now() > deadline) throw new Error('timed out waiting for an event');
    await sleep(2);
  }
}

const statusOf = async (request: Promise<unknown>) =>
  request.then(
    () => 200,
    (error: Error) => (/not found/i.test(error.message) ? 404 : 500),
  );

describe('ARI simulator conformance: sounds and bridges (PJSIP recordings)', () => {
  let sim: AriSimulator;
  let client: Client;
  const events: RawEvent[] = [];

  const start = async (options: Parameters<typeof startAriSimulator>[0]) => {
    events.length = 0;
    sim = await startAriSimulator({ clock: { speed: 20 }, ...options });
    ({ client } = await rawClient(sim));
    (client as unknown as NodeJS.EventEmitter).on('*', (e: RawEvent) => events.push(e));
    await client.start('dialer');
  };
  afterEach(async () => {
    client.stop();
    await sim.stop();
  });

  it('playback_missing_sound: sounds.get 404 / 200; the missing sound plays as failed at once, a real one to the end', async () => {
    const trace = loadTrace('playback_missing_sound');
    await start({
      sounds: { missing: ['does-not-exist'] },
      callees: { numbers: { '7700001234': { kind: 'answer', ringMs: 0, talkMs: null } } },
    });
    const traced = (call: string) => trace.rest.find((r) => r.call.startsWith(call))?.status;
    expect(await statusOf(client.sounds.get({ soundId: 'does-not-exist' }))).toBe(
      traced('sounds.get(does-not-exist)'),
    );
    expect(await statusOf(client.sounds.get({ soundId: 'hello-world' }))).toBe(
      traced('sounds.get(hello-world)'),
    );
    await client.channels.originate({
      endpoint: 'PJSIP/7700001234@sim-trunk',
      app: 'dialer',
      channelId: 'att-pm-1',
      timeout: 30,
    });
    await until(events, (e) => e.type === 'StasisStart' && e.channel?.id === 'att-pm-1');
    await client.channels.play({
      channelId: 'att-pm-1',
      media: 'sound:does-not-exist',
      playbackId: 'pb-missing-1',
    });
    await until(events, (e) => e.type === 'PlaybackFinished' && e.playback?.id === 'pb-missing-1');
    expect(await statusOf(client.playbacks.get({ playbackId: 'pb-missing-1' }))).toBe(
      traced('playbacks.get(pb-missing-1'),
    );
    await client.channels.play({
      channelId: 'att-pm-1',
      media: 'sound:hello-world',
      playbackId: 'pb-hello-1',
    });
    await until(events, (e) => e.type === 'PlaybackFinished' && e.playback?.id === 'pb-hello-1');
    await client.channels.hangup({ channelId: 'att-pm-1' });
    expect(mediaAndBridges(events)).toEqual(mediaAndBridges(trace.events));
  });

  it('bridge_translation_failure: without codec_resample the customer enters and leaves 2 ms later, stays up; bridges.get lists the agent only', async () => {
    const trace = loadTrace('bridge_translation_failure');
    await start({
      modules: { missing: ['codec_resample'] },
      callees: { numbers: { '7700301234': { kind: 'answer', ringMs: 0, talkMs: null } } },
    });
    await client.channels.originate({
      endpoint: 'Local/103@sim-agent',
      app: 'dialer',
      channelId: 'agent-103-tf',
    });
    await until(events, (e) => e.type === 'StasisStart' && e.channel?.id === 'agent-103-tf');
    await client.bridges.create({ type: 'mixing', bridgeId: 'bridge-tf-1' });
    await client.bridges.addChannel({ bridgeId: 'bridge-tf-1', channel: 'agent-103-tf' });
    await client.channels.originate({
      endpoint: 'PJSIP/7700301234@sim-trunk',
      app: 'dialer',
      channelId: 'att-tf-1',
      timeout: 30,
    });
    await until(events, (e) => e.type === 'StasisStart' && e.channel?.id === 'att-tf-1');
    await client.bridges.addChannel({ bridgeId: 'bridge-tf-1', channel: 'att-tf-1' });
    await until(events, (e) => e.type === 'ChannelLeftBridge' && e.channel?.id === 'att-tf-1');
    const bridge = (await client.bridges.get({ bridgeId: 'bridge-tf-1' })) as unknown as {
      channels: string[];
    };
    expect(bridge.channels).toEqual(['agent-103-tf']);
    // Left, yet still up: no hang-up of its own.
    expect(events.some((e) => e.type === 'ChannelHangupRequest' && e.channel?.id === 'att-tf-1')).toBe(false);
    await client.channels.hangup({ channelId: 'att-tf-1' });
    await until(events, (e) => e.type === 'ChannelDestroyed' && e.channel?.id === 'att-tf-1');
    await client.channels.hangup({ channelId: 'agent-103-tf' });
    await until(events, (e) => e.type === 'ChannelLeftBridge' && e.channel?.id === 'agent-103-tf');
    expect(mediaAndBridges(events)).toEqual(mediaAndBridges(trace.events));
  });
});
