import { expect, it } from 'vitest';
import { insertAgent } from '../../db/queries/agents.ts';
import { createAttempt } from '../../db/queries/dial-log.ts';
import { claimLeads } from '../../db/queries/leads.ts';
import { createAgentService } from '../../engine/agents/agent-service.ts';
import {
  createStatistics,
  type PacingObservation,
  type PacingStatistics,
  updateStatistics,
} from '../../engine/pacing/statistics.ts';
import type { CallInFlight } from '../../engine/pacing/types.ts';
import { compileScenario } from '../../engine/pacing-simulator/attempts.ts';
import { type ScenarioInput, scenarioSchema, secondsOfDay } from '../../engine/pacing-simulator/scenario.ts';
import { simulateDialer } from '../../engine/pacing-simulator/simulate-dialer.ts';
import type { DialerStrategy } from '../../engine/pacing-simulator/strategies.ts';
import { silentLogger } from '../../engine/platform/logger.ts';
import { AgentPool } from '../../engine/runner/agent-pool.ts';
import { CallContext } from '../../engine/runner/call-context.ts';
import { CallFlow, newRunCounters } from '../../engine/runner/call-flow.ts';
import type { EngineClock } from '../../engine/runner/engine-clock.ts';
import { LiveCalls } from '../../engine/runner/live-calls.ts';
import type { TelephonyEvent, TelephonyPort } from '../../engine/telephony/port.ts';
import { addContacts, makeCampaign } from '../engine/fixtures.ts';
import { describeEachDatabase } from '../support/database.ts';

/**
 * One call with everything fixed: rings 5 s, answered by a person, AMD listens 3 s and says
 * human, the one agent is free and talks 30 s. The simulator plays it; the runner's call flow is
 * then given the same events at the same moments. The pacer must be told the same by both.
 */
const RING = 5;
const AMD = 3;
const TALK = 30;
const oneCall: ScenarioInput = {
  name: 'one-call',
  days: 1,
  shifts: [{ agents: 1, start: '09:00', end: '09:10' }],
  answer: { probability: 1, ringSeconds: { kind: 'fixed', seconds: RING } },
  talkSeconds: { kind: 'fixed', seconds: TALK },
  wrapUpSeconds: { kind: 'fixed', seconds: 5 },
  machine: {
    share: 0,
    amd: { enabled: true, humanAccuracy: 1, seconds: { kind: 'fixed', seconds: AMD } },
  },
};

interface Seen {
  readonly flight: CallInFlight[];
  readonly stats: PacingStatistics;
}

/** What the simulator hands the pacer each second of the first minute (one call, launched at 0). */
function simulatorInputs(): Seen[] {
  const seen: Seen[] = [];
  const start = secondsOfDay('09:00');
  const strategy: DialerStrategy = {
    name: 'one-call',
    learns: true,
    startDay() {},
    decide(view) {
      const t = view.second - start;
      if (t < 60) seen.push({ flight: view.state.callsInFlight.map((c) => ({ ...c })), stats: view.stats });
      return t === 0 ? 1 : 0;
    },
  };
  simulateDialer(compileScenario(scenarioSchema.parse(oneCall)), strategy, { seed: 1 });
  return seen;
}

function steppedClock(start: Date) {
  let now = start.getTime();
  const clock: EngineClock = {
    speed: 1,
    now: () => new Date(now),
    after: () => () => {},
    sleep: () => new Promise(() => {}),
  };
  return { clock, set: (seconds: number) => (now = start.getTime() + seconds * 1000) };
}

function acceptingTelephony(): TelephonyPort {
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
    connect: async () => {},
    play: async () => ({ finished: true }),
    collectDtmf: refuse,
    record: refuse,
    hangup: async () => {},
    onEvent: () => () => {},
    newCallId: (name) => `inputs-${name}`,
    reconcile: async () => ({ live: [], gone: [], orphansHungUp: [], agentsAdopted: [] }),
  };
}

