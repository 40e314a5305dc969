import { expect, it } from 'vitest';
import { createAttempt, finalizeAttempt, updateAttempt } from '../../db/queries/dial-log.ts';
import { createAgentService } from '../../engine/agents/agent-service.ts';
import { silentLogger } from '../../engine/platform/logger.ts';
import { systemEngineClock } from '../../engine/runner/engine-clock.ts';
import { reconcileCampaign } from '../../engine/runner/recovery.ts';
import { ensureSimulatedAgents } from '../../scripts/demo/simulated-agents.ts';
import { describeEachDatabase } from '../support/database.ts';
import { addContacts, makeCampaign } from './fixtures.ts';
import { reconcilingTelephony } from './reconciling-telephony.ts';

describeEachDatabase('reconciling a running campaign after the database came back', (database) => {
  it('settles what the outage left stuck and leaves the live calls and preview screens of the runner alone', async () => {
    const { db } = database();
    const clock = systemEngineClock();
    const { campaign, definition } = await makeCampaign(db, { mode: 'progressive' });
    const contacts = await addContacts(db, campaign.id, 4, { lastDigit: () => 5 });
    await db
      .updateTable('contacts')
      .set({ status: 'in_progress' })
      .where('campaign_id', '=', campaign.id)
      .execute();
    const at = clock.now();
    const call = async (index: number, channelId: string) => {
      const row = await createAttempt(db, {
        campaignId: campaign.id,
        contactId: contacts[index]!,
        phoneE164: `+1212555020${index}`,
        channelId,
        gateReasons: [],
        queuedAt: at,
      });
      await updateAttempt(db, row.id, { status: 'connected', answeredAt: at, connectedAt: at });
      return row;
    };
    const tag = `${campaign.id}`;
    // Live in the runner: an agent talking to a customer.
    const live = await call(0, `live-${tag}`);
    // Ended during the outage, its row finalized, but the agent event after it was lost.
    const ended = await call(1, `ended-${tag}`);
    await finalizeAttempt(db, ended.id, { result: 'connected', finalizedAt: at, endedAt: at });
    // Ended during the outage and its finalization lost for good: open, and gone from Asterisk.
    const stale = await call(2, `stale-${tag}`);

    const codes = await ensureSimulatedAgents(db, 4, `reconcile-${tag}`);
    const agentService = createAgentService({ db, clock });
    for (const code of codes) await agentService.login(code, campaign.id);
    const sessions = await db
      .selectFrom('agent_sessions')
      .select(['id', 'agent_id'])
      .where('campaign_id', '=', campaign.id)
      .orderBy('agent_id')
      .execute();
    const setState = (index: number, state: string, data: Record<string, unknown>) =>
      db
        .updateTable('agent_sessions')
        .set({ state, state_data: JSON.stringify(data) })
        .where('id', '=', sessions[index]!.id)
        .execute();
    await setState(0, 'on_call', { attemptId: live.channel_id, after: { kind: 'ready' } });
    await setState(1, 'on_call', { attemptId: ended.channel_id, after: { kind: 'ready' } });
    await setState(2, 'reserved', { attemptId: `never-${tag}`, contactId: contacts[2], preview: false });
    await setState(3, 'reserved', { attemptId: null, contactId: contacts[3], preview: true });
    const hungUp: string[] = [];

    await reconcileCampaign(
      { db, telephony: reconcilingTelephony([live.channel_id], hungUp, 'outage'), logger: silentLogger() },
      campaign.id,
      definition,
      clock.now(),
      new Set([live.channel_id]),
    );

    const states = await db
      .selectFrom('agent_sessions')
      .select('state')
      .where('campaign_id', '=', campaign.id)
      .orderBy('agent_id')
      .execute();
    // The live call's agent stays on it; the agent of the ended call wraps it up (and tags it);
    // the agent held for a call that never came is free; the preview stays on screen.
    expect(states.map((s) => s.state)).toEqual(['on_call', 'wrap_up', 'ready', 'reserved']);
    const rows = await db
      .selectFrom('call_attempts')
      .select(['id', 'finalized_at', 'result'])
      .where('campaign_id', '=', campaign.id)
      .orderBy('id')
      .execute();
    expect(rows.map((r) => [r.id, r.finalized_at !== null, r.result])).toEqual([
      [live.id, false, null],
      [ended.id, true, 'connected'],
      [stale.id, true, 'lost'],
    ]);
    expect(hungUp).toEqual([]);
    const statuses = await db
      .selectFrom('contacts')
      .select('status')
      .where('campaign_id', '=', campaign.id)
      .orderBy('id')
      .execute();
    // The live call's and the preview's contacts stay held; the others are owed an outcome by an
    // agent (ended, stale: connected) and wait for it.
    expect(statuses[0]?.status).toBe('in_progress');
    expect(statuses[3]?.status).toBe('in_progress');
  });
});
