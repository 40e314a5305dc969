import { expect, it } from 'vitest';
import { findOpenSession } from '../../db/queries/agent-sessions.ts';
import { insertAgent } from '../../db/queries/agents.ts';
import { listAlarms } from '../../db/queries/alarms.ts';
import { applyAgentEvent, createAgentService } from '../../engine/agents/agent-service.ts';
import { ManualClock } from '../../engine/platform/clock.ts';
import { silentLogger } from '../../engine/platform/logger.ts';
import { checkConnectionRates } from '../../engine/runner/connection-rate.ts';
import { describeEachDatabase } from '../support/database.ts';
import { addContacts, makeCampaign } from './fixtures.ts';

describeEachDatabase('agent service', (database) => {
  const clock = new ManualClock('2026-11-25T15:00:00Z');

  /** An agent in wrap-up of a finished call to a fresh contact. */
  async function agentInWrapUp(code: string) {
    const { db } = database();
    const { campaign } = await makeCampaign(db);
    const [contactId] = await addContacts(db, campaign.id, 1);
    await db
      .updateTable('contacts')
      .set({ status: 'in_progress', lease_owner: 'e1' })
      .where('id', '=', contactId!)
      .execute();
    const attempt = await db
      .insertInto('call_attempts')
      .values({
        campaign_id: campaign.id,
        contact_id: contactId!,
        phone_e164: '+12125550155',
        channel_id: `ch-${code}`,
        connected_at: clock.now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
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
    return { service, campaign, contactId: contactId!, attemptId: attempt.id };
  }

  it('records the outcome, the contact’s fate and the agent’s release together', async () => {
    const { db } = database();
    const { service, contactId, attemptId } = await agentInWrapUp('ag-tag');
    const result = await service.tagOutcome('ag-tag', {
      tag: 'promise_to_pay',
      amount: 80,
      date: '2026-12-01',
    });
    expect(result.state).toEqual({ kind: 'ready' });
    const outcome = await db
      .selectFrom('outcomes')
      .selectAll()
      .where('attempt_id', '=', attemptId)
      .executeTakeFirstOrThrow();
    expect(outcome).toMatchObject({
      tag: 'promise_to_pay',
      final: true,
      data: { amount: 80, date: '2026-12-01' },
    });
    const contact = await db
      .selectFrom('contacts')
      .selectAll()
      .where('id', '=', contactId)
      .executeTakeFirstOrThrow();
    expect(contact).toMatchObject({ status: 'done', lease_owner: null, last_outcome: 'promise_to_pay' });
  });

  it('leaves the session untouched when a wrap-up timer fires after the outcome (a later preview decision survives)', async () => {
    const { db } = database();
    const { service } = await agentInWrapUp('ag-late-timer');
    await service.tagOutcome('ag-late-timer', { tag: 'refused' });
    const agent = await db
      .selectFrom('agents')
      .select('id')
      .where('code', '=', 'ag-late-timer')
      .executeTakeFirstOrThrow();
    const before = await findOpenSession(db, agent.id);
    const late = await applyAgentEvent(
      db,
      before!.id,
      { type: 'wrap_up_timeout', attemptId: 'ch-ag-late-timer' },
      { now: new Date(clock.now().getTime() + 60_000), wrapUpSeconds: 30 },
    );
    expect(late.state).toEqual({ kind: 'ready' });
    const after = await findOpenSession(db, agent.id);
    expect(after).toEqual(before);
  });

  it('applies an engine event with the session it remembers in one statement; a stale one is read again', async () => {
    const { db } = database();
    const { campaign } = await makeCampaign(db);
    await insertAgent(db, { code: 'ag-known', name: 'ag-known', endpoint: 'PJSIP/ag-known' });
    const { session } = await createAgentService({ db, clock }).login('ag-known', campaign.id);
    const opts = { now: clock.now(), wrapUpSeconds: 30 };
    let statements = 0;
    const counted = db.withPlugin({
      transformQuery: (args) => {
        statements += 1;
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    const answered = await applyAgentEvent(
      counted,
      session.id,
      { type: 'leg_answered' },
      { ...opts, known: session },
    );
    expect(answered.state).toEqual({ kind: 'ready' });
    expect(statements).toBe(1);
    // The remembered row is now behind (its version moved): the event is decided on the fresh row.
    statements = 0;
    const paused = await applyAgentEvent(
      counted,
      session.id,
      { type: 'pause', reason: 'break' },
      { ...opts, known: session },
    );
    expect(paused.state).toMatchObject({ kind: 'paused', reason: 'break' });
    expect(statements).toBeGreaterThan(1);
    expect((await findOpenSession(db, session.agent_id))?.version).toBe(paused.session.version);
  });

  it('refuses an invalid outcome and leaves the agent in wrap-up', async () => {
    const { db } = database();
    const { service } = await agentInWrapUp('ag-bad');
    await expect(service.tagOutcome('ag-bad', { tag: 'promise_to_pay', date: '2026-12-01' })).rejects.toThrow(
      /amount/,
    );
    const agent = await db
      .selectFrom('agents')
      .select('id')
      .where('code', '=', 'ag-bad')
      .executeTakeFirstOrThrow();
    expect((await findOpenSession(db, agent.id))?.state).toBe('wrap_up');
  });

  it('puts an opted-out number on the internal do-not-call list at once, blocking it in every campaign', async () => {
    const { db } = database();
    const { service, contactId } = await agentInWrapUp('ag-opt');
    const { phone_e164: phone } = await db
      .selectFrom('contacts')
      .select('phone_e164')
      .where('id', '=', contactId)
      .executeTakeFirstOrThrow();
    const { campaign: other } = await makeCampaign(db);
    const elsewhere = await db
      .insertInto('contacts')
      .values({ campaign_id: other.id, phone_e164: phone, time_zone: 'America/New_York' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await service.tagOutcome('ag-opt', { tag: 'opt_out' });
    const entry = await db
      .selectFrom('dnc_entries')
      .selectAll()
      .where('scope_key', '=', 'internal')
      .where('phone_e164', '=', phone)
      .executeTakeFirst();
    expect(entry?.reason).toBe('opt_out');
    const waiting = await db
      .selectFrom('contacts')
      .select(['status', 'status_reason'])
      .where('id', '=', elsewhere.id)
      .executeTakeFirstOrThrow();
    expect(waiting).toEqual({ status: 'blocked', status_reason: 'dnc:internal' });
    const audit = await db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'dnc.opt_out')
      .execute();
    expect(audit.length).toBeGreaterThan(0);
  });

  it('schedules a personal callback for the tagging agent', async () => {
    const { db } = database();
    const { service, contactId } = await agentInWrapUp('ag-cb');
    // 10:00 in New York: within calling hours (a time outside them is moved: callback-gate.test.ts).
    await service.scheduleCallback('ag-cb', new Date('2026-11-26T15:00:00Z'));
    const callback = await db
      .selectFrom('callbacks')
      .selectAll()
      .where('contact_id', '=', contactId)
      .executeTakeFirstOrThrow();
    const agent = await db
      .selectFrom('agents')
      .select('id')
      .where('code', '=', 'ag-cb')
      .executeTakeFirstOrThrow();
    expect(callback).toMatchObject({
      agent_id: agent.id,
      status: 'pending',
      due_at: new Date('2026-11-26T15:00:00Z'),
    });
  });

  it('raises one connection-rate alarm while the rate stays low, and clears it', async () => {
    const { db } = database();
    const { campaign, definition } = await makeCampaign(db, {
      alarms: { minAnswerRate: 0.5, minAttempts: 5, windowMinutes: 15 },
    });
    const contacts = await addContacts(db, campaign.id, 6);
    await db
      .insertInto('call_attempts')
      .values(
        contacts.map((id, i) => ({
          campaign_id: campaign.id,
          contact_id: id,
          phone_e164: `+1212555${String(i).padStart(4, '0')}`,
          channel_id: `alarm-${campaign.id}-${i}`,
          queued_at: clock.now(),
          finalized_at: clock.now(),
        })),
      )
      .execute();
    const deps = { db, logger: silentLogger() };
    await checkConnectionRates(deps, campaign.id, definition, clock.now());
    await checkConnectionRates(deps, campaign.id, definition, clock.now());
    const open = await listAlarms(db, { campaignId: campaign.id, openOnly: true });
    expect(open.map((a) => a.kind)).toEqual(['answer_rate_low']);
    await checkConnectionRates(deps, campaign.id, definition, new Date(clock.now().getTime() + 3_600_000));
    expect(await listAlarms(db, { campaignId: campaign.id, openOnly: true })).toEqual([]);
  });
});
