import { expect, it } from 'vitest';
import { BRIDGE_ENTRY_TIMEOUT_MS } from '../../engine/runner/bridge-entry.ts';
import { manualEngineClock } from '../../engine/runner/engine-clock.ts';
import type { TelephonyEvent, TelephonyPort } from '../../engine/telephony/port.ts';
import { describeEachDatabase } from '../support/database.ts';
import { setUpCallFlow } from './call-flow-harness.ts';

interface Spy {
  connects: number;
  played: string[];
  hangups: number;
}

/** A telephone system whose agent legs always answer and whose `connect` does what the test says. */
function acceptingTelephony(connect: () => Promise<void>, spy: Spy): TelephonyPort {
  const refuse = () => Promise.reject(new Error('not used by this test'));
  return {
    start: async () => {},
    stop: async () => {},
    loginAgent: async (request) => ({
      agentId: request.agentId,
      channelId: `leg-${request.agentId}`,
      bridgeId: `bridge-${request.agentId}`,
    }),
    logoutAgent: async () => {},
    originate: async () => {},
    connect: () => {
      spy.connects += 1;
      return connect();
    },
    play: async (_id, media) => {
      spy.played.push(...media);
      return { finished: true };
    },
    collectDtmf: refuse,
    record: refuse,
    hangup: async () => {
      spy.hangups += 1;
    },
    onEvent: () => () => {},
    newCallId: (name) => `flow-${name}`,
    reconcile: async () => ({ live: [], gone: [], orphansHungUp: [], agentsAdopted: [] }),
  };
}

