import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Client } from 'ari-client';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { type AriSimulator, startAriSimulator } from '../../engine/telephony/index.ts';
import { rawClient, sleep } from './support.ts';
import { loadTrace, type RawEvent, Recorder, signatures } from './trace-support.ts';

/**
 * The simulator against the recordings of Asterisk 22 losing its app or going away
 * (../shared/ari-traces): ws_drop_app_reconnects, originate_while_asterisk_down and
 * asterisk_down_60s, driven step by step with a real ari-client as recorded. Events are compared
 * as in trace-conformance.test.ts (type, order, channel state, cause, dial status, arguments).
 * Where ari-client's own reconnect tries are waited out (asterisk_down_60s), its backoff runs on
 * the simulator's time scale (reconnectAtSimulatorSpeed), so the ~43 s it takes on Asterisk are
 * ~2 s here; the tries and the giving up are ari-client's own.
 */
const SPEED = 20;
const destroyed = (id: string) => (e: RawEvent) => e.type === 'ChannelDestroyed' && e.channel?.id === id;
const stasisStart = (id: string) => (e: RawEvent) => e.type === 'StasisStart' && e.channel?.id === id;
const about = (id: string) => (e: RawEvent) => (e.channel ?? e.peer)?.id === id;
/** Channel ids as ARI lists them, without the `;2` halves of the recording's Local callees. */
const ours = (ids: string[]) => ids.filter((id) => !id.endsWith(';2')).sort();

/** Settles with `{ settled: false }` if `request` has not settled within `ms` real milliseconds. */
async function within(request: Promise<unknown>, ms: number): Promise<{ settled: boolean }> {
  request.catch(() => {});
  return Promise.race([
    request.then(
      () => ({ settled: true }),
      () => ({ settled: true }),
    ),
    sleep(ms).then(() => ({ settled: false })),
  ]);
}

