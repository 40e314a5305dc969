import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaledEngineClock } from '../../engine/runner/engine-clock.ts';
import {
  type AriSimulator,
  startAriSimulator,
} from '../../engine/telephony/simulator/start-ari-simulator.ts';
import { demoEpoch } from '../../scripts/demo/demo-clock.ts';
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from '../support/database.ts';
import { testUser } from '../support/identity.ts';
import { count, expectNothingLostNothingTwice } from './crash-invariants.ts';
import { simulatorEnv, spawnEngine } from './engine-process.ts';
import { addContacts, longRetries, runningCampaign, workingAgents } from './fixtures.ts';

const SPEED = 20;

/**
 * `dialer run` as an operator starts it, while every connection it has to PostgreSQL is cut
 * (`pg_terminate_backend`) three times with calls in flight: the pool's connections, the one
 * holding the campaign lock, whatever is mid-query.
 */
describe.runIf(testDatabaseKinds.includes('postgres'))(
  'an engine whose database connections are cut [postgres]',
  () => {
    let handle: TestDatabase;
    let sim: AriSimulator;
    let admin: pg.Client;
    const clock = scaledEngineClock(SPEED, demoEpoch(new Date()).getTime());

    beforeAll(async () => {
      handle = await createTestDatabase('postgres', { maxConnections: 5 });
      sim = await startAriSimulator({ port: 0, clock: { speed: SPEED }, seed: 11 });
      // The test's own connection, which is never cut (pid <> pg_backend_pid()).
      admin = new pg.Client({ connectionString: handle.url });
      await admin.connect();
    });
    afterAll(async () => {
      await admin?.end();
      await sim?.stop();
      await handle?.close();
    });

    /** A figure read on the admin connection (the test's pool is cut along with the engine's). */
    async function figure(query: string, params: unknown[] = []): Promise<number> {
      const result = await admin.query<{ n: string }>(query, params);
      return Number(result.rows[0]?.n ?? 0);
    }

    async function until(check: () => Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (await check()) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`timed out waiting for ${what}`);
    }

    it('does not crash, dials nobody twice, leaves nothing open and finishes the campaign when every connection is cut three times mid-campaign', async () => {
      const { db } = handle;
      const { campaign, definition } = await runningCampaign(db, clock.now(), {
        attempts: longRetries,
        wrapUpSeconds: 30,
      });
      await addContacts(db, campaign.id, 60, { nextAttemptAt: new Date(clock.now().getTime() - 60_000) });
      const agents = await workingAgents(
        db,
        clock,
        { campaignId: campaign.id, definition },
        5,
        'outage-agent',
      );
      // The engine acts as a manager (dialer run needs campaign.control).
      const { token } = await testUser(db, 'manager');
      const engine = spawnEngine(['--campaign', String(campaign.id), '--until-done'], {
        DATABASE_URL: handle.url,
        DIALER_TOKEN: token,
        ...simulatorEnv(sim, SPEED, clock.now()),
        DIALER_ENGINE_ID: 'engine-outage',
      });
      const attempts = (open = false) =>
        figure(
          `select count(*) as n from call_attempts where campaign_id = $1 ${open ? 'and finalized_at is null' : ''}`,
          [campaign.id],
        );
      try {
        let cut = 0;
        for (let round = 1; round <= 3; round += 1) {
          // Calls in flight, and dialing resumed since the previous cut.
          const before = await attempts();
          await until(async () => {
            if (engine.child.exitCode !== null)
              throw new Error(`the engine exited (${engine.child.exitCode}) after a cut: ${engine.stderr()}`);
            return (await attempts()) >= before + 8 && (await attempts(true)) > 0;
          }, 'calls in flight');
          // A short outage rather than one blow: the connections the engine opens again at once
          // are cut too, so that queries under way and reconnections fail as well.
          for (let blow = 0; blow < 5; blow += 1) {
            const killed = await admin.query<{ ok: boolean }>(
              `select pg_terminate_backend(pid) as ok from pg_stat_activity
               where datname = current_database() and pid <> pg_backend_pid()`,
            );
            cut += killed.rows.filter((r) => r.ok).length;
            await new Promise((resolve) => setTimeout(resolve, 30));
          }
        }
        expect(cut).toBeGreaterThanOrEqual(3);

        const code = await Promise.race([
          engine.exited,
          new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 300_000)),
        ]);
        if (code !== 0) engine.child.kill('SIGKILL');
        expect(code, engine.stderr()).toBe(0);
        expect(engine.stderr()).not.toMatch(/Unhandled 'error' event/);

        await until(
          async () =>
            (await figure(
              `select count(*) as n from agent_sessions
             where campaign_id = $1 and ended_at is null and state in ('wrap_up', 'on_call', 'reserved')`,
              [campaign.id],
            )) === 0,
          'wrap-ups to end and no agent left on a call or held',
          60_000,
        );
        await expectNothingLostNothingTwice(db, campaign.id);
        // No contact still leased to the engine after it finished.
        expect(
          await count(
            db,
            sql`select count(*) as n from contacts where campaign_id = ${campaign.id} and lease_owner is not null`,
          ),
        ).toBe(0);
      } finally {
        agents.stop();
        if (engine.child.exitCode === null) engine.child.kill('SIGKILL');
      }
    }, 480_000);
  },
);
