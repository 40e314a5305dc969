import { afterAll, beforeAll, expect, it } from 'vitest';
import { callFactsOf } from '../../db/queries/recordings.ts';
import { holdTime } from '../../engine/runner/engine-clock.ts';
import { satisfactionScore } from '../../engine/runner/satisfaction-survey.ts';
import { describeEachDatabase } from '../support/database.ts';
import { type RecordedRun, runRecordedCampaign } from './recorded-campaign.ts';

it('a satisfaction key is a score from 1 to 5, anything else none', () => {
  expect(['1', '3', '5'].map(satisfactionScore)).toEqual([1, 3, 5]);
  expect(['0', '6', '#', '', '12'].map(satisfactionScore)).toEqual([null, null, null, null, null]);
});

describeEachDatabase('the post-call satisfaction prompt', (database) => {
  let run: RecordedRun;
  const sent: { byAgentHangup?: number; byDesktop?: number } = {};
  beforeAll(async () => {
    run = await runRecordedCampaign(database, {
      lastDigits: [5, 6],
      campaign: { satisfaction: { enabled: true, prompt: 'sound:dialer/rate-us' } },
      // Every person presses 4 when a prompt plays.
      simulator: { callees: { dtmf: '4' } },
      during: async ({ engine, simulated }) => {
        const { db } = database();
        // The first connected call: its agent hangs up the phone; the second: the agent's
        // desktop sends the customer to the survey. Engine time waits for the test's own step.
        simulated.telephony.onEvent((event) => {
          if (event.type !== 'connected') return;
          const attempt = db
            .selectFrom('call_attempts')
            .select('id')
            .where('channel_id', '=', event.attemptId)
            .executeTakeFirstOrThrow();
          if (sent.byAgentHangup === undefined) {
            sent.byAgentHangup = -1;
            void holdTime(
              simulated.clock,
              (async () => {
                sent.byAgentHangup = (await attempt).id;
                const session = await db
                  .selectFrom('agent_sessions')
                  .select('channel_id')
                  .where('agent_id', '=', Number(event.agentId))
                  .where('ended_at', 'is', null)
                  .executeTakeFirstOrThrow();
                simulated.sim.hangupFromFarEnd(session.channel_id ?? '', 16);
              })(),
            );
          } else if (sent.byDesktop === undefined) {
            sent.byDesktop = -1;
            void holdTime(
              simulated.clock,
              (async () => {
                sent.byDesktop = (await attempt).id;
                expect(await engine.runners[0]?.sendToSatisfaction(event.attemptId)).toBe(true);
              })(),
            );
          }
        });
      },
    });
  }, 120_000);
  afterAll(() => run?.cleanup());

  it('stores the digit pressed with the call when the agent hangs up', async () => {
    const facts = await callFactsOf(run.db, sent.byAgentHangup ?? -1);
    expect(facts.find((f) => f.kind === 'satisfaction')?.data).toEqual({ score: 4 });
  });

  it('stores the digit pressed with the call when the agent sends the customer to the survey', async () => {
    const facts = await callFactsOf(run.db, sent.byDesktop ?? -1);
    expect(facts.find((f) => f.kind === 'satisfaction')?.data).toEqual({ score: 4 });
  });
});
