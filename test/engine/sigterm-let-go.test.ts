import { expect, it, vi } from 'vitest';
import { findOpenSession, sessionState } from '../../db/queries/agent-sessions.ts';
import { insertAgent } from '../../db/queries/agents.ts';
import { createAttempt, finalizeAttempt } from '../../db/queries/dial-log.ts';
import { createAgentService } from '../../engine/agents/agent-service.ts';
import { silentLogger } from '../../engine/platform/logger.ts';
import { CampaignRunner } from '../../engine/runner/campaign-runner.ts';
import { describeEachDatabase } from '../support/database.ts';
import { addContacts, runningCampaign } from './fixtures.ts';
import { simulatedTelephony } from './simulated-telephony.ts';

describeEachDatabase('a runner stopped by SIGTERM', (database) => {
  it('logs out the agents waiting for calls and releases every contact it holds whose call is over', async () => {
    const { db, kind, pool } = database();
    const simulated = await simulatedTelephony(1);
    const { clock, telephony } = simulated;
    try {
      const { campaign } = await runningCampaign(db, clock.now());
      const engineId = `sigterm-${campaign.id}`;
      const [done, open, foreign] = await addContacts(db, campaign.id, 3);
      // Paused: no dial goes out during the test.
      await db.updateTable('campaigns').set({ status: 'paused' }).where('id', '=', campaign.id).execute();
      const agent = await insertAgent(db, {
        code: `sigterm-${campaign.id}`,
        name: 'Sig',
        endpoint: 'PJSIP/sig',
      });
      await createAgentService({ db, clock }).login(agent.code, campaign.id);

      const runner = new CampaignRunner(
        { database: { db, kind, pool }, telephony, clock, logger: silentLogger(), engineId },
        campaign.id,
        { tickMs: 10 },
      );
      await telephony.start();
      await runner.start();
      await vi.waitFor(
        async () => {
          const session = await findOpenSession(db, agent.id);
          expect(session && sessionState(session).kind).toBe('ready');
        },
        { timeout: 30_000 },
      );
      // While it runs (its start-up recovery releases what a dead engine held). Held by this engine: one whose call is over (left in_progress before this fix), one with
      // a call still open in the dial log; one held by another engine.
      const hold = (id: number, owner: string) =>
        db
          .updateTable('contacts')
          .set({
            status: 'in_progress',
            lease_owner: owner,
            lease_expires_at: new Date(clock.now().getTime() + 600_000),
          })
          .where('id', '=', id)
          .execute();
      await hold(done!, engineId);
      await hold(open!, engineId);
      await hold(foreign!, 'another-engine');
      const attempt = (contactId: number) =>
        createAttempt(db, {
          campaignId: campaign.id,
          contactId,
          phoneE164: `+1212555${contactId}`.slice(0, 12),
          channelId: `sigterm-${contactId}-${Math.random()}`,
          gateReasons: [],
        });
      await finalizeAttempt(db, (await attempt(done!)).id, { result: 'no_answer', cause: 19 });
      await attempt(open!);
      await runner.stop();

      expect(await findOpenSession(db, agent.id)).toBeUndefined();
      const contacts = await db
        .selectFrom('contacts')
        .select(['id', 'status', 'lease_owner'])
        .where('id', 'in', [done!, open!, foreign!])
        .orderBy('id')
        .execute();
      expect(contacts).toEqual([
        { id: done, status: 'ready', lease_owner: null },
        { id: open, status: 'in_progress', lease_owner: engineId },
        { id: foreign, status: 'in_progress', lease_owner: 'another-engine' },
      ]);
    } finally {
      await simulated.stop();
    }
  });

  it('arms no wrap-up timeout after it let go: an agent in wrap-up keeps the session for the next engine', async () => {
    const { db, kind, pool } = database();
    const simulated = await simulatedTelephony(1);
    const { clock, telephony } = simulated;
    try {
      const { campaign } = await runningCampaign(db, clock.now());
      const [contact] = await addContacts(db, campaign.id, 1);
      await db.updateTable('campaigns').set({ status: 'paused' }).where('id', '=', campaign.id).execute();
      const agent = await insertAgent(db, {
        code: `wrap-${campaign.id}`,
        name: 'Wrap',
        endpoint: 'PJSIP/wrap',
      });
      await createAgentService({ db, clock }).login(agent.code, campaign.id);
      const runner = new CampaignRunner(
        {
          database: { db, kind, pool },
          telephony,
          clock,
          logger: silentLogger(),
          engineId: `wrap-${campaign.id}`,
        },
        campaign.id,
        { tickMs: 10 },
      );
      await telephony.start();
      await runner.start();
      await vi.waitFor(
        async () => {
          const session = await findOpenSession(db, agent.id);
          expect(session && sessionState(session).kind).toBe('ready');
        },
        { timeout: 30_000 },
      );
      const channelId = `wrap-${contact}-${Math.random()}`;
      const attempt = await createAttempt(db, {
        campaignId: campaign.id,
        contactId: contact!,
        phoneE164: '+12125550100',
        channelId,
        gateReasons: [],
      });
      await finalizeAttempt(db, attempt.id, { result: 'connected', cause: 16 });
      // The agent's call ended just before the stop: wrap-up with its deadline 300 ms ahead.
      const deadline = new Date(clock.now().getTime() + 300);
      await db
        .updateTable('agent_sessions')
        .set({
          state: 'wrap_up',
          state_data: JSON.stringify({
            attemptId: channelId,
            deadline: deadline.toISOString(),
            after: { kind: 'ready' },
          }),
        })
        .where('agent_id', '=', agent.id)
        .where('ended_at', 'is', null)
        .execute();
      await runner.stop();

      // Well past the deadline: the stopped engine wrote nothing (it would have recorded the
      // outcome as missing and moved the agent on; on a closed database, failed every time).
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const session = await findOpenSession(db, agent.id);
      expect(session && sessionState(session).kind).toBe('wrap_up');
      const outcomes = await db
        .selectFrom('outcomes')
        .select('id')
        .where('attempt_id', '=', attempt.id)
        .execute();
      expect(outcomes).toEqual([]);
    } finally {
      await simulated.stop();
    }
  });
});
