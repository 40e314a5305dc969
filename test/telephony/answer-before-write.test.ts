import type { Kysely } from 'kysely';
import { expect, it } from 'vitest';
import type { CampaignDefinition } from '../../campaigns/campaign-definition.ts';
import { insertAgent } from '../../db/queries/agents.ts';
import { createAttempt, getAttempt, updateAttempt } from '../../db/queries/dial-log.ts';
import { claimLeads } from '../../db/queries/leads.ts';
import type { Database } from '../../db/schema.ts';
import { createAgentService } from '../../engine/agents/agent-service.ts';
import { silentLogger } from '../../engine/platform/logger.ts';
import { AgentPool } from '../../engine/runner/agent-pool.ts';
import { CallContext } from '../../engine/runner/call-context.ts';
import { CallFlow, newRunCounters } from '../../engine/runner/call-flow.ts';
import type { EngineClock } from '../../engine/runner/engine-clock.ts';
import { LiveCalls } from '../../engine/runner/live-calls.ts';
import { addContacts, makeCampaign } from '../engine/fixtures.ts';
import { describeEachDatabase } from '../support/database.ts';
import { type Rig, sleep, startRig } from './support.ts';

/**
 * The 2-second path does not wait on the database: a person who answers is put through to the
 * agent (the bridge add) before the dial-log row learns of the answer, and the row still ends
 * up complete and in order. The database here is slow on purpose: every dial-log update waits
 * until the test lets it through.
 */

/** Engine time frozen at a weekday afternoon; timers never fire (no abandon behind the test's back). */
function frozenClock(): EngineClock {
  const now = new Date('2026-11-25T15:00:00Z');
  return { speed: 1, now: () => new Date(now), after: () => () => {}, sleep: () => new Promise(() => {}) };
}

/** A dial-log update that starts only once `open()` is called: a database that is slow to write. */
function slowUpdates() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const started: string[] = [];
  const done: string[] = [];
  const update: typeof updateAttempt = async (db, id, patch) => {
    const what = patch.status ?? Object.keys(patch).join(',');
    started.push(what);
    await opened;
    const row = await updateAttempt(db, id, patch);
    done.push(what);
    return row;
  };
  return { update, open, started, done };
}

/**
 * The runner's agent pool and call flow for one campaign, the flow writing the dial log through
 * `slow` (see slowUpdates).
 */
function runnerOnSlowDatabase(
  db: Kysely<Database>,
  rig: Rig,
  clock: EngineClock,
  campaignId: number,
  definition: CampaignDefinition,
) {
  const pool = new AgentPool(
    {
      db,
      telephony: rig.tel,
      clock,
      logger: silentLogger(),
      engineId: 'slow-db',
      campaignId,
      wrapUpSeconds: definition.wrapUpSeconds,
      callerId: definition.dialing.callerId,
    },
    { wrapUpTimedOut: () => {}, wrapUpEnded: () => {} },
  );
  const slow = slowUpdates();
  const calls = new LiveCalls();
  const flow = new CallFlow({
    db,
    telephony: rig.tel,
    clock,
    logger: silentLogger(),
    campaignId,
    definition,
    pool,
    calls,
    observe: () => {},
    counters: newRunCounters(),
    updateAttempt: slow.update,
  });
  return { pool, slow, calls, flow };
}

/**
 * Dials a contact as the runner does: its dial-log row first, then the call's context in the
 * live calls with the telephony events routed to the flow, then the originate.
 */
async function dialThroughFlow(
  db: Kysely<Database>,
  rig: Rig,
  clock: EngineClock,
  runner: { flow: CallFlow; calls: LiveCalls },
  dial: { campaignId: number; contactId: number; phoneE164: string; endpoint: string },
) {
  const attemptId = rig.tel.newCallId(`c${dial.campaignId}-k${dial.contactId}`);
  const row = await createAttempt(db, {
    campaignId: dial.campaignId,
    contactId: dial.contactId,
    phoneE164: dial.phoneE164,
    channelId: attemptId,
    gateReasons: [],
    queuedAt: clock.now(),
  });
  const call = new CallContext(
    attemptId,
    row.id,
    dial.contactId,
    dial.campaignId,
    silentLogger(),
    clock.now(),
  );
  runner.calls.add(call);
  rig.tel.onEvent((event) => {
    if ('attemptId' in event && event.attemptId === attemptId)
      void call.serial(() => runner.flow.handle(event));
  });
  await rig.tel.originate({ attemptId, endpoint: dial.endpoint, callerId: '4000', ringTimeoutSeconds: 30 });
  return { attemptId, row, call };
}

