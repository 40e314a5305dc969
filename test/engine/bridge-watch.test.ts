import { expect, it } from 'vitest';
import { findOpenSession, sessionState } from '../../db/queries/agent-sessions.ts';
import { insertAgent } from '../../db/queries/agents.ts';
import { createAttempt } from '../../db/queries/dial-log.ts';
import { claimLeads } from '../../db/queries/leads.ts';
import { createAgentService } from '../../engine/agents/agent-service.ts';
import type { PacingObservation } from '../../engine/pacing/statistics.ts';
import { silentLogger } from '../../engine/platform/logger.ts';
import { AgentPool } from '../../engine/runner/agent-pool.ts';
import { BRIDGE_ENTRY_TIMEOUT_MS } from '../../engine/runner/bridge-entry.ts';
import { CallContext } from '../../engine/runner/call-context.ts';
import { CallFlow, newRunCounters } from '../../engine/runner/call-flow.ts';
import { type EngineClock, manualEngineClock } from '../../engine/runner/engine-clock.ts';
import { LiveCalls } from '../../engine/runner/live-calls.ts';
import type { TelephonyEvent, TelephonyPort } from '../../engine/telephony/port.ts';
import { describeEachDatabase, type TestDatabase } from '../support/database.ts';
import { addContacts, makeCampaign } from './fixtures.ts';

/** Engine time that only moves when asked; its timers never fire (no abandon behind the test's back). */
function frozenClock(): EngineClock {
  const now = new Date('2026-11-25T15:00:00Z');
  return { speed: 1, now: () => new Date(now), after: () => () => {}, sleep: () => new Promise(() => {}) };
}

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

async function setUp(
  database: TestDatabase,
  telephony: TelephonyPort,
  observe: (observation: PacingObservation) => void = () => {},
  campaignOverrides: Parameters<typeof makeCampaign>[1] = { mode: 'predictive' },
  clock: EngineClock = frozenClock(),
) {
  const { db } = database;
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
    const t = await setUp(
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
    const t = await setUp(
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
    const t = await setUp(
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
    const t = await setUp(
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
    const t = await setUp(
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
    const t = await setUp(
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
