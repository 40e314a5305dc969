import type { Kysely } from 'kysely';
import { expect, it } from 'vitest';
import type { CampaignDefinitionInput } from '../../campaigns/campaign-definition.ts';
import { findOpenSession, sessionState } from '../../db/queries/agent-sessions.ts';
import { claimLeads } from '../../db/queries/leads.ts';
import type { Database } from '../../db/schema.ts';
import { applyAgentEvent, createAgentService } from '../../engine/agents/agent-service.ts';
import { main } from '../../engine/main.ts';
import { silentLogger } from '../../engine/platform/logger.ts';
import { agentScreen } from '../../engine/services/agent-screen.ts';
import { ensureSimulatedAgents } from '../../scripts/demo/simulated-agents.ts';
import { describeEachDatabase, type TestDatabase } from '../support/database.ts';
import { untilEngineTime } from './engine-time-probes.ts';
import { addContacts, makeCampaign, runningCampaign } from './fixtures.ts';
import { type ManualTelephony, manualTelephony } from './simulated-telephony.ts';

const SPEED = 20;
const now = new Date('2026-11-25T15:00:00Z');
const nextAttemptAt = new Date('2026-11-25T14:00:00Z');

/** Agent `code` logged in, ready, with the campaign's one contact claimed and on its preview screen. */
async function agentPreviewing(db: Kysely<Database>, campaignId: number, code: string) {
  const agents = createAgentService({ db, clock: { now: () => now } });
  const { session } = await agents.login(code, campaignId);
  const options = { now, wrapUpSeconds: 30 };
  await applyAgentEvent(db, session.id, { type: 'leg_answered' }, options);
  const [lead] = await claimLeads(db, {
    campaignId,
    engineId: 'e1',
    limit: 1,
    now,
    leaseSeconds: 60,
    readyAgentIds: [],
  });
  await applyAgentEvent(
    db,
    session.id,
    { type: 'reserve', attemptId: null, contactId: lead!.id, preview: true },
    options,
  );
  return { agents, session, contactId: lead!.id, options };
}

