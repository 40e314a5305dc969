import type { Client } from 'ari-client';
import { afterEach, describe, expect, it } from 'vitest';
import { type AriSimulator, startAriSimulator } from '../../engine/telephony/index.ts';
import { rawClient } from './support.ts';
import { loadTrace, type RawEvent, Recorder, signature } from './trace-support.ts';

/**
 * AMD through the app (trace amd_via_continue_in_dialplan): the customer enters Stasis on the
 * answer, the app sends it into the AMD context (continueInDialplan), it comes back with
 * StasisStart(amd, STATUS, CAUSE) and the app hangs it up; a callee who hangs up during AMD
 * ends in the dialplan. Three calls run at once, so their events interleave by timing: each
 * channel's own sequence is compared with the recording's.
 */
describe('ARI simulator conformance: AMD through the app', () => {
  let sim: AriSimulator;
  let client: Client;

  afterEach(async () => {
    client.stop();
    await sim.stop();
  });

  it('amd_via_continue_in_dialplan: each channel as recorded (person, machine, quick hang-up)', async () => {
    sim = await startAriSimulator({
      clock: { speed: 20 },
      // As recorded: the person talks until we hang up; the quick callee hangs up 0.5 s after
      // answering (t=2048 → 2549 ms in the recording), while AMD listens.
      callees: {
        numbers: {
          '7702301234': { kind: 'answer', ringMs: 2000, talkMs: null },
          '+8613800000004': { kind: 'answer', ringMs: 2000, talkMs: 500 },
        },
      },
    });
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
    const ids: Array<[string, string]> = [
      ['att-f2-human', '7702301234'],
      ['att-f2-machine', '+8613800000003'],
      ['att-f2-quick', '+8613800000004'],
    ];
    for (const [id, number] of ids) {
      await client.channels.originate({
        endpoint: `Local/${number}@sim-customer`,
        app: 'dialer',
        appArgs: `customer,${id}`,
        channelId: id,
        timeout: 30,
      });
    }
    for (const [id] of ids)
      await rec.until((e) => e.type === 'ChannelDestroyed' && e.channel?.id === id, 20_000);
    const trace = loadTrace('amd_via_continue_in_dialplan');
    const ofChannel = (events: RawEvent[], id: string) =>
      events
        .filter((e) => (e.channel ?? e.peer)?.id === id)
        .map((e) =>
          e.type === 'StasisStart' && e.args?.[0] === 'amd'
            ? signature({ ...e, args: e.args.slice(0, 2) })
            : signature(e),
        );
    for (const [id] of ids) expect(ofChannel(rec.events, id), id).toEqual(ofChannel(trace.events, id));
  });
});
