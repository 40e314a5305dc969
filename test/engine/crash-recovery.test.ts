import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaledEngineClock } from '../../engine/runner/engine-clock.ts';
import {
  type AriSimulator,
  startAriSimulator,
} from '../../engine/telephony/simulator/start-ari-simulator.ts';
import { demoEpoch } from '../../scripts/demo/demo-clock.ts';
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from '../support/database.ts';
import { testUser } from '../support/identity.ts';
import { attemptsOf, count, expectNothingLostNothingTwice } from './crash-invariants.ts';
import { simulatorEnv, spawnEngine, waitFor } from './engine-process.ts';
import { addContacts, longRetries, runningCampaign, workingAgents } from './fixtures.ts';

const SPEED = 20;

describe.runIf(testDatabaseKinds.includes('postgres'))('engine processes on PostgreSQL [postgres]', () => {
  let handle: TestDatabase;
  let sim: AriSimulator;
  /** `dialer run` acts as a manager, like any command. */
  let token = '';
  const clock = scaledEngineClock(SPEED, demoEpoch(new Date()).getTime());

  beforeAll(async () => {
    handle = await createTestDatabase('postgres', { maxConnections: 5 });
    token = (await testUser(handle.db, 'manager')).token;
    sim = await startAriSimulator({ port: 0, clock: { speed: SPEED }, seed: 9 });
  });
  afterAll(async () => {
    await sim?.stop();
    await handle?.close();
  });

  async function campaignWithAgents(contacts: number, prefix: string) {
    const { db } = handle;
    const { campaign, definition } = await runningCampaign(db, clock.now(), {
      attempts: longRetries,
      wrapUpSeconds: 30,
    });
    await addContacts(db, campaign.id, contacts, { nextAttemptAt: new Date(clock.now().getTime() - 60_000) });
    const agents = await workingAgents(db, clock, { campaignId: campaign.id, definition }, 5, prefix);
    return { campaign, agents };
  }

  const env = (engineId: string, epoch: Date) => ({
    DATABASE_URL: handle.url,
    DIALER_TOKEN: token,
    ...simulatorEnv(sim, SPEED, epoch),
    DIALER_ENGINE_ID: engineId,
  });

  /** The engine clock of a new process continues from the latest time the database has seen. */
  async function resumeAt(): Promise<Date> {
    const row = await sql<{
      t: Date | null;
    }>`select max(greatest(queued_at, coalesce(ended_at, queued_at))) as t from call_attempts`.execute(
      handle.db,
    );
    const latest = row.rows[0]?.t ? new Date(row.rows[0].t).getTime() : 0;
    return new Date(Math.max(latest + 1000, clock.now().getTime()));
  }

  it('loses no contact and dials none twice when the engine is SIGKILLed mid-campaign and started again', async () => {
    const { db } = handle;
    const { campaign, agents } = await campaignWithAgents(60, 'crash-agent');
    try {
      const first = spawnEngine(['--campaign', String(campaign.id)], env('engine-a', await resumeAt()));
      await waitFor(
        async () =>
          (await attemptsOf(db, campaign.id)) >= 20 && (await attemptsOf(db, campaign.id, 'open')) > 0,
        60_000,
        'calls in flight',
      );
      first.child.kill('SIGKILL');
      await first.exited;
      const openAtCrash = await attemptsOf(db, campaign.id, 'open');
      expect(openAtCrash).toBeGreaterThan(0);

      const second = spawnEngine(
        ['--campaign', String(campaign.id), '--until-done'],
        env('engine-a', await resumeAt()),
      );
      const code = await Promise.race([
        second.exited,
        new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 300_000)),
      ]);
      if (code !== 0) second.child.kill('SIGKILL');
      expect(code, second.stderr()).toBe(0);
      await waitFor(
        async () =>
          (await count(
            db,
            sql`select count(*) as n from agent_sessions where campaign_id = ${campaign.id} and state = 'wrap_up' and ended_at is null`,
          )) === 0,
        20_000,
        'wrap-ups to end',
      );
      expect(await attemptsOf(db, campaign.id, 'lost')).toBe(openAtCrash);
      await expectNothingLostNothingTwice(db, campaign.id);
    } finally {
      agents.stop();
    }
  }, 420_000);
  it('runs one campaign on one of two engines at a time: the standby takes over when the first dies, nobody dials twice', async () => {
    const { db } = handle;
    const { campaign, agents } = await campaignWithAgents(50, 'pair-agent');
    try {
      const epoch = await resumeAt();
      const a = spawnEngine(['--campaign', String(campaign.id), '--until-done'], env('engine-a', epoch));
      const b = spawnEngine(['--campaign', String(campaign.id), '--until-done'], env('engine-b', epoch));
      await waitFor(
        async () => (await attemptsOf(db, campaign.id)) >= 15,
        60_000,
        'the first engine to dial',
      );
      // Only the engine holding the campaign lock dials.
      const engines = await sql<{
        engine_id: string;
      }>`select distinct engine_id from call_attempts where campaign_id = ${campaign.id}`.execute(db);
      expect(engines.rows).toHaveLength(1);
      const active = engines.rows[0]?.engine_id === 'engine-a' ? a : b;
      const standby = active === a ? b : a;
      active.child.kill('SIGKILL');
      await active.exited;
      const code = await Promise.race([
        standby.exited,
        new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 300_000)),
      ]);
      if (code !== 0) standby.child.kill('SIGKILL');
      expect(code, standby.stderr()).toBe(0);
      const after = await sql<{
        engine_id: string;
      }>`select distinct engine_id from call_attempts where campaign_id = ${campaign.id}`.execute(db);
      expect(after.rows).toHaveLength(2);
      await waitFor(
        async () =>
          (await count(
            db,
            sql`select count(*) as n from agent_sessions where campaign_id = ${campaign.id} and state = 'wrap_up' and ended_at is null`,
          )) === 0,
        20_000,
        'wrap-ups to end',
      );
      await expectNothingLostNothingTwice(db, campaign.id);
    } finally {
      agents.stop();
    }
  }, 420_000);

  it('drains on SIGTERM: stops dialing, lets live calls end with their outcomes, exits 0', async () => {
    const { db } = handle;
    const { campaign, agents } = await campaignWithAgents(100, 'term-agent');
    try {
      const engine = spawnEngine(['--campaign', String(campaign.id)], env('engine-t', await resumeAt()));
      await waitFor(
        async () =>
          (await attemptsOf(db, campaign.id, 'open')) > 0 && (await attemptsOf(db, campaign.id)) >= 15,
        60_000,
        'calls in flight',
      );
      engine.child.kill('SIGTERM');
      const code = await Promise.race([
        engine.exited,
        new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 60_000)),
      ]);
      if (code !== 0) engine.child.kill('SIGKILL');
      expect(code, engine.stderr()).toBe(0);
      // Nothing was left open: every call ended normally (none needed reconciling).
      expect(await attemptsOf(db, campaign.id, 'open')).toBe(0);
      expect(await attemptsOf(db, campaign.id, 'lost')).toBe(0);
      const dialed = await attemptsOf(db, campaign.id);
      expect(dialed).toBeLessThan(100);
    } finally {
      agents.stop();
    }
  }, 200_000);
});
