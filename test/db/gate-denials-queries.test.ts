import { describe, expect, it } from 'vitest';
import { listGateDenials, recordGateRefusal } from '../../db/queries/gate-denials.ts';
import { addContacts, makeCampaign } from '../engine/fixtures.ts';
import { describeEachDatabase } from '../support/database.ts';
import { at } from './call-fixtures.ts';

describeEachDatabase('gate denial queries', (database) => {
  describe('recordGateRefusal', () => {
    it('records one refusal with its time, contact, number, disposition, codes and engine', async () => {
      const { db } = database();
      const { campaign } = await makeCampaign(db);
      const [contactId] = await addContacts(db, campaign.id, 1);
      await recordGateRefusal(db, {
        at,
        campaignId: campaign.id,
        contactId: contactId!,
        phoneE164: '+12125550123',
        disposition: 'hold',
        codes: ['gate.no_facts'],
        engineId: 'engine-1',
      });
      const rows = await listGateDenials(db, { campaignId: campaign.id });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        at,
        campaign_id: campaign.id,
        contact_id: contactId,
        phone_e164: '+12125550123',
        disposition: 'hold',
        codes: ['gate.no_facts'],
        engine_id: 'engine-1',
      });
    });
  });
});
