import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { campaignDefinitionSchema } from '../../campaigns/campaign-definition.ts';
import {
  type CampaignGateFacts,
  type HeldCampaignGateFacts,
  loadCampaignGateFacts,
  loadHeldCampaignGateFacts,
} from '../../db/queries/gate-facts.ts';
import type { Database } from '../../db/schema.ts';
import { abandonmentRate } from '../../engine/compliance/rules/abandonment-rate.ts';
import { CampaignFactsCache, type HeldFactsLoader } from '../../engine/runner/campaign-facts-cache.ts';
import { describeEachDatabase } from '../support/database.ts';
import { addContacts, makeCampaign } from './fixtures.ts';

const definition = campaignDefinitionSchema.parse({
  name: 'cache',
  client: 'c',
  type: 'collections',
  mode: 'predictive',
  dialing: { callerId: '+12125550100', endpointTemplate: 'PJSIP/{number}@carrier' },
  abandon: { maxRate: 0.03 },
});

const t0 = new Date('2026-11-25T15:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

function factsWith(abandoned: number, humanAnswered: number): CampaignGateFacts {
  return {
    campaign: { id: 1, clientId: 1, definition },
    campaignStatus: 'running',
    campaignFacts: {
      nationalRegistrySyncedAt: t0,
      abandonment: { abandoned, humanAnswered, windowStart: new Date(t0.getTime() - 30 * 86_400_000) },
    },
  };
}

/** A loader answering from a script, recording what it was asked. */
function scripted(...answers: HeldCampaignGateFacts[]) {
  const calls: Array<{ now: Date; abandonedAttemptIds: readonly number[] }> = [];
  const load: HeldFactsLoader = async (now, hold) => {
    calls.push({ now, abandonedAttemptIds: [...hold.abandonedAttemptIds] });
    const answer = answers[Math.min(calls.length, answers.length) - 1];
    if (!answer) throw new Error('no scripted answer');
    return answer;
  };
  return { load, calls };
}

const overCap = (facts: CampaignGateFacts) => abandonmentRate(facts.campaignFacts, definition).overCap;

describe('campaign facts cache', () => {
  it('reads the database once per TTL of engine time, not on every pass', async () => {
    const loader = scripted({ facts: factsWith(1, 100), written: [] });
    const cache = new CampaignFactsCache(loader.load, 5000);
    for (const s of [0, 0.1, 1, 4.9, 5]) await cache.get(at(s));
    expect(loader.calls).toHaveLength(1);
    await cache.get(at(5.1));
    expect(loader.calls.map((c) => c.now)).toEqual([at(0), at(5.1)]);
  });

  it('counts an abandon of this runner at once, so the gate sees the cap crossed before any reload', async () => {
    const loader = scripted({ facts: factsWith(2, 100), written: [] });
    const cache = new CampaignFactsCache(loader.load, 5000);
    expect(overCap(await cache.get(at(0)))).toBe(false);
    cache.abandoned(501);
    const facts = await cache.get(at(1));
    expect(loader.calls).toHaveLength(1);
    expect(facts.campaignFacts.abandonment).toMatchObject({ abandoned: 3, humanAnswered: 100 });
    expect(overCap(facts)).toBe(true);
  });

  it('does not count twice an abandon the next load already counts', async () => {
    const loader = scripted(
      { facts: factsWith(2, 100), written: [] },
      { facts: factsWith(3, 100), written: [501] },
    );
    const cache = new CampaignFactsCache(loader.load, 5000);
    await cache.get(at(0));
    cache.abandoned(501);
    // The call is still live and reported again by a later abandon's scan: counted once.
    cache.abandoned(501);
    expect((await cache.get(at(1))).campaignFacts.abandonment.abandoned).toBe(3);
    const reloaded = await cache.get(at(6));
    expect(loader.calls[1]?.abandonedAttemptIds).toEqual([501]);
    expect(reloaded.campaignFacts.abandonment.abandoned).toBe(3);
    cache.abandoned(501);
    expect((await cache.get(at(7))).campaignFacts.abandonment.abandoned).toBe(3);
  });

  it('keeps counting an abandon whose dial-log row the load did not show yet', async () => {
    const loader = scripted(
      { facts: factsWith(2, 100), written: [] },
      { facts: factsWith(2, 100), written: [] },
      { facts: factsWith(3, 100), written: [501] },
    );
    const cache = new CampaignFactsCache(loader.load, 5000);
    await cache.get(at(0));
    cache.abandoned(501);
    // Reloaded before the row's update was committed: still 3, not back to 2.
    expect((await cache.get(at(6))).campaignFacts.abandonment.abandoned).toBe(3);
    expect((await cache.get(at(12))).campaignFacts.abandonment.abandoned).toBe(3);
    expect(loader.calls.map((c) => c.abandonedAttemptIds)).toEqual([[], [501], [501]]);
  });

  it('reads a first abandon with no answered call on record as 100 %, over the cap', async () => {
    const loader = scripted({ facts: factsWith(0, 0), written: [] });
    const cache = new CampaignFactsCache(loader.load, 5000);
    expect(overCap(await cache.get(at(0)))).toBe(false);
    cache.abandoned(7);
    const facts = await cache.get(at(0.5));
    expect(facts.campaignFacts.abandonment).toMatchObject({ abandoned: 1, humanAnswered: 1 });
    expect(overCap(facts)).toBe(true);
  });

  it('reads the database again after invalidate()', async () => {
    const loader = scripted(
      { facts: factsWith(0, 10), written: [] },
      { facts: factsWith(4, 10), written: [] },
    );
    const cache = new CampaignFactsCache(loader.load, 5000);
    await cache.get(at(0));
    cache.invalidate();
    expect((await cache.get(at(1))).campaignFacts.abandonment.abandoned).toBe(4);
  });
});

/** A dial-log row of the campaign, written as the engine would have left it. */
async function attempt(
  db: Kysely<Database>,
  campaignId: number,
  contactId: number,
  row: {
    queuedAt: Date;
    answered?: boolean;
    connected?: boolean;
    abandoned?: boolean;
    amd?: string;
    finalized: boolean;
  },
) {
  const answeredAt = row.answered || row.connected || row.abandoned ? row.queuedAt : null;
  const inserted = await db
    .insertInto('call_attempts')
    .values({
      campaign_id: campaignId,
      contact_id: contactId,
      phone_e164: `+1212555${String(contactId).padStart(4, '0').slice(-4)}`,
      channel_id: `facts-${campaignId}-${contactId}-${Math.random().toString(36).slice(2, 8)}`,
      queued_at: row.queuedAt,
      answered_at: answeredAt,
      connected_at: row.connected ? row.queuedAt : null,
      amd_result: row.amd ?? null,
      abandoned: row.abandoned ?? false,
      finalized_at: row.finalized ? row.queuedAt : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id;
}

const DAY = 86_400_000;
const now = new Date('2026-11-25T15:00:00Z');

describeEachDatabase('campaign facts held for a span', (database) => {
  it('counts answered calls over the window as it will be at the span’s end, and only settled ones', async () => {
    const { db } = database();
    const { campaign } = await makeCampaign(db);
    const ids = await addContacts(db, campaign.id, 6);
    const edge = new Date(now.getTime() - 30 * DAY + 2000);
    const dayAgo = new Date(now.getTime() - DAY);
    // Leaves the window 2 s from now: the true count drops within the span.
    await attempt(db, campaign.id, ids[0]!, { queuedAt: edge, answered: true, finalized: true });
    await attempt(db, campaign.id, ids[1]!, { queuedAt: dayAgo, answered: true, finalized: true });
    // Answered, still open, waiting for an agent (or an AMD verdict): not settled.
    await attempt(db, campaign.id, ids[2]!, { queuedAt: now, answered: true, finalized: false });
    await attempt(db, campaign.id, ids[3]!, { queuedAt: now, connected: true, finalized: false });
    await attempt(db, campaign.id, ids[4]!, {
      queuedAt: dayAgo,
      answered: true,
      amd: 'MACHINE:x',
      finalized: true,
    });
    await attempt(db, campaign.id, ids[5]!, { queuedAt: edge, abandoned: true, finalized: true });

    const exact = await loadCampaignGateFacts(db, campaign.id, now);
    expect(exact.campaignFacts.abandonment).toMatchObject({ abandoned: 1, humanAnswered: 5 });
    const held = await loadHeldCampaignGateFacts(db, campaign.id, now, {
      validForMs: 5000,
      abandonedAttemptIds: [],
    });
    // Abandons over the whole window now (later the window only loses some); answered calls
    // over the window 5 s from now, settled ones only.
    expect(held.facts.campaignFacts.abandonment).toMatchObject({ abandoned: 1, humanAnswered: 2 });
    const later = await loadCampaignGateFacts(db, campaign.id, new Date(now.getTime() + 5000));
    const rate = (a: { abandoned: number; humanAnswered: number }) => a.abandoned / a.humanAnswered;
    expect(rate(held.facts.campaignFacts.abandonment)).toBeGreaterThanOrEqual(
      rate(later.campaignFacts.abandonment),
    );
  });

  it('says which of the given abandons its count already includes', async () => {
    const { db } = database();
    const { campaign } = await makeCampaign(db);
    const ids = await addContacts(db, campaign.id, 2);
    const written = await attempt(db, campaign.id, ids[0]!, {
      queuedAt: now,
      abandoned: true,
      finalized: false,
    });
    // Abandoned in memory, its dial-log update not committed yet.
    const pending = await attempt(db, campaign.id, ids[1]!, {
      queuedAt: now,
      answered: true,
      finalized: false,
    });
    const held = await loadHeldCampaignGateFacts(db, campaign.id, now, {
      validForMs: 5000,
      abandonedAttemptIds: [written, pending],
    });
    expect(held.written).toEqual([written]);
    expect(held.facts.campaignFacts.abandonment.abandoned).toBe(1);
  });

  it('serves a new abandon from memory at once and counts it once after the reload', async () => {
    const { db } = database();
    const { campaign } = await makeCampaign(db);
    const ids = await addContacts(db, campaign.id, 41);
    for (const id of ids.slice(0, 40))
      await attempt(db, campaign.id, id, {
        queuedAt: new Date(now.getTime() - DAY),
        connected: true,
        finalized: true,
      });
    let loads = 0;
    const cache = new CampaignFactsCache((at, hold) => {
      loads += 1;
      return loadHeldCampaignGateFacts(db, campaign.id, at, hold);
    }, 5000);
    expect((await cache.get(now)).campaignFacts.abandonment).toMatchObject({
      abandoned: 0,
      humanAnswered: 40,
    });
    // The call flow abandons a call; its row says so a moment later.
    const abandonedAt = new Date(now.getTime() + 1000);
    const id = await attempt(db, campaign.id, ids[40]!, {
      queuedAt: abandonedAt,
      answered: true,
      finalized: false,
    });
    cache.abandoned(id);
    const served = await cache.get(new Date(now.getTime() + 1500));
    expect(loads).toBe(1);
    expect(served.campaignFacts.abandonment.abandoned).toBe(1);
    expect(abandonmentRate(served.campaignFacts, definition).overCap).toBe(false);
    await db.updateTable('call_attempts').set({ abandoned: true }).where('id', '=', id).execute();
    const reloaded = await cache.get(new Date(now.getTime() + 6000));
    expect(loads).toBe(2);
    expect(reloaded.campaignFacts.abandonment.abandoned).toBe(1);
    const next = await cache.get(new Date(now.getTime() + 12_000));
    expect(next.campaignFacts.abandonment.abandoned).toBe(1);
  });
});
