import { expect, it } from 'vitest';
import { callFactsOf } from '../../db/queries/recordings.ts';
import { holdTime } from '../../engine/runner/engine-clock.ts';
import { ensureSimulatedAgents } from '../../scripts/demo/simulated-agents.ts';
import { addContacts, runningCampaign } from '../engine/fixtures.ts';
import { manualTelephony } from '../engine/simulated-telephony.ts';
import { describeEachDatabase } from '../support/database.ts';
import { testUser } from '../support/identity.ts';
import { bearer, errorOf, serveForTest } from './support.ts';

const SPEED = 20;

describeEachDatabase('API: the agent sends the customer to the satisfaction prompt', (database) => {
  it('stores the key the customer presses with the call; refused when the agent is not on a call', async () => {
    const { db } = database();
    // Every person presses 4 when a prompt plays.
    const simulated = await manualTelephony({
      speed: SPEED,
      simulator: { agents: { answerDelayMs: 300 }, callees: { dtmf: '4' } },
    });
    const { clock, telephony } = simulated;
    const { campaign } = await runningCampaign(db, clock.now(), {
      wrapUpSeconds: 900,
      satisfaction: { enabled: true, prompt: 'sound:dialer/rate-us' },
    });
    await addContacts(db, campaign.id, 1, {
      lastDigit: () => 5,
      nextAttemptAt: new Date(clock.now().getTime() - 60_000),
    });
    const [code] = await ensureSimulatedAgents(db, 1, `sat-${campaign.id}`);
    const user = await testUser(db, 'agent');
    const userRow = await db
      .selectFrom('users')
      .select('id')
      .where('name', '=', user.name)
      .executeTakeFirstOrThrow();
    await db.updateTable('agents').set({ user_id: userRow.id }).where('code', '=', code!).execute();
    const api = () => bearer(serving.url, user.token);
    const sent: { attemptId?: string; status?: number; body?: unknown } = {};
    // On the call's `connected`, engine time waits while the agent's desktop asks over HTTP
    // (once the agent's state says on_call), as a person would during the call.
    telephony.onEvent((event) => {
      if (event.type !== 'connected' || sent.attemptId !== undefined) return;
      sent.attemptId = event.attemptId;
      void holdTime(
        clock,
        (async () => {
          const until = Date.now() + 30_000;
          while (Date.now() < until) {
            const screen = (await (await api()('/api/agents/me/screen')).json()) as {
              state: { kind: string };
            };
            if (screen.state.kind === 'on_call') break;
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          const response = await api()('/api/agents/me/satisfaction', { method: 'POST' });
          sent.status = response.status;
          sent.body = await response.json();
        })(),
      );
    });
    simulated.run({ maxSpeed: SPEED });
    const serving = await serveForTest(database(), { telephony, clock, engine: { tickMs: 50 } });
    try {
      const early = await api()('/api/agents/me/satisfaction', { method: 'POST' });
      expect(early.status).toBe(422);
      expect(await errorOf(early)).toMatchObject({ code: 'not_on_call' });

      const login = await api()('/api/agents/me/login', {
        method: 'POST',
        body: JSON.stringify({ campaignId: campaign.id }),
      });
      expect(login.status).toBe(200);

      const until = Date.now() + 60_000;
      let facts: Awaited<ReturnType<typeof callFactsOf>> = [];
      while (Date.now() < until) {
        if (sent.status !== undefined && sent.attemptId) {
          const attempt = await db
            .selectFrom('call_attempts')
            .select('id')
            .where('channel_id', '=', sent.attemptId)
            .executeTakeFirst();
          if (attempt) facts = await callFactsOf(db, attempt.id);
          if (facts.some((f) => f.kind === 'satisfaction')) break;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(sent.status).toBe(200);
      expect(sent.body).toMatchObject({ agent: code, attemptId: sent.attemptId, campaignId: campaign.id });
      expect(facts.find((f) => f.kind === 'satisfaction')?.data).toEqual({ score: 4 });
      const audits = await db
        .selectFrom('audit_log')
        .select(['actor', 'subject'])
        .where('action', '=', 'agent.satisfaction')
        .execute();
      expect(audits).toEqual([{ actor: user.name, subject: `agent:${code}` }]);
    } finally {
      await serving.stop();
      await simulated.stop();
    }
  }, 120_000);
});
