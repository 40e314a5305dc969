import type { Kysely } from 'kysely';
import { expect, it } from 'vitest';
import type { Database } from '../../db/schema.ts';
import { main } from '../../engine/main.ts';
import { silentLogger } from '../../engine/platform/logger.ts';
import { describeEachDatabase } from '../support/database.ts';
import { countingRings, untilEngineTime as until } from './engine-time-probes.ts';
import { addContacts, longRetries, runningCampaign, workingAgents } from './fixtures.ts';
import { manualTelephony } from './simulated-telephony.ts';

/**
 * Asterisk stopped while a campaign runs (issue #11 point 5; trace asterisk_down_60s), on the
 * ARI simulator and the real adapter, in engine time moved in lockstep: agents on calls and
 * waiting lose their phones, not their sessions; the calls of the moment are finalized; the
 * phones are rung again with backoff (no storm) and dialing resumes once Asterisk is back,
 * without anyone logging in again.
 */
const SPEED = 20;
const OUTAGE_MS = 30_000;

const attempts = (db: Kysely<Database>, campaignId: number) =>
  db
    .selectFrom('call_attempts')
    .select(['id', 'queued_at', 'connected_at', 'finalized_at'])
    .where('campaign_id', '=', campaignId)
    .orderBy('id')
    .execute();

describeEachDatabase('Asterisk stopped for 30 s while a campaign runs', (database) => {
  it('keeps every agent logged in, finalizes the calls it cut, rings the phones again with backoff and dials again once it is back', async () => {
    const { db } = database();
    const simulated = await manualTelephony({
      speed: SPEED,
      adapter: { restTimeoutMs: 1000, reconnectInitialMs: 50, reconnectMaxMs: 500 },
    });
    const { clock, sim } = simulated;
    const { port, rings } = countingRings(simulated.telephony, clock);
    try {
      const { campaign, definition } = await runningCampaign(db, clock.now(), {
        mode: 'progressive',
        attempts: longRetries,
      });
      // People who answer after 2–6 s and talk ~8 s (sim last digit 5).
      await addContacts(db, campaign.id, 60, {
        lastDigit: () => 5,
        nextAttemptAt: new Date(clock.now().getTime() - 60_000),
      });
      const agents = await workingAgents(
        db,
        clock,
        { campaignId: campaign.id, definition },
        2,
        `outage-${campaign.id}`,
      );
      simulated.run({ maxSpeed: SPEED });
      const engine = await main({ database: database(), telephony: port, clock, logger: silentLogger() }, [
        campaign.id,
      ]);
      try {
        // Calls under way, at least one of them with an agent.
        expect(
          await until(clock, 120_000, async () =>
            (await attempts(db, campaign.id)).some((a) => a.connected_at && !a.finalized_at),
          ),
        ).toBe(true);
        const before = await attempts(db, campaign.id);
        const stoppedAt = clock.now().getTime();
        await sim.stopAsterisk();
        await until(clock, OUTAGE_MS, async () => false);
        const ringsWhileDown = rings.filter((r) => r.at >= stoppedAt);
        await sim.startAsterisk({ loadingMs: 100 });
        const startedAt = clock.now().getTime();

        // Dialing resumes and a person reaches an agent again, nobody having logged in.
        expect(
          await until(clock, 180_000, async () =>
            (await attempts(db, campaign.id)).some(
              (a) => a.queued_at.getTime() >= startedAt && a.connected_at !== null,
            ),
          ),
        ).toBe(true);
        const sessions = await db
          .selectFrom('agent_sessions')
          .select(['agent_id', 'ended_at'])
          .where('campaign_id', '=', campaign.id)
          .execute();
        expect(sessions).toHaveLength(2);
        expect(sessions.filter((s) => s.ended_at !== null)).toEqual([]);

        // Every call of the moment Asterisk stopped was finalized.
        const after = await attempts(db, campaign.id);
        const cut = before.filter((a) => !a.finalized_at).map((a) => a.id);
        expect(cut.length).toBeGreaterThan(0);
        expect(after.filter((a) => cut.includes(a.id) && !a.finalized_at)).toEqual([]);

        // The phones were rung again with backoff (1 s, 2 s, 4 s … apart), not in a loop:
        // at most six tries each in 30 s.
        for (const agentId of new Set(ringsWhileDown.map((r) => r.agentId))) {
          const times = ringsWhileDown.filter((r) => r.agentId === agentId).map((r) => r.at);
          expect(times.length).toBeLessThanOrEqual(6);
          const gaps = times.slice(1).map((t, i) => t - times[i]!);
          expect(gaps.every((gap, i) => i === 0 || gap >= gaps[i - 1]!)).toBe(true);
        }
        expect(ringsWhileDown.length).toBeGreaterThan(0);
      } finally {
        agents.stop();
        await engine.stop();
      }
    } finally {
      await simulated.stop();
    }
  }, 240_000);
});
