import { describe, expect, it } from 'vitest';
import { campaignStatus, setCampaignStatus } from '../../db/queries/campaigns.ts';
import { NotFoundError } from '../../engine/platform/errors.ts';
import { makeCampaign } from '../engine/fixtures.ts';
import { describeEachDatabase } from '../support/database.ts';

describeEachDatabase('campaigns queries', (database) => {
  describe('campaignStatus', () => {
    it('reads the status another process set', async () => {
      const { db } = database();
      const { campaign } = await makeCampaign(db);
      expect(await campaignStatus(db, campaign.id)).toBe('draft');
      await setCampaignStatus(db, campaign.id, 'paused', 'test');
      expect(await campaignStatus(db, campaign.id)).toBe('paused');
    });

    it('refuses a campaign that does not exist with not_found', async () => {
      const { db } = database();
      const refusal = await campaignStatus(db, 987_654).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(NotFoundError);
      expect((refusal as NotFoundError).code).toBe('not_found');
    });
  });
});
