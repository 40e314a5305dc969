import { describe, expect, it } from 'vitest';
import { attemptHasOutcome, listUntaggedCalls } from '../../db/queries/outcomes.ts';
import { inRolledBack } from '../compliance/db-fixtures.ts';
import { addContacts, makeCampaign } from '../engine/fixtures.ts';
import { describeEachDatabase } from '../support/database.ts';
import { agentIn, at, connected, dialed, finalized, tagged } from './call-fixtures.ts';

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

  describe('listUntaggedCalls', () => {
    it("lists the campaign's finished connected calls without an outcome that no open session is on", async () => {
      const { db } = database();
      const { campaign } = await makeCampaign(db);
      const other = await makeCampaign(db);
      const [orphan, neverConnected, stillOpen, taggedOne, onSession, wrapping] = await addContacts(
        db,
        campaign.id,
        6,
      );
      const [elsewhere] = await addContacts(db, other.campaign.id, 1);
      const orphanCall = await connected(db, campaign.id, orphan!);
      await finalized(db, orphanCall.id);
      await finalized(db, (await dialed(db, campaign.id, neverConnected!)).id);
      await connected(db, campaign.id, stillOpen!);
      const taggedCall = await connected(db, campaign.id, taggedOne!);
      await finalized(db, taggedCall.id);
      await tagged(db, taggedCall);
      const onCall = await connected(db, campaign.id, onSession!);
      await finalized(db, onCall.id);
      await agentIn(db, campaign.id, {
        kind: 'on_call',
        attemptId: onCall.channel_id,
        after: { kind: 'ready' },
      });
      const wrapCall = await connected(db, campaign.id, wrapping!);
      await finalized(db, wrapCall.id);
      await agentIn(db, campaign.id, {
        kind: 'wrap_up',
        attemptId: wrapCall.channel_id,
        deadline: new Date(at.getTime() + 30_000),
        after: { kind: 'ready' },
      });
      await finalized(db, (await connected(db, other.campaign.id, elsewhere!)).id);
      expect(await listUntaggedCalls(db, campaign.id)).toEqual([
        { attemptId: orphanCall.id, contactId: orphan, agentId: null },
      ]);
    });

    it('carries the agent who took the call', async () => {
      const { db } = database();
      const { campaign } = await makeCampaign(db);
      const [contactId] = await addContacts(db, campaign.id, 1);
      const { agent } = await agentIn(db, campaign.id, { kind: 'ready' });
      const call = await connected(db, campaign.id, contactId!);
      await db.updateTable('call_attempts').set({ agent_id: agent.id }).where('id', '=', call.id).execute();
      await finalized(db, call.id);
      expect(await listUntaggedCalls(db, campaign.id)).toEqual([
        { attemptId: call.id, contactId, agentId: agent.id },
      ]);
    });
  });
});
