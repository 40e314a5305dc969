import { describe, expect, it } from 'vitest';
import { insertAgent, listAgentPhones } from '../../db/queries/agents.ts';
import { describeEachDatabase } from '../support/database.ts';

describeEachDatabase('agents queries', (database) => {
  describe('listAgentPhones', () => {
    it('gives the code and endpoint of the agents asked for, and of no other', async () => {
      const { db } = database();
      const a = await insertAgent(db, { code: 'phones-a', name: 'A', endpoint: 'PJSIP/phones-a' });
      const b = await insertAgent(db, { code: 'phones-b', name: 'B', endpoint: 'PJSIP/phones-b' });
      await insertAgent(db, { code: 'phones-c', name: 'C', endpoint: 'PJSIP/phones-c' });
      const phones = await listAgentPhones(db, [b.id, a.id]);
      expect(phones.sort((x, y) => x.id - y.id)).toEqual([
        { id: a.id, code: 'phones-a', endpoint: 'PJSIP/phones-a' },
        { id: b.id, code: 'phones-b', endpoint: 'PJSIP/phones-b' },
      ]);
    });

    it('answers no agents for no ids (an empty `in` list is not SQL)', async () => {
      const { db } = database();
      expect(await listAgentPhones(db, [])).toEqual([]);
    });
  });
});
