import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../db/connect.ts';
import { createAgentService } from '../../engine/agents/agent-service.ts';
import { scaledEngineClock } from '../../engine/runner/engine-clock.ts';
import {
  type AriSimulator,
  startAriSimulator,
} from '../../engine/telephony/simulator/start-ari-simulator.ts';
import { demoEpoch } from '../../scripts/demo/demo-clock.ts';
import { ensureSimulatedAgents } from '../../scripts/demo/simulated-agents.ts';
import { createTestDataDir } from '../support/database.ts';
import {
  attemptsOf,
  expectEveryAttemptFinalWithOutcome,
  expectNoAgentHoldingACall,
  expectNothingLostNothingTwice,
} from './crash-invariants.ts';
import { type PgliteEngineProcess, simulatorEnv, spawnPgliteEngine, waitFor } from './engine-process.ts';
import { addContacts, longRetries, makeCampaign } from './fixtures.ts';

const SPEED = 20;
/**
 * Real-time bounds of a child engine's start (tsx compiling, PGlite opening the folder) and of a
 * run to its end. They only bound a hang: the assertions are invariants (nothing lost, nothing
 * dialed twice, nobody stuck), which hold however slow a loaded machine makes the run.
 */
const STARTUP_MS = 120_000;
const FINISH_MS = 180_000;

/**
 * The crash-and-restart guarantees of the PostgreSQL process tests (crash-recovery.test.ts), on
 * the embedded database. A PGlite data directory admits one process, so each engine process
 * also hosts the simulated agents, and the test reads the database only while no engine runs.
 * (Two engines with a standby need a shared database: that test exists on PostgreSQL only.)
 */
describe('engine processes on an embedded data directory [pglite]', () => {
  let sim: AriSimulator;
  const clock = scaledEngineClock(SPEED, demoEpoch(new Date()).getTime());
  const cleanup: (() => void)[] = [];
  const children: PgliteEngineProcess[] = [];

  beforeAll(async () => {
    sim = await startAriSimulator({ port: 0, clock: { speed: SPEED }, seed: 9 });
  });
  afterEach(() => {
    for (const child of children.splice(0)) if (child.child.exitCode === null) child.child.kill('SIGKILL');
  });
  afterAll(async () => {
    await sim?.stop();
    for (const remove of cleanup.splice(0)) remove();
  });

  /** Runs `body` on the data directory while no engine holds it. */
  async function withDatabase<T>(dataDir: string, body: (handle: DatabaseHandle) => Promise<T>): Promise<T> {
    const handle = await openDatabase({ dataDir });
    try {
      return await body(handle);
    } finally {
      await handle.close();
    }
  }

  /** A fresh data directory with a running campaign and five agents logged in to it. */
  async function campaignWithAgents(contacts: number, prefix: string) {
    const { dataDir, remove } = await createTestDataDir();
    cleanup.push(remove);
    const campaignId = await withDatabase(dataDir, async ({ db }) => {
      const { campaign } = await makeCampaign(db, { attempts: longRetries, wrapUpSeconds: 30 });
      await db
        .insertInto('national_dnc_syncs')
        .values({ synced_at: clock.now(), source: 'test', numbers: 0, replaced: true })
        .execute();
      await db.updateTable('campaigns').set({ status: 'running' }).where('id', '=', campaign.id).execute();
      await addContacts(db, campaign.id, contacts, {
        nextAttemptAt: new Date(clock.now().getTime() - 60_000),
      });
      const agents = createAgentService({ db, clock });
      for (const code of await ensureSimulatedAgents(db, 5, prefix)) await agents.login(code, campaign.id);
      return campaign.id;
    });
    return { dataDir, campaignId };
  }

  function spawn(dataDir: string, campaignId: number, engineId: string, untilDone: boolean) {
    const child = spawnPgliteEngine(
      dataDir,
      campaignId,
      { untilDone },
      {
        ...simulatorEnv(sim, SPEED, clock.now()),
        DIALER_ENGINE_ID: engineId,
      },
    );
    children.push(child);
    return child;
  }

  async function exitCode(child: PgliteEngineProcess, timeoutMs: number) {
    return Promise.race([
      child.exited,
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs)),
    ]);
  }

  it(
    'loses no contact and dials none twice when the engine is SIGKILLed mid-campaign and started again on the same data directory',
    async () => {
      const { dataDir, campaignId } = await campaignWithAgents(50, 'crash-agent');

      const first = spawn(dataDir, campaignId, 'engine-a', false);
      await waitFor(
        async () => {
          const p = first.last('progress');
          if (first.child.exitCode !== null) throw new Error(`engine exited early: ${first.stderr()}`);
          return p !== undefined && p.attempts >= 20 && p.openAttempts > 0;
        },
        STARTUP_MS,
        'calls in flight',
      );
      first.child.kill('SIGKILL');
      await first.exited;
      const committedBeforeKill = first.last('progress')?.attempts ?? 0;
      // The killed engine could not release its data-folder lock; the next engine takes it over.
      expect(existsSync(join(dataDir, 'dialer.lock'))).toBe(true);

      // The data directory was last written by a killed process: the next engine must open it.
      const second = spawn(dataDir, campaignId, 'engine-a', true);
      const code = await exitCode(second, FINISH_MS);
      expect(code, second.stderr()).toBe(0);
      const reopened = second.last('opened');
      // What the killed process had committed is still there (PGlite wrote it to the OS at commit).
      expect(reopened?.attempts ?? 0).toBeGreaterThanOrEqual(committedBeforeKill);
      const openAtCrash = reopened?.openAttempts ?? 0;
      expect(openAtCrash).toBeGreaterThan(0);

      await withDatabase(dataDir, async ({ db }) => {
        // The calls that were live when the engine died are reconciled as lost, no more, no fewer.
        expect(await attemptsOf(db, campaignId, 'lost')).toBe(openAtCrash);
        await expectNothingLostNothingTwice(db, campaignId);
        // Agent states were rebuilt: nobody is left holding a call that ended with the old engine.
        await expectNoAgentHoldingACall(db, campaignId);
      });
    },
    STARTUP_MS + FINISH_MS + 60_000,
  );

  it(
    'drains on SIGTERM: stops dialing, lets live calls end with their outcomes, exits 0',
    async () => {
      const { dataDir, campaignId } = await campaignWithAgents(80, 'term-agent');

      const engine = spawn(dataDir, campaignId, 'engine-t', false);
      await waitFor(
        async () => {
          const p = engine.last('progress');
          if (engine.child.exitCode !== null) throw new Error(`engine exited early: ${engine.stderr()}`);
          return p !== undefined && p.attempts >= 15 && p.openAttempts > 0;
        },
        STARTUP_MS,
        'calls in flight',
      );
      // One process at a time: the folder is refused to anyone else while the engine holds it.
      await expect(openDatabase({ dataDir })).rejects.toThrow(/in use by process/);
      engine.child.kill('SIGTERM');
      const code = await exitCode(engine, FINISH_MS);
      expect(code, engine.stderr()).toBe(0);

      await withDatabase(dataDir, async ({ db }) => {
        // Nothing was left open: every call ended normally (none needed reconciling).
        await expectEveryAttemptFinalWithOutcome(db, campaignId);
        expect(await attemptsOf(db, campaignId, 'lost')).toBe(0);
        expect(await attemptsOf(db, campaignId)).toBeLessThan(80);
      });
    },
    STARTUP_MS + FINISH_MS + 60_000,
  );
});
