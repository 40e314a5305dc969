import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { createAgentService } from '../../engine/agents/agent-service.ts';
import { main } from '../../engine/main.ts';
import { silentLogger } from '../../engine/platform/logger.ts';
import { ensureSimulatedAgents } from '../../scripts/demo/simulated-agents.ts';
import { describeEachDatabase } from '../support/database.ts';
import { addContacts, runningCampaign } from './fixtures.ts';
import { manualTelephony } from './simulated-telephony.ts';

const SPEED = 20;

describeEachDatabase('a dial the database refuses half-way', (database) => {
  it('is taken off the live calls, so a stop still drains and returns; nothing is originated', async () => {
    const { db } = database();
    // The dial-log row is written, then its update to "originating" fails, as a database that
    // goes away between two statements would make it.
    await sql`create function refuse_originating() returns trigger language plpgsql as $$
      begin
        if new.status = 'originating' then raise exception 'injected: database refused the update'; end if;
        return new;
      end $$`.execute(db);
    await sql`create trigger refuse_originating before update on call_attempts
      for each row execute function refuse_originating()`.execute(db);
    const simulated = await manualTelephony({ speed: SPEED });
    const { clock, telephony } = simulated;
    try {
      const { campaign } = await runningCampaign(db, clock.now(), { mode: 'progressive' });
      await addContacts(db, campaign.id, 1, {
        lastDigit: () => 5,
        nextAttemptAt: new Date(clock.now().getTime() - 60_000),
      });
      const [code] = await ensureSimulatedAgents(db, 1, `dial-failure-${campaign.id}`);
      await createAgentService({ db, clock }).login(code!, campaign.id);
      simulated.run();
      const engine = await main(
        { database: database(), telephony, clock, logger: silentLogger() },
        [campaign.id],
        {
          tickMs: 50,
        },
      );
      const until = Date.now() + 20_000;
      let attempts: Array<{ finalized_at: Date | null; result: string | null; originated_at: Date | null }> =
        [];
      while (Date.now() < until) {
        attempts = await db
          .selectFrom('call_attempts')
          .select(['finalized_at', 'result', 'originated_at'])
          .where('campaign_id', '=', campaign.id)
          .execute();
        if (attempts.length > 0 && attempts.every((a) => a.finalized_at !== null)) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const stopped = await Promise.race([
        engine.stop().then(() => 'stopped'),
        new Promise((resolve) => setTimeout(() => resolve('still draining'), 15_000)),
      ]);
      expect(stopped).toBe('stopped');
      expect(attempts.length).toBeGreaterThan(0);
      // Sealed as failed by the engine itself, never sent to the telephone system.
      expect(attempts.every((a) => a.finalized_at !== null && a.result === 'failed')).toBe(true);
      expect(attempts.every((a) => a.originated_at === null)).toBe(true);
    } finally {
      await simulated.stop();
    }
  }, 60_000);
});
