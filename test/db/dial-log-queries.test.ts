import { describe, expect, it } from 'vitest';
import {
  findContactAttempt,
  getChannelAttempt,
  listOpenCampaignAttempts,
  loadRateWindow,
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

  describe('loadRateWindow', () => {
    it("counts the campaign's finished calls queued in the window: dialed, answered, by a person, connected", async () => {
      const { db } = database();
      const { campaign } = await makeCampaign(db);
      const other = await makeCampaign(db);
      const ids = await addContacts(db, campaign.id, 6);
      const [elsewhere] = await addContacts(db, other.campaign.id, 1);
      const since = new Date(at.getTime() - 60_000);
      const unanswered = await dialed(db, campaign.id, ids[0]!);
      const machine = await dialed(db, campaign.id, ids[1]!);
      await updateAttempt(db, machine.id, { answeredAt: at, amdResult: 'MACHINE' });
      const person = await dialed(db, campaign.id, ids[2]!);
      await updateAttempt(db, person.id, { answeredAt: at });
      const talked = await connected(db, campaign.id, ids[3]!);
      for (const row of [unanswered, machine, person, talked]) await finalized(db, row.id);
      await dialed(db, campaign.id, ids[4]!);
      await finalized(db, (await dialed(db, campaign.id, ids[5]!, new Date(since.getTime() - 1))).id);
      await finalized(db, (await dialed(db, other.campaign.id, elsewhere!)).id);
      expect(await loadRateWindow(db, campaign.id, since, at)).toEqual({
        dialed: 4,
        answered: 3,
        humanAnswered: 2,
        connected: 1,
      });
    });
  });
});
