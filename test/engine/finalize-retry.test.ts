import { expect, it } from 'vitest';
import { createAgentService } from '../../engine/agents/agent-service.ts';
import { main } from '../../engine/main.ts';
import { silentLogger } from '../../engine/platform/logger.ts';
import { ensureSimulatedAgents } from '../../scripts/demo/simulated-agents.ts';
import { describeEachDatabase } from '../support/database.ts';
import { failUpdates } from '../support/database-faults.ts';
import { waitFor } from './engine-process.ts';
import { addContacts, runningCampaign } from './fixtures.ts';
import { simulatedTelephony } from './simulated-telephony.ts';

const SPEED = 20;
const FAST_RETRY = { attempts: 3, firstDelayMs: 1, maxDelayMs: 1 };
/** The update that seals a dial-log row. */
const SEALING = 'new.finalized_at is not null and old.finalized_at is null';

describeEachDatabase('finalizing a call while the database fails', (database) => {
  /** One busy number (the simulator answers busy for a last digit 0), one agent, the engine running. */
  async function oneBusyCall() {
    const { db } = database();
    const simulated = await simulatedTelephony(SPEED);
    const { clock, telephony } = simulated;
    const { campaign } = await runningCampaign(db, clock.now(), { mode: 'progressive' });
    const [contactId] = await addContacts(db, campaign.id, 1, {
      lastDigit: () => 0,
      nextAttemptAt: new Date(clock.now().getTime() - 60_000),
    });
    const [code] = await ensureSimulatedAgents(db, 1, `finalize-retry-${campaign.id}`);
    await createAgentService({ db, clock }).login(code!, campaign.id);
    const start = () =>
      main({ database: database(), telephony, clock, logger: silentLogger() }, [campaign.id], {
        tickMs: 50,
        databaseRetry: FAST_RETRY,
      });
    const attempt = () =>
      db
        .selectFrom('call_attempts')
        .select(['finalized_at', 'result'])
        .where('campaign_id', '=', campaign.id)
        .executeTakeFirst();
    /** The call's row ends up sealed with its real result, and its contact is free again. */
    const expectSealedAndContactFree = async () => {
      await waitFor(async () => (await attempt())?.finalized_at != null, 30_000, 'the call to be finalized');
      expect((await attempt())?.result).toBe('busy');
      const after = await db
        .selectFrom('contacts')
        .select(['status', 'lease_owner'])
        .where('id', '=', contactId!)
        .executeTakeFirstOrThrow();
      expect(after.status).not.toBe('in_progress');
      expect(after.lease_owner).toBeNull();
    };
    return { db, simulated, start, attempt, expectSealedAndContactFree };
  }

  it('is retried: the row gets its real result and the contact is free, without waiting for a restart', async () => {
    const { db, simulated, start, expectSealedAndContactFree } = await oneBusyCall();
    const fault = await failUpdates(db, { table: 'call_attempts', when: SEALING, times: 2 });
    const engine = await start();
    try {
      await expectSealedAndContactFree();
      expect(await fault.met()).toBe(3);
    } finally {
      await engine.stop();
      await simulated.stop();
      await fault.remove();
    }
  }, 60_000);

  it('is kept while the database stays away and done once it answers, with its real result', async () => {
    const { db, simulated, start, attempt, expectSealedAndContactFree } = await oneBusyCall();
    const fault = await failUpdates(db, { table: 'call_attempts', when: SEALING, times: 1_000_000 });
    const engine = await start();
    try {
      // Every retry of the call's own failed, and the runner has tried it again since.
      await waitFor(
        async () => (await fault.met()) > FAST_RETRY.attempts,
        30_000,
        'the runner to try the finalization again',
      );
      expect((await attempt())?.finalized_at).toBeNull();
      await fault.remove();
      await expectSealedAndContactFree();
    } finally {
      await engine.stop();
      await simulated.stop();
    }
  }, 60_000);
});
