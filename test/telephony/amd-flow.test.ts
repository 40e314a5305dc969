import type { Client } from 'ari-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { originateRequest, type Rig, rawClient, sleep, startRig } from './support.ts';

/**
 * Answering-machine detection through the real adapter and ari-client: the customer leg is
 * originated into the Stasis app (so busy, congestion, unallocated and no answer reach the app
 * before any answer) and sent through the AMD context with continueInDialplan once answered.
 */

interface RawEvent {
  type: string;
  channel?: { id: string };
  args?: string[];
  dialplan_app?: string;
}

const AMD = { amd: { context: 'dialer-amd' } };

describe('telephony over ARI: answering-machine detection', () => {
  let rig: Rig;
  let watcher: Client;
  const raw: RawEvent[] = [];

  /** What Asterisk sent about one channel, as `type[:detail]` lines. */
  const rawOf = (id: string) =>
    raw
      .filter((e) => e.channel?.id === id)
      .map((e) =>
        e.type === 'StasisStart'
          ? `StasisStart:${e.args?.join(',')}`
          : e.type === 'ChannelDialplan'
            ? `ChannelDialplan:${e.dialplan_app}`
            : e.type,
      )
      .filter((line) => /^(Stasis|ChannelDialplan|ChannelHangupRequest|ChannelDestroyed)/.test(line));

  const untilRaw = async (match: (e: RawEvent) => boolean) => {
    const deadline = Date.now() + 10_000;
    while (!raw.some(match)) {
      if (Date.now() > deadline) throw new Error('timed out waiting for a raw ARI event');
      await sleep(2);
    }
  };

  beforeAll(async () => {
    // Slow enough that a callee hanging up 3 s into the call is still in AMD (NOTSURE takes 4.9 s).
    rig = await startRig({
      clock: { speed: 10 },
      callees: {
        numbers: {
          '+8613800000035': { kind: 'answer', ringMs: 500, talkMs: 3000, amd: 'NOTSURE' },
          '+8613800000045': { kind: 'answer', ringMs: 500, talkMs: null, amd: 'NOTSURE' },
        },
      },
    });
    ({ client: watcher } = await rawClient(rig.sim));
    (watcher as unknown as NodeJS.EventEmitter).on('*', (e: RawEvent) => raw.push(e));
    await watcher.start('dialer');
  });
  afterAll(async () => {
    watcher.stop();
    await rig.close();
  });

  it.each([
    ['a busy callee over a SIP trunk', 'busy', 'PJSIP/+8613800000000@carrier', 17, 'BUSY'],
    ['a busy callee through a Local channel', 'busy', 'Local/+8613800000010@sim-customer', 0, 'BUSY'],
    ['a congested route', 'congestion', 'PJSIP/+8613800000001@carrier', 34, 'CONGESTION'],
    ['an unallocated number', 'invalid_number', 'PJSIP/9991234567@carrier', 1, 'NOANSWER'],
    ['a callee who never answers', 'no_answer', 'PJSIP/+8613800000002@carrier', 19, undefined],
  ])('ends an AMD call to %s as %s, not failed', async (_what, outcome, endpoint, cause, dialStatus) => {
    const attemptId = `att-amd-${outcome}-${cause}-${endpoint.length}`;
    await rig.tel.originate({ ...originateRequest(attemptId, '', AMD), endpoint });
    const hangup = await rig.log.waitFor('hangup', (e) => e.attemptId === attemptId);
    expect(hangup).toMatchObject({ outcome, cause, answered: false });
    expect(hangup.dialStatus).toBe(dialStatus);
    expect(rig.log.of(attemptId)).not.toContain('answered');
  });

  it.each([
    ['+8613800000005', 'HUMAN', 'HUMAN-1-1'],
    ['+8613800000003', 'MACHINE', 'MAXWORDS-3-2'],
    ['+8613800000007', 'NOTSURE', 'TOOLONG-4900'],
  ])(
    'reports %s as answered once, with AMD verdict %s, after the dialplan ran AMD()',
    async (number, status, amdCause) => {
      const attemptId = `att-amd-${status}`;
      await rig.tel.originate(originateRequest(attemptId, number, AMD));
      const answered = await rig.log.waitFor('answered', (e) => e.attemptId === attemptId);
      expect(answered.amd).toEqual({ status, cause: amdCause });
      await rig.tel.hangup(attemptId);
      const hangup = await rig.log.waitFor('hangup', (e) => e.attemptId === attemptId);
      expect(hangup).toMatchObject({ outcome: 'answered', cause: 16, answered: true });
      // The line answer is told at once (the pacer stops counting the call as ringing), the
      // verdict after AMD().
      expect(rig.log.of(attemptId)).toEqual(['ringing', 'line-answered', 'answered', 'hangup']);
      const lineAnswered = await rig.log.waitFor('line-answered', (e) => e.attemptId === attemptId);
      expect(lineAnswered.at.getTime()).toBeLessThanOrEqual(answered.at.getTime());
      expect(rawOf(attemptId).slice(0, 5)).toEqual([
        'StasisStart:customer',
        'StasisEnd',
        'ChannelDialplan:NoOp',
        'ChannelDialplan:AMD',
        'ChannelDialplan:Stasis',
      ]);
      expect(rawOf(attemptId)[5]).toBe(`StasisStart:amd,${status},${amdCause}`);
    },
  );

  it('reports a callee who hangs up during AMD as line-answered, then answered by the hangup (cause 16), without an answered event', async () => {
    await rig.tel.originate(originateRequest('att-amd-gone', '+8613800000035', AMD));
    const hangup = await rig.log.waitFor('hangup', (e) => e.attemptId === 'att-amd-gone');
    expect(hangup).toMatchObject({ outcome: 'answered', cause: 16, answered: true, dialStatus: 'ANSWER' });
    expect(rig.log.of('att-amd-gone')).toEqual(['ringing', 'line-answered', 'hangup']);
    await untilRaw((e) => e.type === 'ChannelDestroyed' && e.channel?.id === 'att-amd-gone');
    expect(rawOf('att-amd-gone')).toEqual([
      'StasisStart:customer',
      'StasisEnd',
      'ChannelDialplan:NoOp',
      'ChannelDialplan:AMD',
      'ChannelHangupRequest',
      'ChannelDestroyed',
    ]);
  });

  it('hangs up a call during AMD when asked: outcome answered (someone picked up)', async () => {
    await rig.tel.originate(originateRequest('att-amd-stop', '+8613800000045', AMD));
    await untilRaw(
      (e) => e.type === 'ChannelDialplan' && e.channel?.id === 'att-amd-stop' && e.dialplan_app === 'AMD',
    );
    await rig.tel.hangup('att-amd-stop');
    const hangup = await rig.log.waitFor('hangup', (e) => e.attemptId === 'att-amd-stop');
    expect(hangup).toMatchObject({ outcome: 'answered', cause: 16, answered: true });
    expect(rig.log.of('att-amd-stop')).toEqual(['ringing', 'line-answered', 'hangup']);
  });
});