describeEachDatabase('the answer goes to the agent before the database hears of it', (database) => {
  it('adds the person to the agent’s bridge while the dial-log update of the answer is still waiting, then seals every fact in order', async () => {
    const { db } = database();
    const rig = await startRig({
      callees: { numbers: { '+12125550105': { kind: 'answer', ringMs: 200, talkMs: null } } },
    });
    try {
      const clock = frozenClock();
      const { campaign, definition } = await makeCampaign(db, { mode: 'predictive' });
      const [contactId] = await addContacts(db, campaign.id, 1, { lastDigit: () => 5 });
      const agentRow = await insertAgent(db, {
        code: `slow-${campaign.id}`,
        name: 'Agent on a slow database',
        endpoint: `PJSIP/slow-${campaign.id}`,
      });
      await createAgentService({ db, clock }).login(agentRow.code, campaign.id);
      const { pool, slow, calls, flow } = runnerOnSlowDatabase(db, rig, clock, campaign.id, definition);
      for (let i = 0; i < 500 && pool.free().length === 0; i++) {
        await pool.sync();
        await sleep(10);
      }
      expect(pool.free()).toHaveLength(1);

      const [lead] = await claimLeads(db, {
        campaignId: campaign.id,
        engineId: 'slow-db',
        limit: 1,
        now: clock.now(),
        leaseSeconds: 600,
        readyAgentIds: [],
      });
      const { attemptId, row } = await dialThroughFlow(
        db,
        rig,
        clock,
        { flow, calls },
        {
          campaignId: campaign.id,
          contactId: contactId as number,
          phoneE164: lead?.phone_e164 ?? '',
          endpoint: 'PJSIP/+12125550105@carrier',
        },
      );
      // Asterisk says the customer entered the agent's bridge…
      await rig.log.waitFor('connected', (e) => e.attemptId === attemptId);
      // …while no update of the row has been written: the answer's waits behind the ringing's.
      expect(slow.done).toEqual([]);
      expect((await getAttempt(db, row.id)).answered_at).toBeNull();

      // The database catches up; the call ends; the sealed row holds every fact, in order.
      slow.open();
      rig.sim.hangupFromFarEnd(attemptId);
      await rig.log.waitFor('hangup', (e) => e.attemptId === attemptId);
      for (let i = 0; i < 500 && (await getAttempt(db, row.id)).finalized_at === null; i++) await sleep(10);
      const sealed = await getAttempt(db, row.id);
      expect(slow.done).toEqual(['ringing', 'answered', 'connected']);
      expect(sealed).toMatchObject({ status: 'ended', result: 'connected', agent_id: agentRow.id });
      expect(sealed.answered_at).not.toBeNull();
      expect(sealed.connected_at).not.toBeNull();
      expect(sealed.row_hash).not.toBeNull();
    } finally {
      await rig.close();
    }
  });

  it('starts the identification message of an abandoned call while the dial-log update of the abandon is still waiting', async () => {
    const { db } = database();
    const rig = await startRig({
      callees: { numbers: { '+12125550106': { kind: 'answer', ringMs: 200, talkMs: null } } },
      sounds: { defaultMs: 100 },
    });
    try {
      // Nobody to route to: the connect time runs out at once, and the person is abandoned.
      const clock: EngineClock = {
        ...frozenClock(),
        after: (_ms, fn) => {
          const timer = setTimeout(fn, 0);
          return () => clearTimeout(timer);
        },
      };
      const { campaign, definition } = await makeCampaign(db, { mode: 'predictive' });
      const [contactId] = await addContacts(db, campaign.id, 1, { lastDigit: () => 6 });
      const { slow, calls, flow } = runnerOnSlowDatabase(db, rig, clock, campaign.id, definition);
      const { attemptId, row, call } = await dialThroughFlow(
        db,
        rig,
        clock,
        { flow, calls },
        {
          campaignId: campaign.id,
          contactId: contactId as number,
          phoneE164: '+12125550106',
          endpoint: 'PJSIP/+12125550106@carrier',
        },
      );
      // The message played and the call was hung up, while the row has heard nothing yet.
      await rig.log.waitFor('hangup', (e) => e.attemptId === attemptId);
      expect(slow.done).toEqual([]);
      expect(call.verdict).toMatchObject({ tag: 'abandoned', abandoned: true });

      slow.open();
      for (let i = 0; i < 500 && (await getAttempt(db, row.id)).finalized_at === null; i++) await sleep(10);
      expect(slow.done).toEqual(['ringing', 'answered', 'abandoned']);
      expect(await getAttempt(db, row.id)).toMatchObject({ result: 'abandoned', abandoned: true });
    } finally {
      await rig.close();
    }
  });
});
