import { expect, it } from 'vitest';
import { findOpenSession, sessionState } from '../../db/queries/agent-sessions.ts';
import { insertAgent } from '../../db/queries/agents.ts';
import { createAttempt } from '../../db/queries/dial-log.ts';
import { claimLeads } from '../../db/queries/leads.ts';
import { createAgentService } from '../../engine/agents/agent-service.ts';
import type { PacingObservation } from '../../engine/pacing/statistics.ts';
import { silentLogger } from '../../engine/platform/logger.ts';
import { AgentPool } from '../../engine/runner/agent-pool.ts';
import { CallContext } from '../../engine/runner/call-context.ts';
import { CallFlow, newRunCounters } from '../../engine/runner/call-flow.ts';
import type { EngineClock } from '../../engine/runner/engine-clock.ts';
import { LiveCalls } from '../../engine/runner/live-calls.ts';
import type { TelephonyEvent, TelephonyPort } from '../../engine/telephony/port.ts';
import { describeEachDatabase, type TestDatabase } from '../support/database.ts';
import { addContacts, makeCampaign } from './fixtures.ts';

/** Engine time that only moves when asked; its timers never fire (no abandon behind the test's back). */
function frozenClock(): EngineClock {
  const now = new Date('2026-11-25T15:00:00Z');
  return { speed: 1, now: () => new Date(now), after: () => () => {}, sleep: () => new Promise(() => {}) };
}

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

async function setUp(
  database: TestDatabase,
  telephony: TelephonyPort,
  observe: (observation: PacingObservation) => void = () => {},
  campaignOverrides: Parameters<typeof makeCampaign>[1] = { mode: 'predictive' },
) {
  const { db } = database;
  const clock = frozenClock();
  const { campaign, definition } = await makeCampaign(db, campaignOverrides);
  const [contactId] = await addContacts(db, campaign.id, 1, { lastDigit: () => 5 });
  const agentRow = await insertAgent(db, {
    code: `flow-${campaign.id}`,
    name: 'Flow test agent',
    endpoint: `PJSIP/flow-${campaign.id}`,
  });
  const agents = createAgentService({ db, clock });
  const agentless = definition.mode === 'agentless';
  if (!agentless) await agents.login(agentRow.code, campaign.id);
  const counters = newRunCounters();
  const pool = new AgentPool(
    {
      db,
      telephony,
      clock,
      logger: silentLogger(),
      engineId: 'flow-test',
      campaignId: campaign.id,
      wrapUpSeconds: definition.wrapUpSeconds,
      callerId: definition.dialing.callerId,
    },
    { wrapUpTimedOut: () => {}, wrapUpEnded: () => {} },
  );
  const calls = new LiveCalls();
  const flow = new CallFlow({
    db,
    telephony,
    clock,
    logger: silentLogger(),
    campaignId: campaign.id,
    definition,
    pool,
    calls,
    observe,
    counters,
  });
  // The pool rings the agent's phone on its first sync; the session is ready once it answered.
  while (!agentless && pool.free().length === 0) {
    await pool.sync();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const [lead] = await claimLeads(db, {
    campaignId: campaign.id,
    engineId: 'flow-test',
    limit: 1,
    now: clock.now(),
    leaseSeconds: 600,
    readyAgentIds: [],
  });
  expect(lead?.id).toBe(contactId);
  const attemptId = `flow-${campaign.id}-${contactId}`;
  const row = await createAttempt(db, {
    campaignId: campaign.id,
    contactId: contactId!,
    phoneE164: lead!.phone_e164,
    channelId: attemptId,
    gateReasons: [],
    queuedAt: clock.now(),
  });
  const call = new CallContext(attemptId, row.id, contactId!, campaign.id, silentLogger(), clock.now());
  calls.add(call);
  /** Hands an event to the call the way the runner does: in the call's own queue. */
  const deliver = (event: TelephonyEvent) => call.serial(() => flow.handle(event));
  const hangup: TelephonyEvent = {
    type: 'hangup',
    attemptId,
    cause: 16,
    causeText: 'Normal Clearing',
    outcome: 'answered',
    answered: true,
    at: clock.now(),
  };
  const agentState = async () => {
    const session = await findOpenSession(db, agentRow.id);
    return session ? sessionState(session).kind : 'offline';
  };
  const outcomeOfCall = async () =>
    (
      await db
        .selectFrom('outcomes')
        .select(['tag', 'recorded_by'])
        .where('attempt_id', '=', row.id)
        .execute()
    ).map((o) => `${o.tag} by ${o.recorded_by}`);
  return { db, clock, agents, agentRow, pool, flow, call, deliver, hangup, agentState, outcomeOfCall };
}

describeEachDatabase('a call that ends before reaching its agent', (database) => {
  it('gives the agent back when the person hangs up after the connect was accepted but before entering the bridge', async () => {
    const t = await setUp(database(), acceptingTelephony());
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
    const t = await setUp(database(), telephony);
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
    const t = await setUp(database(), acceptingTelephony(), (o) => seen.push(o));
    // Answered (the channel was up) but gone before AMD's verdict: no `answered` event came.
    await t.deliver(t.hangup);
    expect(seen).toEqual([{ kind: 'answered', ringSeconds: null, party: 'undetermined' }]);
    expect(await t.outcomeOfCall()).toEqual(['hung_up by engine']);
  });

  it('counts a call that was never answered as unanswered', async () => {
    const seen: PacingObservation[] = [];
    const t = await setUp(database(), acceptingTelephony(), (o) => seen.push(o));
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
    const t = await setUp(database(), withKeys({ digits: '', reason: 'hangup' }), () => {}, reminder);
    await t.deliver({ type: 'answered', attemptId: t.call.attemptId, at: t.clock.now() });
    await t.deliver(t.hangup);
    expect(await t.outcomeOfCall()).toEqual(['hung_up by engine']);
  });

  it('is a delivered message when the prompt was heard to the end and no key pressed', async () => {
    const t = await setUp(database(), withKeys({ digits: '', reason: 'timeout' }), () => {}, reminder);
    await t.deliver({ type: 'answered', attemptId: t.call.attemptId, at: t.clock.now() });
    await t.deliver(t.hangup);
    expect(await t.outcomeOfCall()).toEqual(['message_delivered by engine']);
  });
});
