import { afterAll, beforeAll, expect, it } from 'vitest';
import { manualEngineClock } from '../../engine/runner/engine-clock.ts';
import type { Serving } from '../../scripts/serve/start-serve.ts';
import { makeBatch, makeCampaign, makeClient } from '../compliance/db-fixtures.ts';
import { describeEachDatabase } from '../support/database.ts';
import { testUser } from '../support/identity.ts';
import { bearer, serveForTest } from './support.ts';

/** An engine clock far from the wall clock, as under `dialer serve --simulator` or the demo. */
const ENGINE_NOW = Date.parse('2026-06-01T15:00:00Z');

describeEachDatabase('API: re-marketing approvals on the engine’s clock', (database) => {
  let serving: Serving;
  beforeAll(async () => {
    serving = await serveForTest(database(), { clock: manualEngineClock(ENGINE_NOW) });
  });
  afterAll(async () => {
    await serving.stop();
  });

  it('records and revokes an approval at the engine’s time, the time line the gate judges it by', async () => {
    const { db } = database();
    const client = await makeClient(db);
    const campaign = await makeCampaign(db, client.id);
    const batch = await makeBatch(db, client.id, campaign.id);
    const officer = await testUser(db, 'compliance_officer');
    const api = bearer(serving.url, officer.token);
    const recorded = await api('/api/approvals', {
      method: 'POST',
      body: JSON.stringify({
        client: client.code,
        campaignId: campaign.id,
        batchId: batch.id,
        reference: 'mail of 1 June',
        approvedBy: 'Li Na',
      }),
    });
    expect(recorded.status).toBe(201);
    const { id } = (await recorded.json()) as { id: number };
    const revoked = await api(`/api/approvals/${id}/revoke`, {
      method: 'POST',
      body: JSON.stringify({ reason: 'owner withdrew it' }),
    });
    expect(revoked.status).toBe(200);
    const rows = await db
      .selectFrom('remarketing_approvals')
      .select(['id', 'valid_from', 'recorded_at'])
      .where('campaign_id', '=', campaign.id)
      .orderBy('id')
      .execute();
    // Valid from the engine's now (not a wall-clock moment the gate would see as the future),
    // and the revocation not dated before the approval it revokes.
    expect(rows.map((r) => [r.valid_from.getTime(), r.recorded_at.getTime()])).toEqual([
      [ENGINE_NOW, ENGINE_NOW],
      [ENGINE_NOW, ENGINE_NOW],
    ]);
  });
});
