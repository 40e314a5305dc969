import { afterEach, describe, expect, it } from 'vitest';
import { carriesTag, engineTag, newChannelId } from '../../engine/telephony/channel-ids.ts';
import {
  type AriSimulator,
  type AriTelephony,
  createAriTelephony,
  startAriSimulator,
} from '../../engine/telephony/index.ts';
import { EventLog, originateRequest, rawClient, sleep } from './support.ts';

/**
 * Several engines on one Asterisk and one Stasis app: each touches only its own channels
 * (ids that carry its identity), whatever the others do, and a restarted engine takes its own
 * conversations back instead of cutting them.
 */

const PERSON = { kind: 'answer' as const, ringMs: 200, talkMs: null };
const NEVER_ANSWERS = { kind: 'no-answer' as const };

let sim: AriSimulator | undefined;
const adapters: AriTelephony[] = [];

afterEach(async () => {
  for (const tel of adapters.splice(0)) await tel.stop();
  await sim?.stop();
  sim = undefined;
});

async function engine(engineId: string, app = 'dialer'): Promise<{ tel: AriTelephony; log: EventLog }> {
  if (!sim) throw new Error('no simulator');
  const tel = createAriTelephony({
    url: sim.url,
    username: sim.username,
    password: sim.password,
    app,
    engineId,
    reconnectInitialMs: 50,
  });
  const log = new EventLog();
  tel.onEvent(log.push);
  await tel.start();
  adapters.push(tel);
  return { tel, log };
}

async function channelIds(): Promise<string[]> {
  if (!sim) throw new Error('no simulator');
  const response = await fetch(`${sim.url}/ari/channels`, {
    headers: { authorization: `Basic ${Buffer.from(`${sim.username}:${sim.password}`).toString('base64')}` },
  });
  return ((await response.json()) as Array<{ id: string }>).map((c) => c.id);
}

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await condition()) return;
    await sleep(10);
  }
  throw new Error('condition never met');
}

describe('channel ids carry the engine identity', () => {
  it('the tag is fixed-length and stable for one engine id, different for another', () => {
    expect(engineTag('engine-a')).toBe(engineTag('engine-a'));
    expect(engineTag('engine-a')).not.toBe(engineTag('engine-b'));
    expect(engineTag('a').length).toBe(engineTag('a-much-longer-engine-name-on-host-42').length);
  });

  it('no id of one engine is a case-insensitive prefix of another id, theirs or another engine’s', () => {
    const tags = [engineTag('engine-a'), engineTag('engine-b')];
    const ids = tags.flatMap((tag) =>
      ['c1-k1', 'c1-k12', 'c12-k1', 'agent-1', 'agent-12', 'agent-1-2'].flatMap((name) =>
        Array.from({ length: 10 }, () => newChannelId(tag, name)),
      ),
    );
    const prefixes = ids.flatMap((a) =>
      ids.filter((b) => a !== b && b.toLowerCase().startsWith(a.toLowerCase())).map((b) => [a, b]),
    );
    expect(prefixes).toEqual([]);
    expect(carriesTag(ids[0] as string, tags[0] as string)).toBe(true);
    expect(carriesTag(ids[0] as string, tags[1] as string)).toBe(false);
  });

  it('the simulator refuses a channel id that is a case-insensitive prefix of a live one (409), as Asterisk 22 does', async () => {
    sim = await startAriSimulator({
      clock: { speed: 50 },
      callees: { numbers: { '+8613800000002': NEVER_ANSWERS } },
    });
    const { client } = await rawClient(sim);
    {
      const originate = (channelId: string) =>
        client.channels
          .originate({ endpoint: 'PJSIP/+8613800000002@carrier', app: 'dialer', channelId, timeout: 30 })
          .then(
            () => 'ok',
            (error: Error) => error.message,
          );
      expect(await originate('att-pfx-12')).toBe('ok');
      expect(await originate('att-pfx-1')).toMatch(/already exists/);
      expect(await originate('ATT-PFX-12')).toMatch(/already exists/);
      expect(await originate('att-pfx-123')).toBe('ok');
    }
  });
});

