import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { countLeadAttempt, getPreviewLead } from '../../db/queries/leads.ts';
import type { Database } from '../../db/schema.ts';
import { addContacts, makeCampaign } from '../engine/fixtures.ts';
import { describeEachDatabase } from '../support/database.ts';
import { at } from './call-fixtures.ts';

function contact(db: Kysely<Database>, id: number) {
  return db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

describeEachDatabase('lead queries', (database) => {
  describe('countLeadAttempt', () => {
    it('adds one attempt and notes its time on that contact only', async () => {
      const { db } = database();
      const { campaign } = await makeCampaign(db);
      const [dialedId, otherId] = await addContacts(db, campaign.id, 2);
      await countLeadAttempt(db, dialedId!, at);
      await countLeadAttempt(db, dialedId!, new Date(at.getTime() + 1000));
      expect(await contact(db, dialedId!)).toMatchObject({
        attempts: 2,
        last_attempt_at: new Date(at.getTime() + 1000),
      });
      expect(await contact(db, otherId!)).toMatchObject({ attempts: 0, last_attempt_at: null });
    });
  });

  describe('getPreviewLead', () => {
    it('gives the contact as a lead without a callback', async () => {
      const { db } = database();
      const { campaign } = await makeCampaign(db);
      const [id] = await addContacts(db, campaign.id, 1);
      const lead = await getPreviewLead(db, id!);
      expect(lead).toEqual({ ...(await contact(db, id!)), callback_id: null, callback_agent_id: null });
    });

    it('gives nothing for a contact that does not exist', async () => {
      const { db } = database();
      expect(await getPreviewLead(db, 987_654)).toBeUndefined();
    });
  });
});
