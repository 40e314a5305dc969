import { expect } from 'vitest';
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
import type { TestDatabase } from '../support/database.ts';
import { addContacts, makeCampaign } from './fixtures.ts';

/**
 * One call handed to a real CallFlow over a database, an agent logged in and a contact claimed:
 * the set-up the call-flow and bridge-watch specifications share. The telephone system is the
 * test's own (`TelephonyPort`), the clock frozen unless the test gives one.
 */

/** Engine time that only moves when asked; its timers never fire (no abandon behind the test's back). */
export function frozenClock(): EngineClock {
  const now = new Date('2026-11-25T15:00:00Z');
  return { speed: 1, now: () => new Date(now), after: () => () => {}, sleep: () => new Promise(() => {}) };
}

export async function setUpCallFlow(
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
