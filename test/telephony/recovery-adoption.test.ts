import { expect, it } from 'vitest';
import { findOpenSession, sessionState } from '../../db/queries/agent-sessions.ts';
import { insertAgent } from '../../db/queries/agents.ts';
import { createAttempt, getAttempt, updateAttempt } from '../../db/queries/dial-log.ts';
import { applyAgentEvent, createAgentService } from '../../engine/agents/agent-service.ts';
import { silentLogger } from '../../engine/platform/logger.ts';
import type { EngineClock } from '../../engine/runner/engine-clock.ts';
import { type AdoptedCall, recoverCampaign } from '../../engine/runner/recovery.ts';
import { createAriTelephony } from '../../engine/telephony/index.ts';
import { addContacts, makeCampaign } from '../engine/fixtures.ts';
import { describeEachDatabase } from '../support/database.ts';
import { EventLog, startRig } from './support.ts';

/**
 * An engine that dies while an agent talks to a customer restarts with the same identity: its
 * recovery adopts the conversation (customer and agent stay bridged, the agent finishes and
 * tags later) instead of hanging it up; a call that nobody can take over any more is ended.
 */

const PERSON = { kind: 'answer' as const, ringMs: 100, talkMs: null };
const NEVER_ANSWERS = { kind: 'no-answer' as const };

describeEachDatabase('recovery after a crash with a conversation in progress', (database) => {
  it('adopts the conversation still connected to its agent and hangs up only the call nobody can take', async () => {
    const { db } = database();
    const rig = await startRig(
      { callees: { numbers: { '+12125550105': PERSON, '+12125550102': NEVER_ANSWERS } } },
      { engineId: 'engine-recovering' },
    );
    const now = new Date('2026-11-25T15:00:00Z');
    try {
      const { campaign, definition } = await makeCampaign(db, { mode: 'predictive' });
      const [talkingContact, ringingContact] = await addContacts(db, campaign.id, 2);
      const agentRow = await insertAgent(db, {
        code: `adopt-${campaign.id}`,
        name: 'Agent on a call',
        endpoint: `PJSIP/adopt-${campaign.id}`,
      });
      const clock: EngineClock = {
        speed: 1,
        now: () => new Date(now),
        after: () => () => {},
        sleep: () => new Promise(() => {}),
      };
      await createAgentService({ db, clock }).login(agentRow.code, campaign.id);
      const session = await findOpenSession(db, agentRow.id);
      if (!session) throw new Error('no session');
      const options = { now, wrapUpSeconds: definition.wrapUpSeconds };

      // The first run: the agent's leg up, a customer connected to it, another call ringing.
      const leg = await rig.tel.loginAgent({ agentId: String(agentRow.id), endpoint: agentRow.endpoint });
      await applyAgentEvent(
        db,
        session.id,
        { type: 'leg_answered' },
        {
          ...options,
          extra: { channelId: leg.channelId, bridgeId: leg.bridgeId },
        },
      );
      const talking = rig.tel.newCallId(`c${campaign.id}-k${talkingContact}`);
      const ringing = rig.tel.newCallId(`c${campaign.id}-k${ringingContact}`);
      const talkingRow = await createAttempt(db, {
        campaignId: campaign.id,
        contactId: talkingContact as number,
        phoneE164: '+12125550105',
        channelId: talking,
        gateReasons: [],
        queuedAt: now,
      });
      const ringingRow = await createAttempt(db, {
        campaignId: campaign.id,
        contactId: ringingContact as number,
        phoneE164: '+12125550102',
        channelId: ringing,
        gateReasons: [],
        queuedAt: now,
      });
      await applyAgentEvent(
        db,
        session.id,
        { type: 'reserve', attemptId: talking, contactId: talkingContact as number },
        options,
      );
      await rig.tel.originate({
        attemptId: talking,
        endpoint: 'PJSIP/+12125550105@carrier',
        callerId: '4000',
        ringTimeoutSeconds: 30,
      });
      await rig.log.waitFor('answered', (e) => e.attemptId === talking);
      await rig.tel.connect(talking, String(agentRow.id));
      await rig.log.waitFor('connected', (e) => e.attemptId === talking);
      await applyAgentEvent(db, session.id, { type: 'call_connected', attemptId: talking }, options);
      await updateAttempt(db, talkingRow.id, {
        status: 'connected',
        answeredAt: now,
        connectedAt: now,
        agentId: agentRow.id,
      });
      await rig.tel.originate({
        attemptId: ringing,
        endpoint: 'PJSIP/+12125550102@carrier',
        callerId: '4000',
        ringTimeoutSeconds: 600,
      });
      await rig.log.waitFor('ringing', (e) => e.attemptId === ringing);
      await updateAttempt(db, ringingRow.id, { status: 'ringing' });

      // The engine dies (its adapter goes without hanging anything up) and starts again.
      await rig.tel.stop();
      const restarted = createAriTelephony({
        url: rig.sim.url,
        username: rig.sim.username,
        password: rig.sim.password,
        app: 'dialer',
        engineId: 'engine-recovering',
      });
      const log = new EventLog();
      restarted.onEvent(log.push);
      await restarted.start();
      try {
        const adopted: AdoptedCall[] = [];
        const report = await recoverCampaign(
          { db, telephony: restarted, logger: silentLogger(), adopt: (call) => adopted.push(call) },
          campaign.id,
          definition,
          now,
        );

        expect(report).toMatchObject({ conversationsAdopted: 1, callsHungUp: 1, attemptsReconciled: 1 });
        expect(adopted).toEqual([
          expect.objectContaining({ attemptId: talking, dbId: talkingRow.id, agentId: agentRow.id }),
        ]);
        // Customer and agent are still bridged; the agent is still on the call; the row is open.
        const bridge = (await fetch(`${rig.sim.url}/ari/bridges/${leg.bridgeId}`, {
          headers: {
            authorization: `Basic ${Buffer.from(`${rig.sim.username}:${rig.sim.password}`).toString('base64')}`,
          },
        }).then((r) => r.json())) as { channels: string[] };
        expect(bridge.channels.sort()).toEqual([leg.channelId, talking].sort());
        const after = await findOpenSession(db, agentRow.id);
        expect(after && sessionState(after)).toMatchObject({ kind: 'on_call', attemptId: talking });
        expect((await getAttempt(db, talkingRow.id)).finalized_at).toBeNull();
        // The ringing call had nobody to go to: ended and sealed as lost.
        expect(await getAttempt(db, ringingRow.id)).toMatchObject({ result: 'lost' });
        // The agent's leg is this process's again: no new call to the agent's phone.
        expect(
          await restarted.loginAgent({ agentId: String(agentRow.id), endpoint: agentRow.endpoint }),
        ).toEqual(leg);

        // The conversation's end reaches the restarted engine.
        rig.sim.hangupFromFarEnd(talking);
        expect(await log.waitFor('hangup', (e) => e.attemptId === talking)).toMatchObject({
          outcome: 'answered',
        });
      } finally {
        await restarted.stop();
      }
    } finally {
      await rig.close();
    }
  });
});
