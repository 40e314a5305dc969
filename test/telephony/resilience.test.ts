import { afterEach, describe, expect, it } from 'vitest';
import { createAriTelephony } from '../../engine/telephony/index.ts';
import { EventLog, originateRequest, type Rig, sleep, startRig } from './support.ts';

/** The WebSocket dropping and Asterisk restarting, with calls in flight (DESIGN.md §4). */

const AGENT = { agentId: '101', endpoint: 'PJSIP/agent-101' };
const PERSON = { kind: 'answer', ringMs: 500, talkMs: null } as const;

describe('telephony over ARI: connection loss and restarts', () => {
  let rig: Rig;
  afterEach(async () => {
    await rig.close();
  });

  it('keeps a connected call through a dropped WebSocket and still hears its hang-up afterwards', async () => {
    rig = await startRig({ callees: { numbers: { '+8613800000005': PERSON } } });
    await rig.tel.loginAgent(AGENT);
    await rig.tel.originate(originateRequest('att-1', '+8613800000005'));
    await rig.log.waitFor('answered', (e) => e.attemptId === 'att-1');
    await rig.tel.connect('att-1', '101');
    await rig.log.waitFor('connected');

    rig.sim.dropWebSockets();
    await rig.log.waitFor('connection', (e) => e.state === 'lost');
    await rig.log.waitFor('connection', (e) => e.state === 'restored');
    expect(rig.log.of('att-1')).not.toContain('hangup');

    rig.sim.hangupFromFarEnd('att-1');
    const hangup = await rig.log.waitFor('hangup', (e) => e.attemptId === 'att-1');
    expect(hangup).toMatchObject({ outcome: 'answered', cause: 16 });
    expect(rig.tel.snapshot().agents).toEqual([{ agentId: '101', state: 'ready' }]);
  });

  it('finalizes a call that ended while the WebSocket was down (its events were lost) as lost', async () => {
    rig = await startRig({ callees: { numbers: { '+8613800000005': PERSON } } });
    await rig.tel.originate(originateRequest('att-2', '+8613800000005'));
    await rig.log.waitFor('answered', (e) => e.attemptId === 'att-2');

    rig.sim.dropWebSockets();
    rig.sim.hangupFromFarEnd('att-2');
    const hangup = await rig.log.waitFor('hangup', (e) => e.attemptId === 'att-2');
    expect(hangup).toMatchObject({ outcome: 'lost', answered: true });
    await rig.log.waitFor('connection', (e) => e.state === 'restored');
    expect(rig.tel.snapshot().calls).toBe(0);
  });

  it('after an Asterisk restart with calls in flight, nothing is left dialing and the agent leg is reported lost', async () => {
    rig = await startRig({
      callees: {
        numbers: {
          '+8613800000005': PERSON,
          '+8613800000006': { kind: 'answer', ringMs: 60_000, talkMs: null },
        },
      },
    });
    await rig.tel.loginAgent(AGENT);
    await rig.tel.originate(originateRequest('att-up', '+8613800000005'));
    await rig.log.waitFor('answered', (e) => e.attemptId === 'att-up');
    await rig.tel.connect('att-up', '101');
    await rig.tel.originate(originateRequest('att-ringing', '+8613800000006', { ringTimeoutSeconds: 120 }));
    await rig.log.waitFor('ringing', (e) => e.attemptId === 'att-ringing');

    await rig.sim.restart({ downMs: 200, loadingMs: 100 });
    await rig.log.waitFor('connection', (e) => e.state === 'restored');

    const up = await rig.log.waitFor('hangup', (e) => e.attemptId === 'att-up');
    const ringing = await rig.log.waitFor('hangup', (e) => e.attemptId === 'att-ringing');
    expect(up.outcome).toBe('answered');
    expect(ringing.answered).toBe(false);
    expect(await rig.log.waitFor('agent-leg-lost')).toMatchObject({ agentId: '101' });
    expect(rig.tel.snapshot().calls).toBe(0);
    expect(rig.sim.stats().channels).toBe(0);
    // The engine's own bookkeeping: every attempt it thought in flight is reported gone.
    expect(await rig.tel.reconcile(['att-up', 'att-ringing'])).toEqual({
      live: [],
      gone: ['att-up', 'att-ringing'],
      orphansHungUp: [],
      agentsAdopted: [],
    });
    // And it can dial again.
    await rig.tel.loginAgent(AGENT);
    await rig.tel.originate(originateRequest('att-after', '+8613800000005'));
    await rig.log.waitFor('answered', (e) => e.attemptId === 'att-after');
  });

  it('after an engine restart, reconcile adopts the calls the database knows and hangs up our orphans', async () => {
    rig = await startRig(
      { callees: { numbers: { '+8613800000005': PERSON, '+8613800000006': PERSON } } },
      { engineId: 'engine-a' },
    );
    const knownId = rig.tel.newCallId('known');
    const orphanId = rig.tel.newCallId('orphan');
    await rig.tel.originate(originateRequest(knownId, '+8613800000005'));
    await rig.tel.originate(originateRequest(orphanId, '+8613800000006'));
    await rig.log.waitFor('answered', (e) => e.attemptId === knownId);
    await rig.log.waitFor('answered', (e) => e.attemptId === orphanId);
    await rig.tel.stop();

    // The same engine restarted: same identity, no memory of the calls.
    const tel = createAriTelephony({
      url: rig.sim.url,
      username: 'dialer',
      password: 'dialer',
      app: 'dialer',
      engineId: 'engine-a',
    });
    const log = new EventLog();
    tel.onEvent(log.push);
    await tel.start();
    try {
      const finishedLongAgo = tel.newCallId('finished');
      const result = await tel.reconcile([knownId, finishedLongAgo]);
      expect(result).toEqual({
        live: [knownId],
        gone: [finishedLongAgo],
        orphansHungUp: [orphanId],
        agentsAdopted: [],
      });
      for (let i = 0; i < 100 && rig.sim.stats().channels > 1; i++) await sleep(10);
      expect(rig.sim.stats().channels).toBe(1);
      // The adopted call is ours again: its end reaches the new process.
      rig.sim.hangupFromFarEnd(knownId);
      expect(await log.waitFor('hangup', (e) => e.attemptId === knownId)).toMatchObject({
        answered: true,
      });
    } finally {
      await tel.stop();
    }
  });
});

describe('telephony over ARI: the supervisor', () => {
  it('rebuilds the client when the WebSocket goes silent (no pongs), then reconciles', async () => {
    const rig = await startRig(
      { callees: { numbers: { '+8613800000005': PERSON } } },
      { pingIntervalMs: 100 },
    );
    try {
      await rig.tel.originate(originateRequest('att-silent', '+8613800000005'));
      await rig.log.waitFor('answered', (e) => e.attemptId === 'att-silent');
      rig.sim.freezeWebSockets();
      rig.sim.hangupFromFarEnd('att-silent');
      await rig.log.waitFor('connection', (e) => e.state === 'lost');
      await rig.log.waitFor('connection', (e) => e.state === 'restored');
      expect(await rig.log.waitFor('hangup', (e) => e.attemptId === 'att-silent')).toMatchObject({
        outcome: 'lost',
      });
      await rig.tel.originate(originateRequest('att-next', '+8613800000005'));
      await rig.log.waitFor('answered', (e) => e.attemptId === 'att-next');
    } finally {
      await rig.close();
    }
  });
});