describeEachDatabase('the pacer is told the same by the runner and the simulator', (database) => {
  it('gives the same calls in flight each second and the same statistics for the same events', async () => {
    const { db } = database();
    const epoch = new Date('2026-11-25T15:00:00Z');
    const time = steppedClock(epoch);
    const clock = time.clock;
    const { campaign, definition } = await makeCampaign(db, { mode: 'predictive' });
    const [contactId] = await addContacts(db, campaign.id, 1, { lastDigit: () => 5 });
    const agentRow = await insertAgent(db, {
      code: `inputs-${campaign.id}`,
      name: 'Inputs test agent',
      endpoint: `PJSIP/inputs-${campaign.id}`,
    });
    await createAgentService({ db, clock }).login(agentRow.code, campaign.id);
    const telephony = acceptingTelephony();
    const pool = new AgentPool(
      {
        db,
        telephony,
        clock,
        logger: silentLogger(),
        engineId: 'inputs-test',
        campaignId: campaign.id,
        wrapUpSeconds: definition.wrapUpSeconds,
        callerId: definition.dialing.callerId,
      },
      { wrapUpTimedOut: () => {}, wrapUpEnded: () => {} },
    );
    const observed: PacingObservation[] = [];
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
      observe: (o) => observed.push(o),
      counters: newRunCounters(),
    });
    while (pool.free().length === 0) {
      await pool.sync();
      await new Promise((resolve) => setImmediate(resolve));
    }
    const [lead] = await claimLeads(db, {
      campaignId: campaign.id,
      engineId: 'inputs-test',
      limit: 1,
      now: clock.now(),
      leaseSeconds: 600,
      readyAgentIds: [],
    });
    const attemptId = `inputs-${campaign.id}`;
    const row = await createAttempt(db, {
      campaignId: campaign.id,
      contactId: contactId as number,
      phoneE164: lead?.phone_e164 as string,
      channelId: attemptId,
      gateReasons: [],
      queuedAt: clock.now(),
    });
    const call = new CallContext(
      attemptId,
      row.id,
      contactId as number,
      campaign.id,
      silentLogger(),
      clock.now(),
    );
    calls.add(call);
    const at = () => clock.now();
    // The events Asterisk sends for this call, at the moments the simulator plays them.
    const script: Record<number, TelephonyEvent[]> = {
      1: [{ type: 'ringing', attemptId, at: at() }],
      [RING]: [{ type: 'line-answered', attemptId, at: at() }],
      [RING + AMD]: [
        { type: 'answered', attemptId, at: at(), amd: { status: 'HUMAN', cause: 'HUMAN-1-1' } },
        { type: 'connected', attemptId, agentId: String(agentRow.id), at: at() },
      ],
      [RING + AMD + TALK]: [
        {
          type: 'hangup',
          attemptId,
          cause: 16,
          causeText: 'Normal Clearing',
          outcome: 'answered',
          answered: true,
          at: at(),
        },
      ],
    };

    const expected = simulatorInputs();
    const runnerSeen: Seen[] = [];
    let stats = createStatistics({ targetAbandonRate: definition.pacing.targetAbandonRate });
    for (let second = 0; second < 60; second++) {
      time.set(second);
      for (const event of script[second] ?? []) {
        await call.serial(() => flow.handle({ ...event, at: clock.now() }));
      }
      for (const o of observed.splice(0)) stats = updateStatistics(stats, o);
      runnerSeen.push({ flight: flow.inFlight(clock.now()), stats });
    }

    // The simulator's agent also wraps up (the pool tells the runner's pacer of that, not the flow).
    const withoutWrapUp = (s: Seen) => ({
      flight: s.flight,
      stats: { ...s.stats, wrapUp: null, totals: { ...s.stats.totals, wrapUps: 0 } },
    });
    // The simulator's view of second 0 comes before its launch; from second 1 on, both hold the call.
    expect(runnerSeen.slice(1).map(withoutWrapUp)).toEqual(expected.slice(1).map(withoutWrapUp));
    // And the call was seen as answered (classifying) from the line answer, not from the verdict.
    expect(runnerSeen[RING + 1]?.flight).toEqual([{ stage: 'classifying', elapsedSeconds: 1 }]);
  });
});
