import { expect, it } from 'vitest';
import type { PacingObservation } from '../../engine/pacing/statistics.ts';
import type { TelephonyPort } from '../../engine/telephony/port.ts';
import { describeEachDatabase } from '../support/database.ts';
import { setUpCallFlow } from './call-flow-harness.ts';
import type { makeCampaign } from './fixtures.ts';

/**
 * A telephone system whose agent legs always answer and whose `connect` is accepted without the
 * customer ever entering the bridge (no `connected` event): what Asterisk does when the person
 * hangs up in the instant between the request and the bridge. `duringConnect` runs while the
 * request is under way.
 */
function acceptingTelephony(duringConnect: () => Promise<void> = async () => {}): TelephonyPort {
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
    connect: () => duringConnect(),
    play: async () => ({ finished: true }),
    collectDtmf: refuse,
    record: refuse,
    hangup: async () => {},
    onEvent: () => () => {},
    newCallId: (name) => `flow-${name}`,
    reconcile: async () => ({ live: [], gone: [], orphansHungUp: [], agentsAdopted: [] }),
  };
}

describeEachDatabase('a call that ends before reaching its agent', (database) => {
  it('gives the agent back when the person hangs up after the connect was accepted but before entering the bridge', async () => {
    const t = await setUpCallFlow(database(), acceptingTelephony());
    await t.deliver({ type: 'answered', attemptId: t.call.attemptId, at: t.clock.now() });
    // The connect went through: the agent is on the call as far as the session knows.
    expect(await t.agentState()).toBe('on_call');

    await t.deliver(t.hangup);

    // Nobody spoke to the agent: no wrap-up, nothing to tag; the engine records the call's outcome.
    expect(await t.agentState()).toBe('ready');
    expect(await t.outcomeOfCall()).toEqual(['hung_up by engine']);
    expect(t.pool.free().map((a) => a.agentId)).toEqual([t.agentRow.id]);
  });

  it('does not put a waiting person’s agent on the call when the person hangs up while being connected', async () => {
    let hangupHandled: Promise<void> | undefined;
    let deliverHangup: () => Promise<void> = async () => {};
    const telephony = acceptingTelephony(async () => {
      // The person hangs up while the connect request is under way. Its handling must wait for
      // the connect (the call's events are handled in order); give it the chance not to.
      hangupHandled = deliverHangup();
      await Promise.race([hangupHandled, new Promise((resolve) => setTimeout(resolve, 100))]);
    });
    const t = await setUpCallFlow(database(), telephony);
    deliverHangup = () => t.deliver(t.hangup);
    // Nobody free at the answer: the person waits for an agent.
    await t.agents.pause(t.agentRow.code, 'coffee');
    await t.pool.sync();
    await t.deliver({ type: 'answered', attemptId: t.call.attemptId, at: t.clock.now() });
    expect(t.call.stage).toBe('waiting');

    // The agent comes back; the runner's next pass offers them the waiting person.
    await t.agents.ready(t.agentRow.code);
    await t.pool.sync();
    await t.flow.serveWaiting();
    await hangupHandled;

    expect(await t.agentState()).toBe('ready');
    expect(await t.outcomeOfCall()).toEqual(['hung_up by engine']);
  });
});

describeEachDatabase('what the pacer learns from a call', (database) => {
  it('counts a call hung up during answering-machine detection as answered, routed to nobody, not as unanswered', async () => {
    const seen: PacingObservation[] = [];
    const t = await setUpCallFlow(database(), acceptingTelephony(), (o) => seen.push(o));
    // Answered (the channel was up) but gone before AMD's verdict: no `answered` event came.
    await t.deliver(t.hangup);
    expect(seen).toEqual([{ kind: 'answered', ringSeconds: null, party: 'undetermined' }]);
    expect(await t.outcomeOfCall()).toEqual(['hung_up by engine']);
  });

  it('counts a call that was never answered as unanswered', async () => {
    const seen: PacingObservation[] = [];
    const t = await setUpCallFlow(database(), acceptingTelephony(), (o) => seen.push(o));
    await t.deliver({ ...t.hangup, outcome: 'no_answer', answered: false, cause: 19 });
    expect(seen).toMatchObject([{ kind: 'unanswered' }]);
    expect(await t.outcomeOfCall()).toEqual(['no_answer by engine']);
  });
});

describeEachDatabase('an agentless reminder call', (database) => {
  const reminder: Parameters<typeof makeCampaign>[1] = {
    mode: 'agentless',
    type: 'reminder',
    questions: [{ id: 'confirm', prompt: 'p', choices: { '1': 'confirmed', '2': 'reschedule' } }],
  };
  const withKeys = (result: { digits: string; reason: 'timeout' | 'hangup' }): TelephonyPort => ({
    ...acceptingTelephony(),
    collectDtmf: async () => result,
  });

  it('is a hang-up (retried), not a delivered message, when the person hangs up during the prompt', async () => {
    const t = await setUpCallFlow(database(), withKeys({ digits: '', reason: 'hangup' }), () => {}, reminder);
    await t.deliver({ type: 'answered', attemptId: t.call.attemptId, at: t.clock.now() });
    await t.deliver(t.hangup);
    expect(await t.outcomeOfCall()).toEqual(['hung_up by engine']);
  });

  it('is a delivered message when the prompt was heard to the end and no key pressed', async () => {
    const t = await setUpCallFlow(
      database(),
      withKeys({ digits: '', reason: 'timeout' }),
      () => {},
      reminder,
    );
    await t.deliver({ type: 'answered', attemptId: t.call.attemptId, at: t.clock.now() });
    await t.deliver(t.hangup);
    expect(await t.outcomeOfCall()).toEqual(['message_delivered by engine']);
  });
});
