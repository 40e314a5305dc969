import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/connect.ts';
import { getAgentByCode } from '../../db/queries/agents.ts';
import { createAttempt } from '../../db/queries/dial-log.ts';
import {
  type ClaimedLead,
  campaignHasWork,
  claimLeads,
  releaseExpiredLeases,
  releaseLead,
  renewLeases,
} from '../../db/queries/leads.ts';
import type { Database } from '../../db/schema.ts';
import { ensureSimulatedAgents } from '../../scripts/demo/simulated-agents.ts';
import { createTestDatabase, describeEachDatabase, testDatabaseKinds } from '../support/database.ts';
import { addContacts, makeCampaign } from './fixtures.ts';

/** An open dial-log row for a claimed lead (a call in progress). */
function openAttempt(db: Kysely<Database>, campaignId: number, lead: ClaimedLead) {
  return createAttempt(db, {
    campaignId,
    contactId: lead.id,
    phoneE164: lead.phone_e164,
    channelId: `c${campaignId}-k${lead.id}-${lead.attempts}`,
    gateReasons: [],
    queuedAt: now,
  });
}

/** An agent session of the campaign in the given state, as the state machine stores it. */
async function openSessionIn(
  db: Kysely<Database>,
  code: string,
  campaignId: number,
  state: string,
  data: Record<string, unknown>,
) {
  const agent = await getAgentByCode(db, code);
  return db
    .insertInto('agent_sessions')
    .values({
      agent_id: agent.id,
      campaign_id: campaignId,
      state,
      state_data: JSON.stringify(data),
      state_since: now,
      started_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

const now = new Date('2026-11-25T15:00:00Z');
const base = { engineId: 'e1', now, leaseSeconds: 60, readyAgentIds: [] as number[] };

describeEachDatabase('lead claim', (database) => {
  it('claims the highest priority first, then the earliest next attempt, and leases them', async () => {
    const { db } = database();
    const { campaign } = await makeCampaign(db);
    const ids = await addContacts(db, campaign.id, 6, { priority: (i) => (i === 4 ? 5 : 0) });
    const claimed = await claimLeads(db, { ...base, campaignId: campaign.id, limit: 3 });
    expect(claimed.map((c) => c.id)).toEqual([ids[4], ids[0], ids[1]]);
    expect(claimed.every((c) => c.status === 'in_progress' && c.lease_owner === 'e1')).toBe(true);
    expect(claimed[0]?.lease_expires_at).toEqual(new Date('2026-11-25T15:01:00Z'));
    const again = await claimLeads(db, { ...base, campaignId: campaign.id, limit: 10 });
    expect(again.map((c) => c.id).sort((a, b) => a - b)).toEqual([ids[2], ids[3], ids[5]]);
  });

  it('skips contacts not yet due', async () => {
    const { db } = database();
    const { campaign } = await makeCampaign(db);
    await addContacts(db, campaign.id, 2, { nextAttemptAt: new Date('2026-11-25T16:00:00Z') });
    expect(await claimLeads(db, { ...base, campaignId: campaign.id, limit: 5 })).toEqual([]);
  });

  it('puts due callbacks first, and a personal one only when its agent is ready', async () => {
    const { db } = database();
    const { campaign } = await makeCampaign(db);
    const ids = await addContacts(db, campaign.id, 4, { priority: () => 9 });
    const agent = await db
      .insertInto('agents')
      .values({ code: `a-${campaign.id}`, name: 'A', endpoint: 'PJSIP/a' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('callbacks')
      .values([
        {
          contact_id: ids[3]!,
          campaign_id: campaign.id,
          agent_id: null,
          due_at: new Date('2026-11-25T14:00:00Z'),
        },
        {
          contact_id: ids[2]!,
          campaign_id: campaign.id,
          agent_id: agent.id,
          due_at: new Date('2026-11-25T14:59:00Z'),
        },
      ])
      .execute();
    const withoutAgent = await claimLeads(db, { ...base, campaignId: campaign.id, limit: 1 });
    expect(withoutAgent.map((c) => [c.id, c.callback_agent_id])).toEqual([[ids[3], null]]);
    const otherwise = await claimLeads(db, { ...base, campaignId: campaign.id, limit: 1 });
    expect(otherwise[0]?.id).toBe(ids[0]);
    const withAgent = await claimLeads(db, {
      ...base,
      campaignId: campaign.id,
      limit: 1,
      readyAgentIds: [agent.id],
    });
    expect(withAgent.map((c) => [c.id, c.callback_agent_id])).toEqual([[ids[2], agent.id]]);
  });

  it('takes a due contact of a lower priority when the higher ones are not due yet', async () => {
    const { db } = database();
    const { campaign } = await makeCampaign(db);
    const later = new Date('2026-11-25T16:00:00Z');
    const [notDue] = await addContacts(db, campaign.id, 1, {
      priority: () => 7,
      nextAttemptAt: later,
      lastDigit: () => 1,
    });
    const [middle] = await addContacts(db, campaign.id, 1, { priority: () => 3, lastDigit: () => 2 });
    const [low] = await addContacts(db, campaign.id, 1, { priority: () => -2, lastDigit: () => 3 });
    const claimed = await claimLeads(db, { ...base, campaignId: campaign.id, limit: 5 });
    expect(claimed.map((c) => c.id)).toEqual([middle, low]);
    expect(claimed.map((c) => c.id)).not.toContain(notDue);
  });

  it('breaks a tie on priority and next attempt time by contact id', async () => {
    const { db } = database();
    const { campaign } = await makeCampaign(db);
    const ids = await addContacts(db, campaign.id, 5);
    const claimed = await claimLeads(db, { ...base, campaignId: campaign.id, limit: 3 });
    expect(claimed.map((c) => c.id)).toEqual(ids.slice(0, 3));
  });

  it('keeps a contact whose earliest due callback is for an absent agent out, until the grace runs out', async () => {
    const { db } = database();
    const { campaign } = await makeCampaign(db);
    const [held, other] = await addContacts(db, campaign.id, 2, { priority: (i) => (i === 0 ? 9 : 0) });
    const agent = await db
      .insertInto('agents')
      .values({ code: `away-${campaign.id}`, name: 'Away', endpoint: 'PJSIP/away' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('callbacks')
      .values([
        {
          contact_id: held!,
          campaign_id: campaign.id,
          agent_id: agent.id,
          due_at: new Date('2026-11-25T14:50:00Z'),
        },
        // A later agentless one does not make the contact anybody's: the earliest decides.
        {
          contact_id: held!,
          campaign_id: campaign.id,
          agent_id: null,
          due_at: new Date('2026-11-25T14:55:00Z'),
        },
      ])
      .execute();
    const withinGrace = await claimLeads(db, { ...base, campaignId: campaign.id, limit: 5 });
    expect(withinGrace.map((c) => c.id)).toEqual([other]);
    await releaseLead(db, other!, 'e1', { status: 'done', now });
    const pastGrace = await claimLeads(db, {
      ...base,
      campaignId: campaign.id,
      limit: 5,
      personalCallbackGraceSeconds: 300,
    });
    expect(pastGrace.map((c) => [c.id, c.callback_agent_id])).toEqual([[held, agent.id]]);
  });

  it('fills the limit with callbacks first, then the queue, whatever their priorities', async () => {
    const { db } = database();
    const { campaign } = await makeCampaign(db);
    const ids = await addContacts(db, campaign.id, 6, { priority: (i) => (i < 3 ? 5 : 0) });
    await db
      .insertInto('callbacks')
      .values(
        [ids[5]!, ids[4]!].map((id) => ({
          contact_id: id,
          campaign_id: campaign.id,
          agent_id: null,
          due_at: new Date('2026-11-25T14:00:00Z'),
        })),
      )
      .execute();
    const claimed = await claimLeads(db, { ...base, campaignId: campaign.id, limit: 4 });
    expect(claimed.map((c) => [c.id, c.callback_id !== null])).toEqual([
      [ids[4], true],
      [ids[5], true],
      [ids[0], false],
      [ids[1], false],
    ]);
  });

  it('never claims a contact whose previous call is still open in the dial log', async () => {
    const { db } = database();
    const { campaign } = await makeCampaign(db);
    const [id] = await addContacts(db, campaign.id, 1);
    await db
      .insertInto('call_attempts')
      .values({
        campaign_id: campaign.id,
        contact_id: id!,
        phone_e164: '+12125550199',
        channel_id: `open-${id}`,
      })
      .execute();
    expect(await claimLeads(db, { ...base, campaignId: campaign.id, limit: 5 })).toEqual([]);
  });

  it('returns expired leases to ready, keeps live ones, and renews only its own', async () => {
    const { db } = database();
    const { campaign } = await makeCampaign(db);
    await addContacts(db, campaign.id, 2);
    const [first, second] = await claimLeads(db, { ...base, campaignId: campaign.id, limit: 2 });
    for (const lead of [first!, second!]) await openAttempt(db, campaign.id, lead);
    const later = new Date(now.getTime() + 30_000);
    expect(
      await renewLeases(db, { campaignId: campaign.id, engineId: 'other', now: later, leaseSeconds: 60 }),
    ).toBe(0);
    expect(
      await renewLeases(db, { campaignId: campaign.id, engineId: 'e1', now: later, leaseSeconds: 60 }),
    ).toBe(2);
    await db
      .updateTable('call_attempts')
      .set({ finalized_at: now })
      .where('contact_id', '=', first!.id)
      .execute();
    await db.updateTable('contacts').set({ lease_expires_at: now }).where('id', '=', first!.id).execute();
    expect(await releaseExpiredLeases(db, campaign.id, new Date(now.getTime() + 45_000))).toBe(1);
    const rows = await db
      .selectFrom('contacts')
      .select(['id', 'status'])
      .where('campaign_id', '=', campaign.id)
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { id: first!.id, status: 'ready' },
      { id: second!.id, status: 'in_progress' },
    ]);
  });

  it('renews only the leases of contacts a call, a wrap-up or a live preview screen still holds', async () => {
    const { db } = database();
    const { campaign } = await makeCampaign(db, { mode: 'preview' });
    await addContacts(db, campaign.id, 5);
    const leads = await claimLeads(db, { ...base, campaignId: campaign.id, limit: 5 });
    const [calling, wrapping, previewed, leftPreview, forgotten] = leads.map((l) => l.id);
    await openAttempt(db, campaign.id, leads[0]!);
    const wrapped = await openAttempt(db, campaign.id, leads[1]!);
    await db.updateTable('call_attempts').set({ finalized_at: now }).where('id', '=', wrapped.id).execute();
    const [a, b, c] = await ensureSimulatedAgents(db, 3, `renew-${campaign.id}`);
    await openSessionIn(db, a!, campaign.id, 'wrap_up', {
      attemptId: wrapped.channel_id,
      deadline: now.toISOString(),
    });
    await openSessionIn(db, b!, campaign.id, 'reserved', {
      attemptId: null,
      contactId: previewed,
      preview: true,
    });
    const ended = await openSessionIn(db, c!, campaign.id, 'reserved', {
      attemptId: null,
      contactId: leftPreview,
      preview: true,
    });
    await db.updateTable('agent_sessions').set({ ended_at: now }).where('id', '=', ended.id).execute();

    const later = new Date(now.getTime() + 30_000);
    expect(
      await renewLeases(db, { campaignId: campaign.id, engineId: 'e1', now: later, leaseSeconds: 60 }),
    ).toBe(3);
    // Past the first lease (60 s from the claim), within the renewed one.
    expect(await releaseExpiredLeases(db, campaign.id, new Date(now.getTime() + 75_000))).toBe(2);
    const rows = await db
      .selectFrom('contacts')
      .select(['id', 'status', 'lease_owner'])
      .where('campaign_id', '=', campaign.id)
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { id: calling, status: 'in_progress', lease_owner: 'e1' },
      { id: wrapping, status: 'in_progress', lease_owner: 'e1' },
      { id: previewed, status: 'in_progress', lease_owner: 'e1' },
      { id: leftPreview, status: 'ready', lease_owner: null },
      { id: forgotten, status: 'ready', lease_owner: null },
    ]);
  });

  it('has work while a contact is due, in any priority, or still held; none when all wait or are done', async () => {
    const { db } = database();
    const { campaign } = await makeCampaign(db);
    const later = new Date('2026-11-25T16:00:00Z');
    expect(await campaignHasWork(db, campaign.id, now)).toBe(false);
    await addContacts(db, campaign.id, 2, { priority: () => 5, nextAttemptAt: later, lastDigit: () => 1 });
    const [done] = await addContacts(db, campaign.id, 1, { priority: () => 1, lastDigit: () => 2 });
    await db.updateTable('contacts').set({ status: 'done' }).where('id', '=', done!).execute();
    expect(await campaignHasWork(db, campaign.id, now)).toBe(false);
    // Due only in a lower priority than the waiting ones.
    const [due] = await addContacts(db, campaign.id, 1, { priority: () => 0, lastDigit: () => 3 });
    expect(await campaignHasWork(db, campaign.id, now)).toBe(true);
    // Claimed: nothing due any more, but it is held until its call ends.
    const [lead] = await claimLeads(db, { ...base, campaignId: campaign.id, limit: 1 });
    expect(lead?.id).toBe(due);
    expect(await campaignHasWork(db, campaign.id, now)).toBe(true);
    await releaseLead(db, due!, 'e1', { status: 'ready', nextAttemptAt: later, now });
    expect(await campaignHasWork(db, campaign.id, now)).toBe(false);
    // The retries fall due.
    expect(await campaignHasWork(db, campaign.id, later)).toBe(true);
  });

  it("has no work for another campaign's contacts", async () => {
    const { db } = database();
    const { campaign } = await makeCampaign(db);
    const { campaign: other } = await makeCampaign(db);
    await addContacts(db, other.id, 1);
    expect(await campaignHasWork(db, campaign.id, now)).toBe(false);
  });

  it('lets only the lease holder release a contact', async () => {
    const { db } = database();
    const { campaign } = await makeCampaign(db);
    await addContacts(db, campaign.id, 1);
    const [lead] = await claimLeads(db, { ...base, campaignId: campaign.id, limit: 1 });
    expect(await releaseLead(db, lead!.id, 'intruder', { status: 'done', now })).toBe(false);
    expect(await releaseLead(db, lead!.id, 'e1', { status: 'done', now })).toBe(true);
  });
});

describe.runIf(testDatabaseKinds.includes('postgres'))('lead claim under contention [postgres]', () => {
  it('never hands the same contact to two pools claiming at the same time', async () => {
    const first = await createTestDatabase('postgres', { maxConnections: 8 });
    const other = await openDatabase({ databaseUrl: first.url!, maxConnections: 8 });
    try {
      const { campaign } = await makeCampaign(first.db);
      await addContacts(first.db, campaign.id, 600);
      const claimers = [first.db, other.db].flatMap((db, pool) =>
        Array.from({ length: 6 }, async (_, worker) => {
          const mine: number[] = [];
          for (;;) {
            const got = await claimLeads(db, {
              ...base,
              engineId: `pool${pool}-w${worker}`,
              campaignId: campaign.id,
              limit: 7,
            });
            if (got.length === 0) break;
            mine.push(...got.map((c) => c.id));
          }
          return mine;
        }),
      );
      const all = (await Promise.all(claimers)).flat();
      expect(all).toHaveLength(600);
      expect(new Set(all).size).toBe(600);
      const owners = await first.db
        .selectFrom('contacts')
        .select((eb) => eb.fn.count<number>('lease_owner').distinct().as('n'))
        .where('campaign_id', '=', campaign.id)
        .executeTakeFirstOrThrow();
      expect(Number(owners.n)).toBeGreaterThan(1);
    } finally {
      await other.close();
      await first.close();
    }
  });
});
