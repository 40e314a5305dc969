import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../engine/main.ts';
import { silentLogger } from '../../engine/platform/logger.ts';
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from '../support/database.ts';
import { attemptsOf } from './crash-invariants.ts';
import { waitFor } from './engine-process.ts';
import { addContacts, longRetries, runningCampaign, workingAgents } from './fixtures.ts';
import { simulatedTelephony } from './simulated-telephony.ts';

const SPEED = 10;
/** campaign-lock.ts: the advisory lock's first key. */
const LOCK_NAMESPACE = 0x4449414c;

/**
 * The campaign lock lives on one connection. When that connection dies, PostgreSQL releases the
 * lock at once while the engine goes on: another engine may take it in that instant. PGlite has
 * no second process and no lock, so this is PostgreSQL only.
 */
describe.runIf(testDatabaseKinds.includes('postgres'))(
  'a runner whose campaign lock connection dies [postgres]',
  () => {
    let handle: TestDatabase;
    let admin: pg.Client;
    let rival: pg.Client;

    beforeAll(async () => {
      handle = await createTestDatabase('postgres', { maxConnections: 5 });
      admin = new pg.Client({ connectionString: handle.url });
      rival = new pg.Client({ connectionString: handle.url });
      await admin.connect();
      await rival.connect();
    });
    afterAll(async () => {
      await rival?.end();
      await admin?.end();
      await handle?.close();
    });

    async function lockHolders(campaignId: number, granted: boolean): Promise<number[]> {
      const result = await admin.query<{ pid: number }>(
        // pg_locks covers the whole cluster: other test databases run campaigns with the same ids.
        `select pid from pg_locks where locktype = 'advisory' and classid = $1 and objid = $2
         and objsubid = 2 and granted = $3
         and database = (select oid from pg_database where datname = current_database())`,
        [LOCK_NAMESPACE, campaignId, granted],
      );
      return result.rows.map((r) => r.pid);
    }

    it('stops dialing while another session holds the lock, and takes it back once it is free', async () => {
      const { db } = handle;
      const simulated = await simulatedTelephony(SPEED);
      const { clock, telephony } = simulated;
      const { campaign, definition } = await runningCampaign(db, clock.now(), {
        attempts: longRetries,
        wrapUpSeconds: 5,
      });
      await addContacts(db, campaign.id, 400, { nextAttemptAt: new Date(clock.now().getTime() - 60_000) });
      const agents = await workingAgents(
        db,
        clock,
        { campaignId: campaign.id, definition },
        3,
        `lock-loss-${campaign.id}`,
      );
      const engine = await main(
        { database: handle, telephony, clock, logger: silentLogger() },
        [campaign.id],
        {
          tickMs: 50,
        },
      );
      const runner = engine.runners[0]!;
      try {
        await waitFor(async () => (await attemptsOf(db, campaign.id)) >= 5, 60_000, 'the runner to dial');
        const [lockPid] = await lockHolders(campaign.id, true);
        expect(lockPid).toBeDefined();

        // The rival queues for the lock, then the runner's lock connection is cut: PostgreSQL
        // hands the lock to the rival before the runner can even notice.
        const rivalHas = rival.query('select pg_advisory_lock($1, $2)', [LOCK_NAMESPACE, campaign.id]);
        await waitFor(
          async () => (await lockHolders(campaign.id, false)).length === 1,
          10_000,
          'the rival to wait',
        );
        await admin.query('select pg_terminate_backend($1)', [lockPid]);
        await rivalHas;

        // The runner's calls of before end normally; no new one starts while the rival holds the lock.
        await waitFor(async () => runner.calls.size === 0, 60_000, 'the calls of before to end');
        const dialed = await attemptsOf(db, campaign.id);
        const passes = runner.passes.count;
        await waitFor(async () => runner.passes.count >= passes + 30, 60_000, 'the runner to go on passing');
        expect(await attemptsOf(db, campaign.id)).toBe(dialed);
        expect(runner.calls.size).toBe(0);
        expect(await attemptsOf(db, campaign.id, 'open')).toBe(0);

        // The rival lets go: the runner takes the lock again and dials on.
        await rival.query('select pg_advisory_unlock($1, $2)', [LOCK_NAMESPACE, campaign.id]);
        await waitFor(async () => (await attemptsOf(db, campaign.id)) > dialed, 60_000, 'dialing to resume');
        const holders = await lockHolders(campaign.id, true);
        expect(holders).toHaveLength(1);
        expect(holders[0]).not.toBe(lockPid);
      } finally {
        agents.stop();
        await engine.stop();
        await simulated.stop();
      }
      expect(await attemptsOf(db, campaign.id, 'open')).toBe(0);
    }, 240_000);
  },
);
