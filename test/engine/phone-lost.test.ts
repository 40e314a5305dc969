import { expect, it } from 'vitest';
import { findOpenSession, sessionState } from '../../db/queries/agent-sessions.ts';
import { insertAgent } from '../../db/queries/agents.ts';
import { createAgentService } from '../../engine/agents/agent-service.ts';
import { silentLogger } from '../../engine/platform/logger.ts';
import { AgentPool } from '../../engine/runner/agent-pool.ts';
import { type ManualEngineClock, manualEngineClock } from '../../engine/runner/engine-clock.ts';
import { ringBackoff } from '../../engine/runner/phone-lost.ts';
import { TelephonyError } from '../../engine/telephony/errors.ts';
import type { TelephonyPort } from '../../engine/telephony/port.ts';
import { describeEachDatabase } from '../support/database.ts';
import { makeCampaign } from './fixtures.ts';

/**
 * Until the pool's work at this engine moment is done (nothing holds engine time for five turns
 * of the event loop in a row): database round trips included, however busy the machine.
 */
const settle = async (clock: ManualEngineClock) => {
  let quiet = 0;
  for (let i = 0; i < 100_000 && quiet < 5; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    quiet = clock.holding <= 0 ? quiet + 1 : 0;
  }
};

/** Asterisk away for the first `downFor` rings: each fails as unavailable, then the phone answers. */
function asteriskComingBack(downFor: number) {
  const rings: number[] = [];
  const refuse = () => Promise.reject(new Error('not used by this test'));
  const telephony: TelephonyPort = {
    start: async () => {},
    stop: async () => {},
    loginAgent: async (request) => {
      rings.push(rings.length + 1);
      if (rings.length <= downFor)
        throw new TelephonyError('unavailable', 'ARI did not answer loginAgent within 5000 ms');
      return {
        agentId: request.agentId,
        channelId: `leg-${request.agentId}`,
        bridgeId: `bridge-${request.agentId}`,
      };
    },
    logoutAgent: async () => {},
    originate: refuse,
    connect: refuse,
    play: refuse,
    collectDtmf: refuse,
    record: refuse,
    hangup: async () => {},
    onEvent: () => () => {},
    newCallId: (name) => name,
    reconcile: async () => ({ live: [], gone: [], orphansHungUp: [], agentsAdopted: [] }),
  };
  return { telephony, rings };
}

it('rings a lost phone again 1 s, 2 s, 4 s … up to 30 s apart, ten times, then gives up', () => {
  expect([1, 2, 3, 4, 5, 6, 10, 11].map(ringBackoff)).toEqual([
    1000,
    2000,
    4000,
    8000,
    16_000,
    30_000,
    30_000,
    undefined,
  ]);
});

describeEachDatabase('an agent whose phone cannot be rung because Asterisk is away', (database) => {
  it('stays logged in, is rung again with backoff (no storm), and takes calls once the phone answers', async () => {
    const { db } = database();
    const clock = manualEngineClock(Date.parse('2026-12-03T09:00:00Z'));
    const { campaign, definition } = await makeCampaign(db);
    const agentRow = await insertAgent(db, {
      code: `lost-${campaign.id}`,
      name: 'Lost',
      endpoint: 'PJSIP/lost',
    });
    await createAgentService({ db, clock }).login(agentRow.code, campaign.id);
    const { telephony, rings } = asteriskComingBack(3);
    const pool = new AgentPool(
      {
        db,
        telephony,
        clock,
        logger: silentLogger(),
        engineId: 'phone-lost-test',
        campaignId: campaign.id,
        wrapUpSeconds: definition.wrapUpSeconds,
        callerId: definition.dialing.callerId,
      },
      { wrapUpTimedOut: () => {}, wrapUpEnded: () => {} },
    );
    const state = async () => {
      const session = await findOpenSession(db, agentRow.id);
      return session ? sessionState(session).kind : 'offline';
    };

    await pool.sync();
    await settle(clock);
    expect(rings).toHaveLength(1);
    // The runner syncs the pool every pass: no ring until the backoff is over.
    for (let i = 0; i < 5; i++) await pool.sync();
    await settle(clock);
    expect(rings).toHaveLength(1);
    expect(await state()).toBe('logging_in');

    clock.advance(999);
    await settle(clock);
    expect(rings).toHaveLength(1);
    clock.advance(1);
    await settle(clock);
    expect(rings).toHaveLength(2);
    clock.advance(2000);
    await settle(clock);
    expect(rings).toHaveLength(3);
    expect(pool.free()).toEqual([]);

    // Asterisk is back: the fourth ring, 4 s later, is answered; nobody logged in again.
    clock.advance(4000);
    await settle(clock);
    expect(rings).toHaveLength(4);
    expect(await state()).toBe('ready');
    expect(pool.free().map((a) => a.agentId)).toEqual([agentRow.id]);
    await pool.releaseLegs();
  });
});
