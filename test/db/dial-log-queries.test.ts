import { describe, expect, it } from 'vitest';
import {
  findContactAttempt,
  getChannelAttempt,
  listOpenCampaignAttempts,
  updateAttempt,
} from '../../db/queries/dial-log.ts';
import { NotFoundError } from '../../engine/platform/errors.ts';
import { inRolledBack } from '../compliance/db-fixtures.ts';
import { addContacts, makeCampaign } from '../engine/fixtures.ts';
import { describeEachDatabase } from '../support/database.ts';
import { at, connected, dialed, finalized } from './call-fixtures.ts';

describeEachDatabase('dial-log queries', (database) => {
  describe('getChannelAttempt', () => {
    it("gives the dial-log row's id and contact by its channel id", async () => {
      const { db } = database();
      const { campaign } = await makeCampaign(db);
      const [contactId] = await addContacts(db, campaign.id, 1);
      const row = await dialed(db, campaign.id, contactId!);
      expect(await getChannelAttempt(db, row.channel_id)).toEqual({ id: row.id, contactId });
    });

    it("reads on the caller's transaction (a row it wrote and has not committed)", async () => {
      const { db } = database();
      const { campaign } = await makeCampaign(db);
      const [contactId] = await addContacts(db, campaign.id, 1);
      const seen = await inRolledBack(db, async (trx) => {
        const row = await dialed(trx, campaign.id, contactId!);
        return { row, found: await getChannelAttempt(trx, row.channel_id) };
      });
      expect(seen.found).toEqual({ id: seen.row.id, contactId });
    });

    it('refuses a channel no dial-log row has with not_found', async () => {
      const { db } = database();
      const refusal = await getChannelAttempt(db, 'no-such-channel').catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(NotFoundError);
      expect((refusal as NotFoundError).code).toBe('not_found');
    });
  });

  describe('findContactAttempt', () => {
    it('gives when a call of the contact reached an agent, null before', async () => {
      const { db } = database();
      const { campaign } = await makeCampaign(db);
      const [contactId] = await addContacts(db, campaign.id, 1);
      const row = await dialed(db, campaign.id, contactId!);
      const ask = { attemptId: row.id, contactId: contactId! };
      expect(await findContactAttempt(db, ask)).toEqual({ id: row.id, connectedAt: null });
      await updateAttempt(db, row.id, { status: 'connected', answeredAt: at, connectedAt: at });
      expect(await findContactAttempt(db, ask)).toEqual({ id: row.id, connectedAt: at });
    });

    it("gives nothing for another contact's call", async () => {
      const { db } = database();
      const { campaign } = await makeCampaign(db);
      const [contactId, otherId] = await addContacts(db, campaign.id, 2);
      const row = await connected(db, campaign.id, otherId!);
      expect(await findContactAttempt(db, { attemptId: row.id, contactId: contactId! })).toBeUndefined();
    });
  });

  describe('listOpenCampaignAttempts', () => {
    it("gives the campaign's open rows only, mapped", async () => {
      const { db } = database();
      const { campaign } = await makeCampaign(db);
      const other = await makeCampaign(db);
      const [a, b] = await addContacts(db, campaign.id, 2);
      const [c] = await addContacts(db, other.campaign.id, 1);
      const open = await connected(db, campaign.id, a!);
      const closed = await dialed(db, campaign.id, b!);
      await finalized(db, closed.id);
      await dialed(db, other.campaign.id, c!);
      expect(await listOpenCampaignAttempts(db, campaign.id)).toEqual([
        {
          id: open.id,
          channelId: open.channel_id,
          contactId: a,
          answeredAt: at,
          connectedAt: at,
          amdResult: null,
          abandoned: false,
        },
      ]);
    });
  });
});
