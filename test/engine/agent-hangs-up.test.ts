import type { Kysely } from 'kysely';
import { expect, it } from 'vitest';
import type { Database } from '../../db/schema.ts';
import { main } from '../../engine/main.ts';
import { silentLogger } from '../../engine/platform/logger.ts';
import { RING_BACKOFF } from '../../engine/runner/phone-lost.ts';
import { describeEachDatabase, type TestDatabase } from '../support/database.ts';
import { countingRings, untilEngineTime } from './engine-time-probes.ts';
import { addContacts, longRetries, runningCampaign, workingAgents } from './fixtures.ts';
import { type ManualTelephony, manualTelephony } from './simulated-telephony.ts';

/**
 * An agent who hangs up their phone on purpose while waiting for calls (issue #11: a phone
 * lost, not an agent gone): on the ARI simulator and the real adapter, in engine time moved in
 * lockstep. The session stays open and the phone is rung again with backoff; one that is never
 * answered again ends the session after the tries (engine/runner/phone-lost.ts).
 */
const SPEED = 20;

interface Ready {
  db: Kysely<Database>;
  simulated: ManualTelephony;
  rings: Array<{ agentId: string; at: number }>;
  campaignId: number;
  agentId: number;
  endpoint: string;
  session: () => Promise<{ state: string; channel_id: string | null; ended_at: Date | null }>;
}

/** One agent logged in to a running progressive campaign with no contacts yet, phone up, ready. */
async function agentWaiting(
  database: () => TestDatabase,
  then: (ready: Ready) => Promise<void>,
  maxSpeed = SPEED,
) {
  const { db } = database();
  const simulated = await manualTelephony({ speed: SPEED });
  const { clock } = simulated;
  const { port, rings } = countingRings(simulated.telephony, clock);
  try {
    const { campaign, definition } = await runningCampaign(db, clock.now(), {
      mode: 'progressive',
      attempts: longRetries,
    });
    const agents = await workingAgents(
      db,
      clock,
      { campaignId: campaign.id, definition },
      1,
      `hangs-up-${campaign.id}`,
    );
    const agent = await db
      .selectFrom('agent_sessions')
      .innerJoin('agents', 'agents.id', 'agent_sessions.agent_id')
      .select(['agents.id', 'agents.endpoint'])
      .where('agent_sessions.campaign_id', '=', campaign.id)
      .executeTakeFirstOrThrow();
    const session = () =>
      db
        .selectFrom('agent_sessions')
        .select(['state', 'channel_id', 'ended_at'])
        .where('agent_id', '=', agent.id)
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
    simulated.run({ maxSpeed });
    const engine = await main({ database: database(), telephony: port, clock, logger: silentLogger() }, [
      campaign.id,
    ]);
    try {
      expect(
        await untilEngineTime(clock, 60_000, async () => {
          const s = await session();
          return s.state === 'ready' && s.channel_id !== null && rings.length === 1;
        }),
      ).toBe(true);
      await then({
        db,
        simulated,
        rings,
        campaignId: campaign.id,
        agentId: agent.id,
        endpoint: agent.endpoint,
        session,
      });
    } finally {
      agents.stop();
      await engine.stop();
    }
  } finally {
    await simulated.stop();
  }
}

describeEachDatabase('an agent who hangs up the phone while waiting for calls', (database) => {
  it('stays logged in, has the phone rung again after the backoff, and takes calls on it', async () => {
    await agentWaiting(database, async ({ db, simulated, rings, campaignId, session }) => {
      const { clock, sim } = simulated;
      const leg = (await session()).channel_id!;
      const hungUpAt = clock.now().getTime();
      expect(sim.hangupFromFarEnd(leg, 16)).toBe(true);

      // Rung again once, a backoff later (engine time), and up again in a new leg.
      expect(
        await untilEngineTime(clock, 30_000, async () => {
          const s = await session();
          return rings.length === 2 && s.channel_id !== null && s.channel_id !== leg;
        }),
      ).toBe(true);
      expect(rings[1]!.at - hungUpAt).toBeGreaterThanOrEqual(RING_BACKOFF.firstMs);
      expect(await session()).toMatchObject({ state: 'ready', ended_at: null });

      // Calls reach the agent on the phone rung again, nobody having logged in.
      await addContacts(db, campaignId, 3, {
        lastDigit: () => 5,
        nextAttemptAt: new Date(clock.now().getTime() - 60_000),
      });
      expect(
        await untilEngineTime(clock, 120_000, async () => {
          const connected = await db
            .selectFrom('call_attempts')
            .select('id')
            .where('campaign_id', '=', campaignId)
            .where('connected_at', 'is not', null)
            .execute();
          return connected.length > 0;
        }),
      ).toBe(true);
      expect(rings).toHaveLength(2);
    });
  }, 180_000);

  it('whose phone is then never answered is rung with growing gaps, ten times, and only then logged out', async () => {
    await agentWaiting(
      database,
      async ({ simulated, rings, endpoint, session }) => {
        const { clock, sim } = simulated;
        const leg = (await session()).channel_id!;
        sim.answerAgentPhone(endpoint, false);
        expect(sim.hangupFromFarEnd(leg, 16)).toBe(true);

        // Each ring lasts the login ring timeout (30 s) before the next backoff.
        expect(await untilEngineTime(clock, 900_000, async () => (await session()).ended_at !== null)).toBe(
          true,
        );
        const again = rings.slice(1).map((r) => r.at);
        expect(again).toHaveLength(RING_BACKOFF.tries);
        const gaps = again.slice(1).map((t, i) => t - again[i]!);
        expect(gaps.every((gap, i) => gap >= 30_000 && (i === 0 || gap >= gaps[i - 1]!))).toBe(true);
        expect((await session()).state).toBe('offline');
        // Engine time may run ahead of real time here: the test only waits.
      },
      200,
    );
  }, 180_000);
});