describe('two engines on one Asterisk and one ARI app', () => {
  /** Engine A with an agent on a connected call and a second call ringing. */
  async function engineWithLiveCalls() {
    const a = await engine('engine-a');
    await a.tel.loginAgent({ agentId: '101', endpoint: 'PJSIP/agent-101' });
    const talking = a.tel.newCallId('c1-k1');
    await a.tel.originate(originateRequest(talking, '+8613800000005'));
    await a.log.waitFor('answered', (e) => e.attemptId === talking);
    await a.tel.connect(talking, '101');
    await a.log.waitFor('connected', (e) => e.attemptId === talking);
    const ringing = a.tel.newCallId('c1-k2');
    await a.tel.originate(originateRequest(ringing, '+8613800000002', { ringTimeoutSeconds: 600 }));
    await a.log.waitFor('ringing', (e) => e.attemptId === ringing);
    return { ...a, talking, ringing };
  }

  function startSim() {
    return startAriSimulator({
      clock: { speed: 50 },
      callees: { numbers: { '+8613800000005': PERSON, '+8613800000002': NEVER_ANSWERS } },
    });
  }

  it('an engine that restarts and reconciles hangs up its own orphans, never the other engine’s calls', async () => {
    sim = await startSim();
    const a = await engineWithLiveCalls();
    const aChannels = await channelIds();
    expect(aChannels).toHaveLength(3);

    // Engine B had a call of its own, then died: its channel is an orphan after its restart.
    const b = await engine('engine-b');
    const bOrphan = b.tel.newCallId('c2-k1');
    await b.tel.originate(originateRequest(bOrphan, '+8613800000002', { ringTimeoutSeconds: 600 }));
    await b.log.waitFor('ringing', (e) => e.attemptId === bOrphan);
    await b.tel.stop();
    const bAgain = await engine('engine-b');
    const result = await bAgain.tel.reconcile([]);

    expect(result.orphansHungUp).toEqual([bOrphan]);
    await until(async () => !(await channelIds()).includes(bOrphan));
    expect((await channelIds()).sort()).toEqual([...aChannels].sort());
    expect(a.log.events.filter((e) => e.type === 'hangup' || e.type === 'agent-leg-lost')).toEqual([]);
    expect(a.tel.snapshot()).toMatchObject({ calls: 2, agents: [{ agentId: '101', state: 'ready' }] });
  });

  it('an engine whose WebSocket drops reconnects and reconciles without touching the other engine’s calls', async () => {
    sim = await startSim();
    const b = await engine('engine-b');
    const bCall = b.tel.newCallId('c2-k1');
    await b.tel.originate(originateRequest(bCall, '+8613800000002', { ringTimeoutSeconds: 600 }));
    await b.log.waitFor('ringing', (e) => e.attemptId === bCall);
    const a = await engineWithLiveCalls();

    // Every engine's socket drops; each reconnects and reconciles on its own.
    sim.dropWebSockets();
    await a.log.waitFor('connection', (e) => e.state === 'restored');
    await b.log.waitFor('connection', (e) => e.state === 'restored');

    expect((await channelIds()).length).toBe(4);
    expect(a.log.events.filter((e) => e.type === 'hangup' || e.type === 'agent-leg-lost')).toEqual([]);
    expect(b.log.events.filter((e) => e.type === 'hangup')).toEqual([]);
    // Both still own their calls: their ends reach the right engine.
    sim.hangupFromFarEnd(a.talking);
    sim.hangupFromFarEnd(bCall);
    expect(await a.log.waitFor('hangup', (e) => e.attemptId === a.talking)).toMatchObject({ answered: true });
    expect(await b.log.waitFor('hangup', (e) => e.attemptId === bCall)).toMatchObject({ answered: false });
  });

  it('a restarted engine adopts its conversation still connected to an agent: both stay bridged, the agent is not rung again', async () => {
    sim = await startSim();
    const a = await engineWithLiveCalls();
    const legs = await a.tel.loginAgent({ agentId: '101', endpoint: 'PJSIP/agent-101' });
    const before = sim.stats().originates;
    await a.tel.stop();

    // The same engine again (same identity), knowing from its database the connected call,
    // the ringing one and the agent's leg.
    const again = await engine('engine-a');
    const result = await again.tel.reconcile([a.talking, a.ringing], { agentLegs: [legs] });
    expect(result).toMatchObject({
      live: [a.talking, a.ringing],
      gone: [],
      orphansHungUp: [],
      agentsAdopted: ['101'],
    });

    const bridge = (await fetch(`${sim.url}/ari/bridges/${legs.bridgeId}`, {
      headers: {
        authorization: `Basic ${Buffer.from(`${sim.username}:${sim.password}`).toString('base64')}`,
      },
    }).then((r) => r.json())) as { channels: string[] };
    expect(bridge.channels.sort()).toEqual([legs.channelId, a.talking].sort());
    // Logging the agent in finds the adopted leg: no new call to the agent's phone.
    expect(await again.tel.loginAgent({ agentId: '101', endpoint: 'PJSIP/agent-101' })).toEqual(legs);
    expect(sim.stats().originates).toBe(before);

    sim.hangupFromFarEnd(a.talking);
    expect(await again.log.waitFor('hangup', (e) => e.attemptId === a.talking)).toMatchObject({
      outcome: 'answered',
    });
    expect(again.log.events.some((e) => e.type === 'agent-leg-lost')).toBe(false);
  });

  it('engines with their own ARI apps each get the AMD verdicts of their own calls back (DIALER_APP)', async () => {
    sim = await startAriSimulator({
      clock: { speed: 50 },
      callees: {
        numbers: {
          '+8613800000005': { ...PERSON, amd: 'HUMAN' as const },
          '+8613800000003': { ...PERSON, amd: 'MACHINE' as const },
        },
      },
    });
    const a = await engine('engine-a', 'dialer-a');
    const b = await engine('engine-b', 'dialer-b');
    const aCall = a.tel.newCallId('c1-k1');
    const bCall = b.tel.newCallId('c2-k1');
    await a.tel.originate(originateRequest(aCall, '+8613800000005', { amd: { context: 'dialer-amd' } }));
    await b.tel.originate(originateRequest(bCall, '+8613800000003', { amd: { context: 'dialer-amd' } }));
    expect(await a.log.waitFor('answered', (e) => e.attemptId === aCall)).toMatchObject({
      amd: { status: 'HUMAN' },
    });
    expect(await b.log.waitFor('answered', (e) => e.attemptId === bCall)).toMatchObject({
      amd: { status: 'MACHINE' },
    });
  });
});
