import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { countLeadAttempt, getPreviewLead, releaseUnheldLeads } from '../../db/queries/leads.ts';
import type { Database } from '../../db/schema.ts';
import { addContacts, makeCampaign } from '../engine/fixtures.ts';
import { describeEachDatabase } from '../support/database.ts';
import { agentIn, at, connected, dialed, finalized, tagged } from './call-fixtures.ts';

/** Marks contacts claimed (in progress, leased) by an engine, as claimLeads leaves them. */
async function claimedBy(db: Kysely<Database>, engineId: string, ids: number[]) {
  await db
    .updateTable('contacts')
    .set({ status: 'in_progress', lease_owner: engineId, lease_expires_at: new Date(at.getTime() + 60_000) })
    .where('id', 'in', ids)
    .execute();
}

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

  describe('releaseUnheldLeads', () => {
    it("puts back the campaign's contacts nothing holds, whoever's lease it was, and counts them", async () => {
      const { db } = database();
      const { campaign } = await makeCampaign(db);
      const other = await makeCampaign(db);
      const [mine, anotherEngines, waiting] = await addContacts(db, campaign.id, 3);
      const [elsewhere] = await addContacts(db, other.campaign.id, 1);
      await claimedBy(db, 'gone-1', [mine!]);
      await claimedBy(db, 'gone-2', [anotherEngines!, elsewhere!]);
      expect(await releaseUnheldLeads(db, campaign.id, at)).toBe(2);
      for (const id of [mine!, anotherEngines!]) {
        expect(await contact(db, id)).toMatchObject({
          status: 'ready',
          lease_owner: null,
          lease_expires_at: null,
          updated_at: at,
        });
      }
      expect((await contact(db, waiting!)).status).toBe('ready');
      expect(await contact(db, elsewhere!)).toMatchObject({ status: 'in_progress', lease_owner: 'gone-2' });
    });

    it('keeps a contact whose call is open in the dial log', async () => {
      const { db } = database();
      const { campaign } = await makeCampaign(db);
      const [id] = await addContacts(db, campaign.id, 1);
      await claimedBy(db, 'gone', [id!]);
      await dialed(db, campaign.id, id!);
      expect(await releaseUnheldLeads(db, campaign.id, at)).toBe(0);
      expect((await contact(db, id!)).status).toBe('in_progress');
    });

    it("keeps a contact on an agent's open preview screen", async () => {
      const { db } = database();
      const { campaign } = await makeCampaign(db);
      const [id] = await addContacts(db, campaign.id, 1);
      await claimedBy(db, 'gone', [id!]);
      await agentIn(db, campaign.id, { kind: 'reserved', attemptId: null, contactId: id!, preview: true });
      expect(await releaseUnheldLeads(db, campaign.id, at)).toBe(0);
      expect((await contact(db, id!)).status).toBe('in_progress');
    });

    it('keeps a contact whose connected call an open session still owes an outcome for', async () => {
      const { db } = database();
      const { campaign } = await makeCampaign(db);
      const [id] = await addContacts(db, campaign.id, 1);
      await claimedBy(db, 'gone', [id!]);
      const call = await connected(db, campaign.id, id!);
      await finalized(db, call.id);
      await agentIn(db, campaign.id, {
        kind: 'wrap_up',
        attemptId: call.channel_id,
        deadline: new Date(at.getTime() + 30_000),
        after: { kind: 'ready' },
      });
      expect(await releaseUnheldLeads(db, campaign.id, at)).toBe(0);
      expect((await contact(db, id!)).status).toBe('in_progress');
    });

    it('puts back a contact whose connected call has its outcome, though a session still names it', async () => {
      const { db } = database();
      const { campaign } = await makeCampaign(db);
      const [id] = await addContacts(db, campaign.id, 1);
      const call = await connected(db, campaign.id, id!);
      await finalized(db, call.id);
      await tagged(db, call);
      await claimedBy(db, 'gone', [id!]);
      await agentIn(db, campaign.id, {
        kind: 'wrap_up',
        attemptId: call.channel_id,
        deadline: new Date(at.getTime() + 30_000),
        after: { kind: 'ready' },
      });
      expect(await releaseUnheldLeads(db, campaign.id, at)).toBe(1);
      expect((await contact(db, id!)).status).toBe('ready');
    });
  });
});
