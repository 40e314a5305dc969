import { expect, it } from 'vitest';
import { findAgentByCode } from '../../db/queries/agents.ts';
import { ensureSimulatedAgents } from '../../scripts/demo/simulated-agents.ts';
import { addContacts, runningCampaign } from '../engine/fixtures.ts';
import { manualTelephony } from '../engine/simulated-telephony.ts';
import { describeEachDatabase } from '../support/database.ts';
import { testUser } from '../support/identity.ts';
import { bearer, errorOf, type FeedEvent, openFeed, serveForTest } from './support.ts';

const SPEED = 20;
const SCRIPT = 'Hello, this is Acme Bank about your account.';

interface Screen {
  state: { kind: string; attemptId?: string };
  call: {
    attemptId: string | null;
    contactId: number;
    phoneMasked: string;
    fields: Record<string, string>;
    history: { phoneMasked: string; outcome: string | null }[];
    campaign: { script: string | null };
  } | null;
}
const screen = (e: FeedEvent) => e.data as Screen;
const inState = (kind: string) => (e: FeedEvent) => e.event === 'agent' && screen(e).state.kind === kind;

describeEachDatabase('API: an agent works calls while the engine runs', (database) => {
  it('logs in, gets the screen pop over the live feed, tags (field errors first), takes the next call', async () => {
    const { db } = database();
    const simulated = await manualTelephony({ speed: SPEED, simulator: { agents: { answerDelayMs: 300 } } });
    const { clock, telephony } = simulated;
    // A long wrap-up: a loaded machine must not time the agent out while the test tags.
    const { campaign } = await runningCampaign(db, clock.now(), { script: SCRIPT, wrapUpSeconds: 900 });
    // Last digits 5 and 6: people who answer and talk.
    await addContacts(db, campaign.id, 2, {
      lastDigit: (i) => 5 + i,
      nextAttemptAt: new Date(clock.now().getTime() - 60_000),
    });
    // The list's own columns: an amount and a date the agent needs, and a second phone they may not see.
    await db
      .updateTable('contacts')
      .set({
        fields: JSON.stringify({ balance: '1,250.50', due: '2026-12-31', other: '+12125550199' }) as never,
      })
      .where('campaign_id', '=', campaign.id)
      .execute();
    const [code] = await ensureSimulatedAgents(db, 1, `api-${campaign.id}`);
    const user = await testUser(db, 'agent');
    const userRow = await db
      .selectFrom('users')
      .select('id')
      .where('name', '=', user.name)
      .executeTakeFirstOrThrow();
    await db.updateTable('agents').set({ user_id: userRow.id }).where('code', '=', code!).execute();
    simulated.run({ maxSpeed: SPEED });
    const serving = await serveForTest(database(), { telephony, clock, engine: { tickMs: 50 } });
    const feed = await openFeed(serving.url, user.token);
    try {
      const api = bearer(serving.url, user.token);
      // The first message is the current state: not logged in yet.
      expect(screen(await feed.next((e) => e.event === 'agent'))).toMatchObject({
        state: { kind: 'offline' },
      });

      const login = await api('/api/agents/me/login', {
        method: 'POST',
        body: JSON.stringify({ campaignId: campaign.id }),
      });
      expect(login.status).toBe(200);
      await feed.next(inState('ready'));

      const pop = screen(await feed.next(inState('on_call'), 60_000));
      expect(pop.call).toMatchObject({ attemptId: pop.state.attemptId, campaign: { script: SCRIPT } });
      const contact = await db
        .selectFrom('contacts')
        .selectAll()
        .where('id', '=', pop.call!.contactId)
        .executeTakeFirstOrThrow();
      expect(pop.call!.phoneMasked).not.toContain(contact.phone_e164.slice(-6));
      expect(pop.call!.phoneMasked.slice(-2)).toBe(contact.phone_e164.slice(-2));
      expect(pop.call!.fields).toEqual({ balance: '1,250.50', due: '2026-12-31', other: '+12*******99' });
      // The contact's attempts so far (this one), masked like the number on screen.
      expect(pop.call!.history).toEqual([
        expect.objectContaining({ phoneMasked: pop.call!.phoneMasked, outcome: null }),
      ]);

      await feed.next(inState('wrap_up'), 60_000);
      const wrong = await api('/api/agents/me/outcome', {
        method: 'POST',
        body: JSON.stringify({ tag: 'promise_to_pay', amount: -5 }),
      });
      expect(wrong.status).toBe(422);
      const problem = await errorOf(wrong);
      expect(problem.code).toBe('invalid');
      expect(problem.field).toBeDefined();

      const tagged = await api('/api/agents/me/outcome', {
        method: 'POST',
        body: JSON.stringify({ tag: 'paid', amount: 120 }),
      });
      expect(tagged.status).toBe(200);
      expect(await tagged.json()).toMatchObject({
        tag: 'paid',
        decision: { final: true },
        state: { kind: 'ready' },
      });
      const outcome = await db
        .selectFrom('outcomes')
        .select(['tag', 'contact_id'])
        .where('contact_id', '=', contact.id)
        .execute();
      expect(outcome).toEqual([{ tag: 'paid', contact_id: contact.id }]);

      const second = screen(await feed.next(inState('on_call'), 60_000));

      // A manager's feed: the figures of every campaign first, then once a second.
      const manager = await testUser(db, 'manager');
      for (let connection = 0; connection < 2; connection += 1) {
        const managers = await openFeed(serving.url, manager.token);
        try {
          const first = await managers.next(() => true);
          expect(first.event).toBe('snapshot');
          const mine = (first.data as { campaigns: { campaignId: number; dialed: number }[] }).campaigns.find(
            (c) => c.campaignId === campaign.id,
          );
          expect(mine?.dialed).toBeGreaterThanOrEqual(2);
          const tick = await managers.next((e) => e.event === 'figures', 10_000);
          expect(
            (tick.data as { campaigns: { campaignId: number }[] }).campaigns.map((c) => c.campaignId),
          ).toContain(campaign.id);
        } finally {
          managers.close();
        }
      }
      const asAgent = await fetch(`${serving.url}/api/events?channel=manager`, {
        headers: { authorization: `Bearer ${user.token}` },
      });
      expect(asAgent.status).toBe(403);
      expect(second.call!.contactId).not.toBe(contact.id);

      // A reconnecting client is told the current state first.
      feed.close();
      const again = await openFeed(serving.url, user.token);
      try {
        const first = screen(await again.next((e) => e.event === 'agent'));
        expect(['on_call', 'wrap_up']).toContain(first.state.kind);
        expect(first.call?.contactId).toBe(second.call!.contactId);
      } finally {
        again.close();
      }
      const agent = await findAgentByCode(db, code!);
      expect(agent?.user_id).toBe(userRow.id);
    } finally {
      feed.close();
      await serving.stop();
      await simulated.stop();
    }
  }, 180_000);
});