function contactOf(db: Kysely<Database>, id: number) {
  return db
    .selectFrom('contacts')
    .select(['status', 'priority', 'next_attempt_at', 'lease_owner', 'lease_expires_at'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

/**
 * Waits until `agentId` has a lead on its preview screen, at most `engineMs` of engine time (and
 * a real-time bound against a hang); returns its contact id.
 */
async function previewOf(
  db: Kysely<Database>,
  agentId: number,
  clock: ManualTelephony['clock'],
  engineMs: number,
): Promise<number | null> {
  let shown: number | null = null;
  await untilEngineTime(clock, engineMs, async () => {
    const session = await findOpenSession(db, agentId);
    const state = session ? sessionState(session) : null;
    shown = state?.kind === 'reserved' && state.preview ? state.contactId : null;
    return shown !== null;
  });
  return shown;
}

/**
 * A preview campaign with one lead on agent A's screen, run by an engine over the ARI simulator;
 * `then` acts and checks, the engine and the simulator are stopped afterwards.
 */
async function withLeadOnPreview(
  database: () => TestDatabase,
  campaignSettings: Partial<CampaignDefinitionInput>,
  then: (ctx: {
    db: Kysely<Database>;
    agents: ReturnType<typeof createAgentService>;
    clock: ManualTelephony['clock'];
    sim: ManualTelephony['sim'];
    codes: string[];
    campaignId: number;
    contactId: number;
    firstAgentId: number;
  }) => Promise<void>,
): Promise<void> {
  const { db } = database();
  const simulated = await manualTelephony({ speed: SPEED });
  const { clock, telephony } = simulated;
  try {
    const { campaign } = await runningCampaign(db, clock.now(), { mode: 'preview', ...campaignSettings });
    const [contactId] = await addContacts(db, campaign.id, 1, {
      lastDigit: () => 5,
      nextAttemptAt: new Date(clock.now().getTime() - 60_000),
    });
    const codes = await ensureSimulatedAgents(db, 2, `preview-release-${campaign.id}`);
    const agents = createAgentService({ db, clock });
    const { agent } = await agents.login(codes[0]!, campaign.id);
    // Engine time at most SPEED× real time, so that the test's own steps fall between engine moments.
    simulated.run({ maxSpeed: SPEED });
    const engine = await main(
      { database: database(), telephony, clock, logger: silentLogger() },
      [campaign.id],
      {
        tickMs: 50,
        leaseSeconds: 30,
      },
    );
    try {
      expect(await previewOf(db, agent.id, clock, 60_000)).toBe(contactId);
      await then({
        db,
        agents,
        clock,
        sim: simulated.sim,
        codes,
        campaignId: campaign.id,
        contactId: contactId!,
        firstAgentId: agent.id,
      });
    } finally {
      await engine.stop();
    }
  } finally {
    await simulated.stop();
  }
}

describeEachDatabase('a lead on preview that is never dialed', (database) => {
  it('goes back to the queue, priority and next attempt kept, lease cleared, when its agent logs out', async () => {
    const { db } = database();
    const { campaign } = await makeCampaign(db, { mode: 'preview' });
    await addContacts(db, campaign.id, 1, { priority: () => 7, nextAttemptAt });
    const [code] = await ensureSimulatedAgents(db, 1, `preview-logout-${campaign.id}`);
    const { agents, contactId } = await agentPreviewing(db, campaign.id, code!);
    expect((await contactOf(db, contactId)).status).toBe('in_progress');

    await agents.logout(code!);

    expect(await contactOf(db, contactId)).toEqual({
      status: 'ready',
      priority: 7,
      next_attempt_at: nextAttemptAt,
      lease_owner: null,
      lease_expires_at: null,
    });
  });

  it('goes back to the queue when its agent loses the phone leg', async () => {
    const { db } = database();
    const { campaign } = await makeCampaign(db, { mode: 'preview' });
    await addContacts(db, campaign.id, 1, { priority: () => 3, nextAttemptAt });
    const [code] = await ensureSimulatedAgents(db, 1, `preview-leg-${campaign.id}`);
    const { session, contactId, options } = await agentPreviewing(db, campaign.id, code!);

    const applied = await applyAgentEvent(db, session.id, { type: 'leg_lost' }, options);

    expect(applied.session.ended_at).not.toBeNull();
    expect(await contactOf(db, contactId)).toMatchObject({ status: 'ready', priority: 3, lease_owner: null });
  });

  it('is offered to the next agent when the agent who had it on screen logs out', async () => {
    await withLeadOnPreview(database, {}, async ({ db, agents, clock, codes, campaignId, contactId }) => {
      await agents.logout(codes[0]!);
      const { agent: other } = await agents.login(codes[1]!, campaignId);
      // Well within the 30 s lease: released by the logout, not by the lease running out.
      expect(await previewOf(db, other.id, clock, 20_000)).toBe(contactId);
    });
  }, 90_000);

  it('comes back once its lease runs out when the preview screen vanishes by a path that does not release it', async () => {
    await withLeadOnPreview(
      database,
      {},
      async ({ db, agents, clock, codes, campaignId, contactId, firstAgentId }) => {
        // A session closed behind the state machine's back: nothing puts the contact back but its lease.
        await db
          .updateTable('agent_sessions')
          .set({ ended_at: new Date(), state: 'offline' })
          .where('agent_id', '=', firstAgentId)
          .where('ended_at', 'is', null)
          .execute();
        expect((await contactOf(db, contactId)).status).toBe('in_progress');
        const { agent: other } = await agents.login(codes[1]!, campaignId);
        // 160 engine seconds: several 30 s leases.
        expect(await previewOf(db, other.id, clock, 160_000)).toBe(contactId);
      },
    );
  }, 90_000);
});

/** The engine time at which `agentId`'s open session entered its current state. */
async function stateSince(db: Kysely<Database>, agentId: number): Promise<Date> {
  const session = await findOpenSession(db, agentId);
  return session!.state_since;
}

function attemptsOf(db: Kysely<Database>, contactId: number) {
  return db
    .selectFrom('call_attempts')
    .select(['queued_at', 'agent_id'])
    .where('contact_id', '=', contactId)
    .execute();
}

describeEachDatabase('a lead on preview when the agent’s phone drops', (database) => {
  it('goes back to the queue while the agent stays logged in and the phone is rung again', async () => {
    await withLeadOnPreview(database, {}, async ({ db, clock, sim, contactId, firstAgentId }) => {
      const before = await findOpenSession(db, firstAgentId);
      expect(sim.hangupFromFarEnd(before!.channel_id!, 16)).toBe(true);
      // Put back at once (not after its lease), undialed.
      expect(
        await untilEngineTime(
          clock,
          10_000,
          async () => (await contactOf(db, contactId)).lease_owner === null,
        ),
      ).toBe(true);
      expect(await attemptsOf(db, contactId)).toEqual([]);
      // The same session, its phone up again on a new leg: the lead comes back on its screen.
      expect(await previewOf(db, firstAgentId, clock, 60_000)).toBe(contactId);
      const after = await findOpenSession(db, firstAgentId);
      expect(after?.id).toBe(before!.id);
      expect(after?.channel_id).not.toBe(before!.channel_id);
    });
  }, 90_000);
});

describeEachDatabase('a timed preview (the campaign’s preview.timeoutSeconds)', (database) => {
  it('is shown on the agent’s screen: when the engine decides, and what it does then', async () => {
    const { db } = database();
    const preview = { timeoutSeconds: 45, onTimeout: 'skip' as const };
    const { campaign } = await makeCampaign(db, { mode: 'preview', preview });
    await addContacts(db, campaign.id, 1, { nextAttemptAt });
    const [code] = await ensureSimulatedAgents(db, 1, `preview-screen-${campaign.id}`);
    await agentPreviewing(db, campaign.id, code!);
    const { agent, session } = await createAgentService({ db, clock: { now: () => now } }).status(code!);
    const screen = await agentScreen(db, agent, session);
    expect(screen.call?.previewDeadline).toEqual({
      at: new Date(session!.state_since.getTime() + 45_000).toISOString(),
      action: 'skip',
    });
  });

  it('is dialed by the engine, to the same agent, once the timeout has passed with no decision', async () => {
    const preview = { timeoutSeconds: 20, onTimeout: 'dial' as const };
    await withLeadOnPreview(database, { preview }, async ({ db, clock, contactId, firstAgentId }) => {
      const shownAt = await stateSince(db, firstAgentId);
      expect(
        await untilEngineTime(clock, 60_000, async () => (await attemptsOf(db, contactId)).length > 0),
      ).toBe(true);
      const [attempt] = await attemptsOf(db, contactId);
      expect(attempt!.agent_id).toBe(firstAgentId);
      expect(attempt!.queued_at.getTime() - shownAt.getTime()).toBeGreaterThanOrEqual(20_000);
    });
  }, 90_000);

  it('is put back, marked as timed out, and the agent freed, when the campaign skips at the timeout', async () => {
    const preview = { timeoutSeconds: 20, onTimeout: 'skip' as const };
    await withLeadOnPreview(database, { preview }, async ({ db, clock, contactId, firstAgentId }) => {
      const shownAt = await stateSince(db, firstAgentId);
      const released = await untilEngineTime(clock, 60_000, async () => {
        const c = await db
          .selectFrom('contacts')
          .select('status_reason')
          .where('id', '=', contactId)
          .executeTakeFirstOrThrow();
        return c.status_reason === 'preview_timed_out';
      });
      expect(released).toBe(true);
      expect(await attemptsOf(db, contactId)).toEqual([]);
      const contact = await contactOf(db, contactId);
      expect(contact).toMatchObject({ status: 'ready', lease_owner: null });
      // Back a minute later, so that the next preview shows somebody else.
      expect(contact.next_attempt_at!.getTime() - shownAt.getTime()).toBeGreaterThanOrEqual(80_000);
      const session = await findOpenSession(db, firstAgentId);
      expect(session && sessionState(session)).toEqual({ kind: 'ready' });
    });
  }, 90_000);

  it('waits for the agent as long as it takes without a timeout (manual preview)', async () => {
    await withLeadOnPreview(database, {}, async ({ db, clock, contactId, firstAgentId }) => {
      // Two minutes of engine time: longer than any timeout would have been here, within the lease
      // renewals of a lead on screen.
      expect(
        await untilEngineTime(clock, 120_000, async () => (await attemptsOf(db, contactId)).length > 0),
      ).toBe(false);
      expect(await previewOf(db, firstAgentId, clock, 1000)).toBe(contactId);
    });
  }, 90_000);
});
