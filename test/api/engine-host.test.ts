import { expect, it } from 'vitest';
import { makeCampaign } from '../engine/fixtures.ts';
import { manualTelephony } from '../engine/simulated-telephony.ts';
import { describeEachDatabase } from '../support/database.ts';
import { testUser } from '../support/identity.ts';
import { bearer, serveForTest } from './support.ts';

describeEachDatabase('dialer serve: the engine follows the campaigns started and stopped', (database) => {
  it('runs a campaign started through the API, and lets it go once stopped', async () => {
    const { db } = database();
    const simulated = await manualTelephony({ speed: 20 });
    simulated.run({ maxSpeed: 20 });
    const serving = await serveForTest(database(), {
      telephony: simulated.telephony,
      clock: simulated.clock,
      engine: { tickMs: 50, scanMs: 100 },
    });
    try {
      const { campaign } = await makeCampaign(db);
      const api = bearer(serving.url, (await testUser(db, 'manager')).token);
      expect(serving.host?.runner(campaign.id)).toBeUndefined();
      const started = await api(`/api/campaigns/${campaign.id}/start`, { method: 'POST' });
      expect(started.status).toBe(200);
      expect(await started.json()).toMatchObject({ id: campaign.id, status: 'running' });
      await expect.poll(() => serving.host?.runner(campaign.id), { timeout: 10_000 }).toBeDefined();
      const again = await api(`/api/campaigns/${campaign.id}/start`, { method: 'POST' });
      expect(again.status).toBe(409);
      const stopped = await api(`/api/campaigns/${campaign.id}/stop`, { method: 'POST' });
      expect(stopped.status).toBe(200);
      await expect.poll(() => serving.host?.runner(campaign.id), { timeout: 10_000 }).toBeUndefined();
      const audit = await db
        .selectFrom('audit_log')
        .select(['action', 'role'])
        .where('subject', '=', `campaign:${campaign.id}`)
        .where('action', 'in', ['campaign.running', 'campaign.stopped'])
        .orderBy('id')
        .execute();
      expect(audit).toEqual([
        { action: 'campaign.running', role: 'manager' },
        { action: 'campaign.stopped', role: 'manager' },
      ]);
    } finally {
      await serving.stop();
      await simulated.stop();
    }
  }, 60_000);
});
