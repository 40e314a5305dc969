import type { Client } from 'ari-client';
import { afterEach, describe, expect, it } from 'vitest';
import { type AriSimulator, startAriSimulator } from '../../engine/telephony/index.ts';
import { rawClient, sleep } from './support.ts';
import { loadTrace, type RawEvent, Recorder, ringingFirst, signature } from './trace-support.ts';

/**
 * AMD through the app (trace amd_via_continue_in_dialplan): the customer enters Stasis on the
 * answer, the app sends it into the AMD context (continueInDialplan), it comes back with
 * StasisStart(amd, STATUS, CAUSE) and the app hangs it up; a callee who hangs up during AMD
 * ends in the dialplan. Three calls run at once, so their events interleave by timing: each
 * channel's own sequence is compared with the recording's.
 */
type CalleeNumbers = NonNullable<NonNullable<Parameters<typeof startAriSimulator>[0]>['callees']>['numbers'];

describe('ARI simulator conformance: AMD through the app', () => {
  let sim: AriSimulator;
  let client: Client;

  afterEach(async () => {
    client.stop();
    await sim.stop();
  });

  /** Originates each call into the app, sends it to AMD on StasisStart(customer), hangs it up on StasisStart(amd). */
  async function amdThroughApp(
    trace: string,
    endpoint: (number: string) => string,
    calls: Array<[string, string]>,
    numbers: CalleeNumbers,
  ) {
    sim = await startAriSimulator({ clock: { speed: 20 }, callees: { numbers } });
    ({ client } = await rawClient(sim));
    const rec = new Recorder(client);
    const emitter = client as unknown as NodeJS.EventEmitter;
    emitter.on('StasisStart', (event: RawEvent) => {
      const id = event.channel?.id ?? '';
      if (event.args?.[0] === 'customer')
        void client.channels.continueInDialplan({
          channelId: id,
          context: 'dialer-amd',
          extension: 's',
          priority: 1,
        });
      else if (event.args?.[0] === 'amd') void client.channels.hangup({ channelId: id });
    });
    await client.start('dialer');
    for (const [id, number] of calls) {
      await client.channels.originate({
        endpoint: endpoint(number),
        app: 'dialer',
        appArgs: `customer,${id}`,
        channelId: id,
        timeout: 30,
      });
    }
    for (const [id] of calls)
      await rec.until((e) => e.type === 'ChannelDestroyed' && e.channel?.id === id, 20_000);
    const recorded = loadTrace(trace);
    // The AMD cause carries the analysis' word counts and timings: the verdict is compared.
    const ofChannel = (events: RawEvent[], id: string) =>
      ringingFirst(
        events
          .filter((e) => (e.channel ?? e.peer)?.id === id)
          .map((e) =>
            e.type === 'StasisStart' && e.args?.[0] === 'amd'
              ? signature({ ...e, args: e.args.slice(0, 2) })
              : signature(e),
          )
          .filter((line): line is string => line !== undefined),
      );
    for (const [id] of calls) expect(ofChannel(rec.events, id), id).toEqual(ofChannel(recorded.events, id));
  }

  it('amd_via_continue_in_dialplan: each channel as recorded (person, machine, quick hang-up)', async () => {
    // As recorded: the person talks until we hang up; the quick callee hangs up 0.5 s after
    // answering (t=2048 → 2549 ms in the recording), while AMD listens.
    await amdThroughApp(
      'amd_via_continue_in_dialplan',
      (number) => `Local/${number}@sim-customer`,
      [
        ['att-f2-human', '7702301234'],
        ['att-f2-machine', '+8613800000003'],
        ['att-f2-quick', '+8613800000004'],
      ],
      {
        '7702301234': { kind: 'answer', ringMs: 2000, talkMs: null },
        '+8613800000004': { kind: 'answer', ringMs: 2000, talkMs: 500 },
      },
    );
  });

  it('amd_notsure_and_machine_pjsip: the same over the SIP trunk (RTP quality reported at the hang-up)', async () => {
    // As recorded: both people stay on the line until we hang up and AMD says HUMAN for both.
    await amdThroughApp(
      'amd_notsure_and_machine_pjsip',
      (number) => `PJSIP/${number}@sim-trunk`,
      [
        ['att-f3-person-77', '7702301234'],
        ['att-f3-machine', '+8613800000003'],
        ['att-f3-person-d7', '+8613800000007'],
      ],
      {
        '7702301234': { kind: 'answer', ringMs: 2000, talkMs: null },
        '+8613800000007': { kind: 'answer', ringMs: 4000, talkMs: null, amd: 'HUMAN' },
      },
    );
  });

  it('amd_via_dialplan_originate: only the verdict reaches the app, unless it subscribed to the channel', async () => {
    sim = await startAriSimulator({
      clock: { speed: 20 },
      callees: {
        numbers: {
          '7702301234': { kind: 'answer', ringMs: 2000, talkMs: null },
          '+8613800000004': { kind: 'answer', ringMs: 2000, talkMs: 500 },
        },
      },
    });
    ({ client } = await rawClient(sim));
    const rec = new Recorder(client);
    (client as unknown as NodeJS.EventEmitter).on('StasisStart', (event: RawEvent) => {
      if (event.args?.[0] === 'amd') void client.channels.hangup({ channelId: event.channel?.id ?? '' });
    });
    await client.start('dialer');
    const calls: Array<[string, string]> = [
      ['att-f-human', '7702301234'],
      ['att-f-machine', '+8613800000003'],
      ['att-f-quick', '+8613800000004'],
      ['att-f-quick-sub', '+8613800000004'],
    ];
    for (const [id, number] of calls) {
      await client.channels.originate({
        endpoint: `Local/${number}@sim-customer`,
        context: 'dialer-amd',
        extension: 's',
        priority: 1,
        channelId: id,
        timeout: 30,
      });
    }
    await client.applications.subscribe({
      applicationName: 'dialer',
      eventSource: 'channel:att-f-quick-sub',
    });
    for (const id of ['att-f-human', 'att-f-machine'])
      await rec.until((e) => e.type === 'StasisEnd' && e.channel?.id === id, 20_000);
    await rec.until((e) => e.type === 'ChannelDestroyed' && e.channel?.id === 'att-f-quick-sub', 20_000);
    await sleep(50);
    const recorded = loadTrace('amd_via_dialplan_originate');
    const ofChannel = (events: RawEvent[], id: string) =>
      events
        .filter((e) => (e.channel ?? e.peer)?.id === id)
        .map((e) =>
          e.type === 'StasisStart' && e.args?.[0] === 'amd'
            ? signature({ ...e, args: e.args.slice(0, 2) })
            : signature(e),
        )
        .filter((line): line is string => line !== undefined);
    // The recording subscribed to att-f-quick-sub while it rang; here the subscription comes
    // before the ringing: compared from the answer on.
    const fromAnswer = (lines: string[]) =>
      lines.slice(
        Math.max(
          0,
          lines.findIndex((l) => / Up$/.test(l)),
        ),
      );
    for (const [id] of calls)
      expect(fromAnswer(ofChannel(rec.events, id)), id).toEqual(fromAnswer(ofChannel(recorded.events, id)));
  });
});
