import { expect, it } from 'vitest';
import { findOpenSession, sessionState } from '../../db/queries/agent-sessions.ts';
import { createAgentService } from '../../engine/agents/agent-service.ts';
import { main } from '../../engine/main.ts';
import { silentLogger } from '../../engine/platform/logger.ts';
import { ensureSimulatedAgents } from '../../scripts/demo/simulated-agents.ts';
import { describeEachDatabase } from '../support/database.ts';
import { addContacts, runningCampaign } from './fixtures.ts';
import { manualTelephony } from './simulated-telephony.ts';

const SPEED = 20;

describeEachDatabase('preview mode over the ARI simulator', (database) => {
  it('shows the agent a lead, dials it only once accepted, puts a skipped one back', async () => {
    const { db } = database();
    const simulated = await manualTelephony({ speed: SPEED });
    const { clock, telephony } = simulated;
    try {
      const { campaign } = await runningCampaign(db, clock.now(), { mode: 'preview' });
      // Last digits 5 and 6: people who answer and talk.
      const ids = await addContacts(db, campaign.id, 2, {
        lastDigit: (i) => 5 + i,
        nextAttemptAt: new Date(clock.now().getTime() - 60_000),
      });
      const [code] = await ensureSimulatedAgents(db, 1, `preview-${campaign.id}`);
      const agents = createAgentService({ db, clock });
      const { agent } = await agents.login(code!, campaign.id);
      // Engine time at most SPEED× real time: the test plays the agent in real time.
      simulated.run({ maxSpeed: SPEED });
      const engine = await main(
        { database: database(), telephony, clock, logger: silentLogger() },
        [campaign.id],
        {
          tickMs: 50,
        },
      );
      const seen: number[] = [];
      let skipped = false;
      const until = Date.now() + 60_000;
      while (Date.now() < until) {
        const session = await findOpenSession(db, agent.id);
        const state = session ? sessionState(session) : null;
        if (
          state?.kind === 'reserved' &&
          state.preview &&
          state.contactId !== null &&
          !(session?.state_data as { decision?: string } | undefined)?.decision
        ) {
          seen.push(state.contactId);
          if (!skipped) {
            skipped = true;
            expect(
              await db
                .selectFrom('call_attempts')
                .select('id')
                .where('contact_id', '=', state.contactId)
                .execute(),
            ).toEqual([]);
            await agents.skipPreview(code!);
          } else {
            await agents.acceptPreview(code!);
          }
        }
        if (state?.kind === 'wrap_up') await agents.tagOutcome(code!, { tag: 'paid', amount: 10 });
        const done = await db
          .selectFrom('contacts')
          .select('status')
          .where('campaign_id', '=', campaign.id)
          .execute();
        if (done.every((c) => c.status === 'done')) break;
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
      await engine.stop();
      const attempts = await db
        .selectFrom('call_attempts')
        .selectAll()
        .where('campaign_id', '=', campaign.id)
        .orderBy('id')
        .execute();
      // The skipped lead came back and was previewed again; each lead was dialed once, to this agent.
      expect(seen.length).toBeGreaterThanOrEqual(3);
      expect(attempts.map((a) => a.contact_id).sort()).toEqual([...ids].sort());
      expect(attempts.every((a) => a.agent_id === agent.id && a.connected_at !== null)).toBe(true);
    } finally {
      await simulated.stop();
    }
  }, 90_000);
});