describeEachDatabase('the engine watching the agent bridge', (database) => {
  const left = (attemptId: string, agentId: number): TelephonyEvent => ({
    type: 'customer-left-bridge',
    attemptId,
    agentId: String(agentId),
    reason: 'unexplained',
    at: new Date(),
  });

  it('bridges once more a customer who did not stay in the bridge, and the call goes through', async () => {
    const spy: Spy = { connects: 0, played: [], hangups: 0 };
    const t = await setUpCallFlow(
      database(),
      acceptingTelephony(async () => {}, spy),
    );
    await t.deliver({ type: 'answered', attemptId: t.call.attemptId, at: t.clock.now() });
    await t.deliver(left(t.call.attemptId, t.agentRow.id));
    expect(spy.connects).toBe(2);
    await t.deliver({
      type: 'connected',
      attemptId: t.call.attemptId,
      agentId: String(t.agentRow.id),
      at: t.clock.now(),
    });
    expect(t.call.stage).toBe('connected');
    expect(await t.agentState()).toBe('on_call');
    expect(spy.played).toEqual([]);
  });

  it('after a second failure plays the identification message, hangs up, and records a failed connect counted as abandoned', async () => {
    const spy: Spy = { connects: 0, played: [], hangups: 0 };
    const t = await setUpCallFlow(
      database(),
      acceptingTelephony(async () => {}, spy),
    );
    await t.deliver({ type: 'answered', attemptId: t.call.attemptId, at: t.clock.now() });
    await t.deliver(left(t.call.attemptId, t.agentRow.id));
    await t.deliver(left(t.call.attemptId, t.agentRow.id));
    expect(spy.connects).toBe(2);
    expect(spy.played).toEqual(['sound:dialer-identification']);
    expect(spy.hangups).toBe(1);

    await t.deliver(t.hangup);
    const row = await t.db
      .selectFrom('call_attempts')
      .select(['result', 'abandoned', 'connected_at', 'sip_answered_at'])
      .where('channel_id', '=', t.call.attemptId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ result: 'failed', abandoned: true, connected_at: null });
    expect(row.sip_answered_at).toBeInstanceOf(Date);
    expect(await t.outcomeOfCall()).toEqual(['failed by engine']);
    // The agent never spoke to the person: free again, nothing to tag.
    expect(await t.agentState()).toBe('ready');
  });

  it('puts a connected customer who left the bridge without hanging up back once, then hangs them up', async () => {
    const spy: Spy = { connects: 0, played: [], hangups: 0 };
    const t = await setUpCallFlow(
      database(),
      acceptingTelephony(async () => {}, spy),
    );
    await t.deliver({ type: 'answered', attemptId: t.call.attemptId, at: t.clock.now() });
    await t.deliver({
      type: 'connected',
      attemptId: t.call.attemptId,
      agentId: String(t.agentRow.id),
      at: t.clock.now(),
    });
    await t.deliver(left(t.call.attemptId, t.agentRow.id));
    expect(spy.connects).toBe(2);
    expect(spy.hangups).toBe(0);
    await t.deliver(left(t.call.attemptId, t.agentRow.id));
    expect(spy.connects).toBe(2);
    expect(spy.hangups).toBe(1);
    expect(spy.played).toEqual([]);
  });

  it('does nothing when the customer left the bridge by hanging up (their hangup ends the call)', async () => {
    const spy: Spy = { connects: 0, played: [], hangups: 0 };
    const t = await setUpCallFlow(
      database(),
      acceptingTelephony(async () => {}, spy),
    );
    await t.deliver({ type: 'answered', attemptId: t.call.attemptId, at: t.clock.now() });
    await t.deliver({ ...left(t.call.attemptId, t.agentRow.id), reason: 'hangup' } as TelephonyEvent);
    expect(spy.connects).toBe(1);
    expect(spy.hangups).toBe(0);
  });

  it('bridges once more a customer never seen in the bridge, then plays the message and records a failed connect', async () => {
    const spy: Spy = { connects: 0, played: [], hangups: 0 };
    const clock = manualEngineClock(Date.parse('2026-11-25T15:00:00Z'));
    const t = await setUpCallFlow(
      database(),
      acceptingTelephony(async () => {}, spy),
      () => {},
      { mode: 'predictive' },
      clock,
    );
    await t.deliver({ type: 'answered', attemptId: t.call.attemptId, at: t.clock.now() });
    expect(spy.connects).toBe(1);
    // Asterisk accepted the add; the customer is never seen in the bridge and does not hang up.
    clock.advance(BRIDGE_ENTRY_TIMEOUT_MS - 1);
    await t.call.serial(async () => {});
    expect(spy.connects).toBe(1);
    clock.advance(1);
    await t.call.serial(async () => {});
    expect(spy.connects).toBe(2);
    expect(spy.played).toEqual([]);
    clock.advance(BRIDGE_ENTRY_TIMEOUT_MS);
    await t.call.serial(async () => {});
    expect(spy.played).toEqual(['sound:dialer-identification']);
    expect(spy.hangups).toBe(1);

    await t.deliver({ ...t.hangup, at: t.clock.now() } as TelephonyEvent);
    const row = await t.db
      .selectFrom('call_attempts')
      .select(['result', 'abandoned', 'connected_at'])
      .where('channel_id', '=', t.call.attemptId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ result: 'failed', abandoned: true, connected_at: null });
    const outcome = await t.db
      .selectFrom('outcomes')
      .select(['tag', 'data'])
      .where(
        'attempt_id',
        '=',
        (
          await t.db
            .selectFrom('call_attempts')
            .select('id')
            .where('channel_id', '=', t.call.attemptId)
            .executeTakeFirstOrThrow()
        ).id,
      )
      .executeTakeFirstOrThrow();
    expect(outcome).toMatchObject({ tag: 'failed', data: { detail: 'bridge_not_entered' } });
    expect(await t.agentState()).toBe('ready');
    expect(clock.timers).toBe(0);
  });

  it('stops watching once the customer is seen in the bridge', async () => {
    const spy: Spy = { connects: 0, played: [], hangups: 0 };
    const clock = manualEngineClock(Date.parse('2026-11-25T15:00:00Z'));
    const t = await setUpCallFlow(
      database(),
      acceptingTelephony(async () => {}, spy),
      () => {},
      { mode: 'predictive' },
      clock,
    );
    await t.deliver({ type: 'answered', attemptId: t.call.attemptId, at: t.clock.now() });
    clock.advance(BRIDGE_ENTRY_TIMEOUT_MS / 2);
    await t.deliver({
      type: 'connected',
      attemptId: t.call.attemptId,
      agentId: String(t.agentRow.id),
      at: t.clock.now(),
    });
    clock.advance(BRIDGE_ENTRY_TIMEOUT_MS * 10);
    await t.call.serial(async () => {});
    expect(spy.connects).toBe(1);
    expect(spy.hangups).toBe(0);
    expect(t.call.stage).toBe('connected');
  });
});
