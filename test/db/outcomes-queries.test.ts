import { describe, expect, it } from 'vitest';
import { attemptHasOutcome } from '../../db/queries/outcomes.ts';
import { inRolledBack } from '../compliance/db-fixtures.ts';
import { addContacts, makeCampaign } from '../engine/fixtures.ts';
import { describeEachDatabase } from '../support/database.ts';
import { connected, tagged } from './call-fixtures.ts';

describeEachDatabase('outcome queries', (database) => {
  describe('attemptHasOutcome', () => {
    it('is false until the call is tagged, then true', async () => {
      const { db } = database();
      const { campaign } = await makeCampaign(db);
      const [contactId] = await addContacts(db, campaign.id, 1);
      const call = await connected(db, campaign.id, contactId!);
      expect(await attemptHasOutcome(db, call.id)).toBe(false);
      await tagged(db, call);
      expect(await attemptHasOutcome(db, call.id)).toBe(true);
    });

    it("reads on the caller's transaction (an outcome it recorded and has not committed)", async () => {
      const { db } = database();
      const { campaign } = await makeCampaign(db);
      const [contactId] = await addContacts(db, campaign.id, 1);
      const call = await connected(db, campaign.id, contactId!);
      const seen = await inRolledBack(db, async (trx) => {
        await trx
          .insertInto('outcomes')
          .values({
            attempt_id: call.id,
            contact_id: contactId!,
            campaign_id: campaign.id,
            tag: 'sale',
            final: true,
          })
          .execute();
        return attemptHasOutcome(trx, call.id);
      });
      expect(seen).toBe(true);
      expect(await attemptHasOutcome(db, call.id)).toBe(false);
    });
  });
});