/** Counts the client's connection events as ari-client emits them. */
function connectionEvents(client: Client) {
  const seen: string[] = [];
  const emitter = client as unknown as EventEmitter;
  for (const type of ['WebSocketReconnecting', 'WebSocketConnected', 'WebSocketMaxRetries'])
    emitter.on(type, () => seen.push(type));
  const count = (type: string) => seen.filter((t) => t === type).length;
  return {
    seen,
    count,
    async until(type: string, times: number, timeoutMs: number): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (count(type) < times) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${type} ×${times}`);
        await sleep(20);
      }
    },
  };
}

interface BackoffOptions {
  delay?: number;
  maxDelay?: number;
  maxRetries?: number;
}
/** The module ari-client takes its WebSocket reconnect policy from (`backoff.create({ delay: 100 })`). */
const backoffFunc = createRequire(createRequire(import.meta.url).resolve('ari-client'))('backoff-func') as {
  create: (options?: BackoffOptions) => (fn: () => void) => boolean;
};

/**
 * ari-client's own reconnect policy on the simulator's time scale: the policy it asks for (and
 * backoff-func's doubling, 10 s cap and ten tries) kept, each delay divided by SPEED, as the
 * simulator's Asterisk runs SPEED times faster than the recording. The policies ari-client asked
 * for are noted (the test checks they are the recorded ones); `restore` puts the module back.
 */
function reconnectAtSimulatorSpeed() {
  const original = backoffFunc.create;
  const asked: BackoffOptions[] = [];
  backoffFunc.create = (options = {}) => {
    asked.push({ ...options });
    return original({
      ...options,
      delay: (options.delay ?? 10) / SPEED,
      maxDelay: (options.maxDelay ?? 10_000) / SPEED,
    });
  };
  return {
    asked,
    restore: () => {
      backoffFunc.create = original;
    },
  };
}

describe('ARI simulator conformance with the recordings of a lost app and a stopped Asterisk', () => {
  let sim: AriSimulator;
  let client: Client;
  let rec: Recorder;

  const start = async (options: Parameters<typeof startAriSimulator>[0] = {}) => {
    sim = await startAriSimulator({ clock: { speed: SPEED }, ...options });
    ({ client } = await rawClient(sim));
    rec = new Recorder(client);
  };
  afterEach(async () => {
    client.stop();
    await sim.stop();
  });

  it('ws_drop_app_reconnects: Asterisk keeps the bridged call, hangs up the one answered while the app was away, replays nothing', async () => {
    const trace = loadTrace('ws_drop_app_reconnects');
    await start({
      callees: {
        numbers: {
          '7700301234': { kind: 'answer', ringMs: 0, talkMs: 30_000 },
          '7703301234': { kind: 'answer', ringMs: 3000, talkMs: 30_000 },
        },
      },
    });
    await client.start('dialer');
    const customer = (id: string, number: string, name: string) =>
      client.channels.originate({
        endpoint: `Local/${number}@sim-customer`,
        app: 'dialer',
        appArgs: `customer,${name}`,
        callerId: '"Dialer" <4000>',
        timeout: 30,
        channelId: id,
      });
    await client.channels.originate({
      endpoint: 'Local/102@sim-agent',
      app: 'dialer',
      appArgs: 'agent,102',
      callerId: '"Dialer" <4000>',
      channelId: 'agent-i-ws',
    });
    await rec.until(stasisStart('agent-i-ws'));
    await client.bridges.create({ type: 'mixing', bridgeId: 'bridge-i-ws' });
    await client.bridges.addChannel({ bridgeId: 'bridge-i-ws', channel: 'agent-i-ws' });
    await customer('att-i-wsA', '7700301234', 'A');
    await rec.until(stasisStart('att-i-wsA'));
    await client.bridges.addChannel({ bridgeId: 'bridge-i-ws', channel: 'att-i-wsA' });
    await rec.until((e) => e.type === 'ChannelEnteredBridge' && e.channel?.id === 'att-i-wsA');
    await customer('att-i-wsB', '7703301234', 'B');
    await rec.until((e) => e.type === 'Dial' && e.peer?.id === 'att-i-wsB' && e.dialstatus === 'RINGING');

    // The app's WebSocket goes for 6 s; B answers (3 s) meanwhile.
    client.stop();
    await sleep(6000 / SPEED);
    await client.start('dialer');
    const channels = (await client.channels.list()) as unknown as Array<{ id: string; state: string }>;
    const bridges = (await client.bridges.list()) as unknown as Array<{ id: string; channels: string[] }>;
    const app = (await client.applications.get({ applicationName: 'dialer' })) as unknown as {
      channel_ids: string[];
      bridge_ids: string[];
    };
    const recorded = (call: string) =>
      trace.rest?.find((r) => r.call === call) as unknown as {
        result: unknown;
      };
    const recordedChannels = recorded('channels.list').result as Array<{ id: string; state: string }>;
    const recordedBridges = recorded('bridges.list').result as Array<{ id: string; channels: string[] }>;
    const recordedApp = recorded('applications.get').result as {
      channel_ids: string[];
      bridge_ids: string[];
    };
    const listed = (list: Array<{ id: string; state: string }>) =>
      list
        .filter((c) => !c.id.endsWith(';2'))
        .map((c) => `${c.id}:${c.state}`)
        .sort();
    expect(listed(channels)).toEqual(listed(recordedChannels));
    expect(bridges.map((b) => [b.id, ours(b.channels)])).toEqual(
      recordedBridges.map((b) => [b.id, ours(b.channels)]),
    );
    expect([ours(app.channel_ids), app.bridge_ids]).toEqual([
      ours(recordedApp.channel_ids),
      recordedApp.bridge_ids,
    ]);

    // The app hangs up what is left: B is already gone (404, as recorded).
    await client.channels.hangup({ channelId: 'att-i-wsA' });
    const hangupB = await client.channels.hangup({ channelId: 'att-i-wsB' }).then(
      () => 'ok',
      (error: Error) => error.message,
    );
    expect(hangupB).toBe(trace.rest?.find((r) => r.call === 'channels.hangup(att-i-wsB)')?.error);
    await client.channels.hangup({ channelId: 'agent-i-ws' });
    await rec.until(destroyed('agent-i-ws'));
    await client.bridges.destroy({ bridgeId: 'bridge-i-ws' });
    await rec.until((e) => e.type === 'BridgeDestroyed');
    expect(signatures(rec.events)).toEqual(signatures(trace.events));
  });

  it('originate_while_asterisk_down: a REST call to a stopped Asterisk never settles; once ARI answers, an originate before the app is back is never seen by it; after the reconnect calls are', async () => {
    const trace = loadTrace('originate_while_asterisk_down');
    await start({
      callees: {
        numbers: {
          '7700051234': { kind: 'answer', ringMs: 0, talkMs: 5000 },
          '7700021234': { kind: 'answer', ringMs: 0, talkMs: 2500 },
        },
      },
    });
    await client.start('dialer');
    const connection = connectionEvents(client);
    const originate = (id: string, number: string) =>
      client.channels.originate({
        endpoint: `PJSIP/${number}@sim-trunk`,
        app: 'dialer',
        appArgs: `customer,${id}`,
        callerId: '"Dialer" <4000>',
        timeout: 30,
        channelId: id,
      });

    await sim.stopAsterisk();
    const whileDown = within(originate('att-down-1', '7700051234'), 1000);
    // ari-client retries its WebSocket (100 ms, 200 ms, 400 ms, 800 ms …) as recorded.
    await connection.until('WebSocketReconnecting', 4, 10_000);
    expect(await whileDown).toEqual({ settled: false });

    // Started again: ARI answers 404 (an HTML page) while loading, then 200. ari-client's next
    // WebSocket try is ~1.6 s after its fourth: the app is still away when ARI answers.
    const started = await sim.startAsterisk({ loadingMs: 60_000 });
    const loading = await fetch(`${sim.url}/ari/asterisk/info`, {
      headers: { authorization: `Basic ${Buffer.from('dialer:dialer').toString('base64')}` },
    });
    expect([loading.status, loading.headers.get('content-type')]).toEqual([404, 'text/html']);
    expect(await loading.text()).toContain('<title>404 Not Found</title>');
    started.finishLoading();
    const statuses: number[] = [];
    for (;;) {
      const response = await fetch(`${sim.url}/ari/asterisk/info`, {
        headers: { authorization: `Basic ${Buffer.from('dialer:dialer').toString('base64')}` },
      });
      statuses.push(response.status);
      if (response.status === 200) break;
      await sleep(20);
    }
    expect(connection.count('WebSocketConnected')).toBe(0);
    const down2 = (await originate('att-down-2', '7700051234')) as unknown as { id: string; state: string };
    expect([down2.id, down2.state]).toEqual(['att-down-2', 'Down']);
    const appBefore = await client.applications.get({ applicationName: 'dialer' }).then(
      () => 'found',
      (error: Error) => error.message,
    );
    expect(appBefore).toBe(
      trace.rest?.find((r) => r.call.startsWith('applications.get dialer (before'))?.error,
    );

    // ari-client reconnects by itself; the app is back with nothing of att-down-2.
    await connection.until('WebSocketConnected', 1, 20_000);
    const app = (await client.applications.get({ applicationName: 'dialer' })) as unknown as {
      channel_ids: string[];
    };
    expect(app.channel_ids).toEqual([]);
    await originate('att-down-3', '7700021234');
    await rec.until(destroyed('att-down-3'));
    expect(rec.events.filter((e) => about('att-down-1')(e) || about('att-down-2')(e))).toEqual([]);
    expect(signatures(rec.events)).toEqual(signatures(trace.events));
  });

  it('asterisk_down_60s: the shutdown ends the agent leg with cause 0; ari-client gives up; after the start originates work, their events reach the app only once client.start() is called again', async () => {
    const trace = loadTrace('asterisk_down_60s');
    await start();
    const reconnect = reconnectAtSimulatorSpeed();
    onTestFinished(reconnect.restore);
    await client.start('dialer');
    const connection = connectionEvents(client);
    await client.channels.originate({
      endpoint: 'Local/101@sim-agent',
      app: 'dialer',
      appArgs: 'agent,101',
      callerId: '"Dialer" <4000>',
      channelId: 'agent-i-3',
    });
    await rec.until(stasisStart('agent-i-3'));

    await sim.stopAsterisk();
    await rec.until(destroyed('agent-i-3'));
    expect(await within(client.channels.list(), 1000)).toEqual({ settled: false });
    // ari-client's ten tries (100 ms doubling to 10 s, ~43 s in all as recorded; here on the
    // simulator's time scale, ~2 s), then it stops trying.
    await connection.until('WebSocketMaxRetries', 1, 30_000);
    expect(connection.count('WebSocketReconnecting')).toBe(
      trace.events.filter((e) => e.type === '(client) WebSocketReconnecting').length,
    );
    expect(reconnect.asked.length).toBeGreaterThan(0);
    expect(
      reconnect.asked.every((o) => o.delay === 100 && o.maxDelay === undefined && o.maxRetries === undefined),
    ).toBe(true);

    await sim.startAsterisk({ loadingMs: 100 });
    const busy = (id: string) =>
      client.channels.originate({
        endpoint: 'Local/+8613800000000@sim-customer',
        app: 'dialer',
        appArgs: 'customer',
        callerId: '"Dialer" <4000>',
        timeout: 30,
        channelId: id,
      });
    for (let i = 0; ; i++) {
      const answer = await busy('att-i-4').then(
        () => 'ok',
        (error: Error) => error.message,
      );
      if (answer === 'ok') break;
      if (i > 100) throw new Error(`ARI did not come back: ${answer}`);
      await sleep(20);
    }
    await sleep(1000 / SPEED);
    expect(connection.count('WebSocketConnected')).toBe(0);
    await client.start('dialer');
    await busy('att-i-5');
    await rec.until(destroyed('att-i-5'));
    expect(rec.events.filter(about('att-i-4'))).toEqual([]);
    expect(signatures(rec.events)).toEqual(signatures(trace.events));
  }, 60_000);
});
