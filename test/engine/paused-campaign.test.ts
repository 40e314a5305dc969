import { Kysely, PostgresDialect } from 'kysely';
import { expect, it, vi } from 'vitest';
import { PGliteDialect } from '../../db/pglite-dialect.ts';
import type { Database } from '../../db/schema.ts';
import { silentLogger } from '../../engine/platform/logger.ts';
import { CampaignRunner } from '../../engine/runner/campaign-runner.ts';
import { describeEachDatabase, type TestDatabase } from '../support/database.ts';
import { addContacts, runningCampaign } from './fixtures.ts';
import { simulatedTelephony } from './simulated-telephony.ts';

/** The same database through a second Kysely that records every statement it sends. */
function recording(handle: TestDatabase, statements: string[]): Kysely<Database> {
  const dialect =
    handle.kind === 'pglite'
      ? new PGliteDialect(handle.pglite!)
      : new PostgresDialect({ pool: handle.pool! });
  return new Kysely<Database>({
    dialect,
    log: (event) => {
      if (event.level === 'query') statements.push(event.query.sql);
    },
  });
}

describeEachDatabase('a paused campaign', (database) => {
  it('is not asked about its contacts on any pass, even by a runner that stops when done', async () => {
    const handle = database();
    const { db } = handle;
    const simulated = await simulatedTelephony(1);
    const { clock, telephony } = simulated;
    const statements: string[] = [];
    try {
      const { campaign } = await runningCampaign(db, clock.now());
      await addContacts(db, campaign.id, 3, { nextAttemptAt: new Date(clock.now().getTime() - 60_000) });
      await db.updateTable('campaigns').set({ status: 'paused' }).where('id', '=', campaign.id).execute();
      const runner = new CampaignRunner(
        {
          database: { db: recording(handle, statements), kind: handle.kind, pool: handle.pool },
          telephony,
          clock,
          logger: silentLogger(),
          engineId: `paused-${campaign.id}`,
        },
        campaign.id,
        { tickMs: 10, stopWhenDone: true },
      );
      await telephony.start();
      await runner.start();
      try {
        // Past the first pass (its lease upkeep and the status read), then five more.
        await vi.waitFor(() => expect(runner.passes.count).toBeGreaterThanOrEqual(1), { timeout: 30_000 });
        const from = statements.length;
        const passes = runner.passes.count;
        await vi.waitFor(() => expect(runner.passes.count).toBeGreaterThanOrEqual(passes + 5), {
          timeout: 30_000,
        });
        // Lease upkeep keeps the contacts of live calls (none here) whatever the status.
        const aboutContacts = statements
          .slice(from)
          .filter((s) => /contacts/.test(s) && !/lease_expires_at/.test(s));
        expect(aboutContacts).toEqual([]);
        const untouched = await db
          .selectFrom('contacts')
          .select('status')
          .where('campaign_id', '=', campaign.id)
          .execute();
        expect(untouched.map((c) => c.status)).toEqual(['ready', 'ready', 'ready']);
      } finally {
        await runner.stop();
      }
    } finally {
      await simulated.stop();
    }
  }, 90_000);
});
