import { expect, it } from 'vitest';
import { insertAgent } from '../../db/queries/agents.ts';
import { addDnc, scopeRef } from '../../db/queries/dnc.ts';
import { applyAgentEvent, createAgentService } from '../../engine/agents/agent-service.ts';
import { ManualClock } from '../../engine/platform/clock.ts';
import { describeEachDatabase } from '../support/database.ts';
import { addContacts, makeCampaign } from './fixtures.ts';

describeEachDatabase('an agent’s callback through the compliance gate', (database) => {
  // Wednesday 25 November 2026, 10:00 in New York.
  const clock = new ManualClock('2026-11-25T15:00:00Z');

  /** An agent in wrap-up of a call just connected to a fresh contact; its number. */
  async function agentInWrapUp(code: string, overrides: Parameters<typeof makeCampaign>[1] = {}) {
    const { db } = database();
    const { campaign } = await makeCampaign(db, overrides);
    const [contactId] = await addContacts(db, campaign.id, 1);
    const contact = await db
      .selectFrom('contacts')
      .select('phone_e164')
      .where('id', '=', contactId!)
      .executeTakeFirstOrThrow();
    await db
      .updateTable('contacts')
      .set({ status: 'in_progress', lease_owner: 'e1' })
      .where('id', '=', contactId!)
      .execute();
    await db
      .insertInto('call_attempts')
      .values({
        campaign_id: campaign.id,
        contact_id: contactId!,
        phone_e164: contact.phone_e164,
        channel_id: `ch-${code}`,
        queued_at: clock.now(),
        connected_at: clock.now(),
      })
      .execute();
    await insertAgent(db, { code, name: code, endpoint: `PJSIP/${code}` });
    const service = createAgentService({ db, clock });
    const { session } = await service.login(code, campaign.id);
    const opts = { now: clock.now(), wrapUpSeconds: 30 };
    await applyAgentEvent(db, session.id, { type: 'leg_answered' }, opts);
    await applyAgentEvent(
      db,
      session.id,
      { type: 'reserve', attemptId: `ch-${code}`, contactId: contactId! },
      opts,
    );
    await applyAgentEvent(db, session.id, { type: 'call_connected', attemptId: `ch-${code}` }, opts);
    await applyAgentEvent(db, session.id, { type: 'call_ended', attemptId: `ch-${code}` }, opts);
    return { service, contactId: contactId!, phone: contact.phone_e164 };
  }

  const callbacksOf = (contactId: number) =>
    database().db.selectFrom('callbacks').selectAll().where('contact_id', '=', contactId).execute();

  it('moves a callback asked for outside calling hours to the next allowed moment', async () => {
    const { db } = database();
    const { service, contactId } = await agentInWrapUp('cb-moved');
    // 23:00 in New York: after the 21:00 legal limit; the next opening is 08:00 the next day.
    const result = await service.scheduleCallback('cb-moved', new Date('2026-11-26T04:00:00Z'));
    expect(result.decision.callback?.dueAt).toEqual(new Date('2026-11-26T13:00:00Z'));
    expect(await callbacksOf(contactId)).toMatchObject([{ due_at: new Date('2026-11-26T13:00:00Z') }]);
    const contact = await db
      .selectFrom('contacts')
      .select(['next_attempt_at', 'status_reason'])
      .where('id', '=', contactId)
      .executeTakeFirstOrThrow();
    expect(contact).toMatchObject({
      next_attempt_at: new Date('2026-11-26T13:00:00Z'),
      status_reason: 'callback:moved_by_gate',
    });
  });

  it('keeps a callback the person asked for in the conversation inside Regulation F’s 7 quiet days (a consented call)', async () => {
    const { service, contactId } = await agentInWrapUp('cb-consented', {
      compliance: { preset: 'us-collections' },
    });
    // Friday 27 November, 10:00 in New York: 2 days after the conversation, within the 7 days of
    // quiet it starts, and within the 7 days of the person's consent given in it.
    const asked = new Date('2026-11-27T15:00:00Z');
    const result = await service.scheduleCallback('cb-consented', asked);
    expect(result.decision.callback?.dueAt).toEqual(asked);
    expect(await callbacksOf(contactId)).toMatchObject([{ due_at: asked }]);
  });

  it('refuses a callback to a number on a do-not-call list, changing nothing (the agent stays in wrap-up)', async () => {
    const { db } = database();
    const { service, contactId, phone } = await agentInWrapUp('cb-refused');
    await addDnc(db, {
      phoneE164: phone,
      ref: scopeRef('internal'),
      reason: 'asked',
      source: 'call',
      actor: 'test',
    });
    await expect(
      service.scheduleCallback('cb-refused', new Date('2026-11-26T15:00:00Z')),
    ).rejects.toMatchObject({
      code: 'callback_refused',
      message: expect.stringContaining('callback refused by preset us: dnc.internal'),
    });
    expect(await callbacksOf(contactId)).toEqual([]);
    expect(await db.selectFrom('outcomes').selectAll().where('contact_id', '=', contactId).execute()).toEqual(
      [],
    );
    // The agent can still tag another outcome.
    const tagged = await service.tagOutcome('cb-refused', { tag: 'refused' });
    expect(tagged.state).toEqual({ kind: 'ready' });
  });
});
