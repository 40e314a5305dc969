import { expect, it } from 'vitest';
import { main } from '../../engine/main.ts';
import { silentLogger } from '../../engine/platform/logger.ts';
import type { TelephonyPort } from '../../engine/telephony/port.ts';
import { describeEachDatabase } from '../support/database.ts';
import { countingRings, untilEngineTime } from './engine-time-probes.ts';
import { addContacts, longRetries, runningCampaign, workingAgents } from './fixtures.ts';
import { manualTelephony } from './simulated-telephony.ts';

/**
 * An agent whose phone drops while the engine holds them for an answered person (reserved, the
 * bridge not yet made): a phone lost like the others (issue #11), on the ARI simulator and the
 * real adapter over sockets, in engine time moved in lockstep. The person is handled as when an
 * agent cannot be bridged (here nobody else is free: the identification message, abandoned),
 * and the agent stays logged in, the phone rung again with backoff.
 */
const SPEED = 20;

describeEachDatabase('an agent whose phone drops while being connected to an answered person', (database) => {
  it('stays logged in and is rung again, while the person hears the identification message', async () => {
    const { db } = database();
    const simulated = await manualTelephony({ speed: SPEED });
    const { clock, sim } = simulated;
    const counted = countingRings(simulated.telephony, clock);
    const rings = counted.rings;
    const played: string[] = [];
    let dropped = false;
    let legLost = false;
    let droppedBeforeConnect = false;
    simulated.telephony.onEvent((event) => {
      if (event.type === 'agent-leg-lost') legLost = true;
    });
    const { campaign, definition } = await runningCampaign(db, clock.now(), {
      mode: 'progressive',
      attempts: longRetries,
    });
    const session = () =>
      db
        .selectFrom('agent_sessions')
        .select(['state', 'channel_id', 'ended_at'])
        .where('campaign_id', '=', campaign.id)
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
    // The engine's port: the first connect of a person to the agent finds the agent's phone
    // just hung up (the adapter has seen the leg go), as when it drops at that moment.
    const port = new Proxy(counted.port, {
      get(target, property) {
        if (property === 'connect') {
          return async (attemptId: string, agentId: string) => {
            if (!dropped) {
              dropped = true;
              const leg = (await session()).channel_id!;
              const hungUp = sim.hangupFromFarEnd(leg, 16);
              const until = Date.now() + 10_000;
              while (hungUp && !legLost && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
              // Checked by the test itself: a throw here would only be a failed connect.
              droppedBeforeConnect = hungUp && legLost;
            }
            return target.connect(attemptId, agentId);
          };
        }
        if (property === 'play') {
          return (attemptId: string, media: string[]) => {
            played.push(...media);
            return target.play(attemptId, media);
          };
        }
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as TelephonyPort;
    try {
      const agents = await workingAgents(
        db,
        clock,
        { campaignId: campaign.id, definition },
        1,
        `reserved-lost-${campaign.id}`,
      );
      const { endpoint } = await db
        .selectFrom('agents')
        .select('endpoint')
        .where('code', 'like', `reserved-lost-${campaign.id}%`)
        .executeTakeFirstOrThrow();
      simulated.run({ maxSpeed: SPEED });
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
        // The phone rung again goes unanswered for now: nobody can take the person in time.
        sim.answerAgentPhone(endpoint, false);
        await addContacts(db, campaign.id, 1, {
          lastDigit: () => 5,
          nextAttemptAt: new Date(clock.now().getTime() - 60_000),
        });

        const attempt = () =>
          db
            .selectFrom('call_attempts')
            .select(['finalized_at', 'abandoned', 'connected_at', 'result'])
            .where('campaign_id', '=', campaign.id)
            .executeTakeFirst();
        expect(
          await untilEngineTime(clock, 60_000, async () => (await attempt())?.finalized_at != null),
        ).toBe(true);
        expect([dropped, droppedBeforeConnect]).toEqual([true, true]);
        expect(await attempt()).toMatchObject({ abandoned: true, connected_at: null, result: 'abandoned' });
        expect(played).toEqual([definition.abandon.identificationMessage]);
        expect(await session()).toMatchObject({ ended_at: null });
        expect((await session()).state).not.toBe('offline');

        // The phone answers again: the agent is back on a new leg, nobody having logged in.
        const lostLeg = (await session()).channel_id;
        sim.answerAgentPhone(endpoint, true);
        expect(
          await untilEngineTime(clock, 120_000, async () => {
            const s = await session();
            return s.state === 'ready' && s.channel_id !== null && s.channel_id !== lostLeg;
          }),
        ).toBe(true);
        expect(rings.length).toBeGreaterThanOrEqual(3);
        expect((await session()).ended_at).toBeNull();
      } finally {
        agents.stop();
        await engine.stop();
      }
    } finally {
      await simulated.stop();
    }
  }, 180_000);
});
