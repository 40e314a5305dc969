import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../db/schema.ts';
import { type Engine, main } from '../../engine/main.ts';
import { silentLogger } from '../../engine/platform/logger.ts';
import { systemEngineClock } from '../../engine/runner/engine-clock.ts';
import { engineTag } from '../../engine/telephony/channel-ids.ts';
import { createAriTelephony, type TelephonyPort } from '../../engine/telephony/index.ts';
import { addContacts, longRetries, runningCampaign, workingAgents } from '../engine/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

/**
 * The whole engine (main, a PostgreSQL or PGlite database, simulated agents tagging their calls)
 * against a REAL Asterisk 22 (npm run test:asterisk; test/asterisk/README.md): issue #11 points
 * 5 (Asterisk stopped for 30 s with agents logged in) and 6 (SIGTERM with live calls). The
 * customers are people on the loopback trunk (last digit 5: ring 2–6 s, talk 20 s), the agents
 * Local legs in `sim-agent`. Asterisk is stopped and started by `ASTERISK_STOP_COMMAND` /
 * `ASTERISK_START_COMMAND` (default: `asterisk -rx "core stop now"` / `asterisk`, run through sh).
 */
const env = (name: string, fallback: string) => process.env[name] || fallback;
const ari = {
  url: env('ASTERISK_ARI_URL', ''),
  username: env('ASTERISK_ARI_USERNAME', 'dialer'),
  password: env('ASTERISK_ARI_PASSWORD', ''),
};
const trunk = env('ASTERISK_TRUNK_TEMPLATE', 'PJSIP/{number}@sim-trunk');
const agentTemplate = env('ASTERISK_AGENT_TEMPLATE', 'Local/{id}@sim-agent');
const sh = promisify(execFile);
const run = (command: string) => sh('sh', ['-c', command]);
const stopAsterisk = () => run(env('ASTERISK_STOP_COMMAND', 'asterisk -rx "core stop now"'));
const startAsterisk = () => run(env('ASTERISK_START_COMMAND', 'asterisk'));
const basic = `Basic ${Buffer.from(`${ari.username}:${ari.password}`).toString('base64')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function ariAnswers(): Promise<boolean> {
  try {
    const response = await fetch(`${ari.url}/ari/asterisk/info`, {
      headers: { authorization: basic },
      signal: AbortSignal.timeout(1000),
    });
    return response.status === 200;
  } catch {
    return false;
  }
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

const attempts = (db: Kysely<Database>, campaignId: number) =>
  db
    .selectFrom('call_attempts')
    .select(['id', 'queued_at', 'connected_at', 'finalized_at'])
    .where('campaign_id', '=', campaignId)
    .orderBy('id')
    .execute();

interface Running {
  db: Kysely<Database>;
  engine: Engine;
  engineId: string;
  campaignId: number;
  rings: Array<{ agentId: string; at: number }>;
  agents: { stop(): void };
}

describe('the engine on a real Asterisk: outage and SIGTERM (issue #11 points 5 and 6)', () => {
  let handle: TestDatabase;
  let running: Running | undefined;
  const clock = systemEngineClock();

  beforeEach(async () => {
    handle = await createTestDatabase(process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite', {
      maxConnections: 10,
    });
  });
  afterEach(async () => {
    running?.agents.stop();
    await running?.engine.stop();
    running = undefined;
    await handle.close();
    if (!(await ariAnswers())) {
      await startAsterisk();
      await until('Asterisk to answer again', 60_000, ariAnswers);
    }
  });

  /** A progressive campaign of people on the trunk, two agents, the engine running on Asterisk. */
  async function startCampaign(name: string): Promise<Running> {
    const { db } = handle;
    const { campaign, definition } = await runningCampaign(db, clock.now(), {
      mode: 'progressive',
      attempts: longRetries,
      dialing: { callerId: '+12125550100', endpointTemplate: trunk, trunk: 'sim-trunk' },
    });
    await addContacts(db, campaign.id, 40, {
      lastDigit: () => 5,
      nextAttemptAt: new Date(clock.now().getTime() - 60_000),
    });
    const engineId = `${name}-${campaign.id}-${process.pid}`;
    const agents = await workingAgents(
      db,
      clock,
      { campaignId: campaign.id, definition },
      2,
      `${name}-${campaign.id}-`,
    );
    const rows = await db
      .selectFrom('agent_sessions')
      .select('agent_id')
      .where('campaign_id', '=', campaign.id)
      .orderBy('agent_id')
      .execute();
    for (const [i, row] of rows.entries()) {
      await db
        .updateTable('agents')
        .set({ endpoint: agentTemplate.replace('{id}', String(301 + i)) })
        .where('id', '=', row.agent_id)
        .execute();
    }
    const telephony = createAriTelephony({
      ...ari,
      app: `dialer-test-${name}`,
      engineId,
      restTimeoutMs: 3000,
      trunks: { 'sim-trunk': { callsPerSecond: 5, maxChannels: 20 } },
    });
    const rings: Running['rings'] = [];
    const port = new Proxy(telephony, {
      get(target, property) {
        if (property === 'loginAgent') {
          return (request: Parameters<TelephonyPort['loginAgent']>[0]) => {
            rings.push({ agentId: request.agentId, at: Date.now() });
            return target.loginAgent(request);
          };
        }
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const engine = await main(
      { database: handle, telephony: port, clock, logger: silentLogger(), engineId },
      [campaign.id],
      { leaseSeconds: 60 },
    );
    return { db, engine, engineId, campaignId: campaign.id, rings, agents };
  }

  it('Asterisk stopped for 30 s: agents kept, phones rung again with backoff once ARI is back, cut calls finalized, dialing resumes without anyone logging in', async () => {
    running = await startCampaign('outage');
    const { db, campaignId, rings } = running;
    await until('a call with an agent', 60_000, async () =>
      (await attempts(db, campaignId)).some((a) => a.connected_at !== null && a.finalized_at === null),
    );
    const before = await attempts(db, campaignId);
    const stoppedAt = Date.now();
    await stopAsterisk();
    await until('Asterisk to stop', 20_000, async () => !(await ariAnswers()));
    await sleep(30_000);
    const ringsWhileDown = rings.filter((r) => r.at >= stoppedAt);
    await startAsterisk();
    await until('ARI to answer again', 60_000, ariAnswers);
    const startedAt = Date.now();

    await until('a call with an agent after the restart', 120_000, async () =>
      (await attempts(db, campaignId)).some(
        (a) => a.queued_at.getTime() >= startedAt && a.connected_at !== null,
      ),
    );
    const sessions = await db
      .selectFrom('agent_sessions')
      .select(['agent_id', 'ended_at'])
      .where('campaign_id', '=', campaignId)
      .execute();
    expect(sessions).toHaveLength(2);
    expect(sessions.filter((s) => s.ended_at !== null)).toEqual([]);
    const cut = before.filter((a) => a.finalized_at === null).map((a) => a.id);
    expect(cut.length).toBeGreaterThan(0);
    await until('the cut calls to be finalized', 30_000, async () =>
      (await attempts(db, campaignId)).every((a) => !cut.includes(a.id) || a.finalized_at !== null),
    );
    // Backoff, not a storm (issue #11 saw 154 rings in 10 s): at most 6 tries per phone in 30 s,
    // further and further apart.
    for (const agentId of new Set(ringsWhileDown.map((r) => r.agentId))) {
      const times = ringsWhileDown.filter((r) => r.agentId === agentId).map((r) => r.at);
      expect(times.length).toBeLessThanOrEqual(6);
    }
    expect(ringsWhileDown.length).toBeGreaterThan(0);
  }, 300_000);

  it('SIGTERM with live calls: the calls end, agent sessions are closed or handed over in wrap-up, every lease is released, no channel of the engine is left', async () => {
    running = await startCampaign('sigterm');
    const { db, campaignId, engineId, engine, agents } = running;
    await until('two calls under way, one with an agent', 60_000, async () => {
      const open = (await attempts(db, campaignId)).filter((a) => a.finalized_at === null);
      return open.length >= 2 && open.some((a) => a.connected_at !== null);
    });
    // What `dialer run` does on SIGTERM (scripts/cli/commands/run.ts): engine.stop().
    agents.stop();
    await engine.stop();

    expect((await attempts(db, campaignId)).filter((a) => a.finalized_at === null)).toEqual([]);
    const held = await db
      .selectFrom('contacts')
      .select(['id', 'status', 'lease_owner'])
      .where('campaign_id', '=', campaignId)
      .where((eb) => eb.or([eb('status', '=', 'in_progress'), eb('lease_owner', '=', engineId)]))
      .execute();
    expect(held).toEqual([]);
    const open = await db
      .selectFrom('agent_sessions')
      .select(['agent_id', 'state'])
      .where('campaign_id', '=', campaignId)
      .where('ended_at', 'is', null)
      .execute();
    expect(open.filter((s) => s.state !== 'wrap_up')).toEqual([]);
    const channels = (await (
      await fetch(`${ari.url}/ari/channels`, { headers: { authorization: basic } })
    ).json()) as Array<{ id: string }>;
    expect(channels.filter((c) => c.id.startsWith(engineTag(engineId)))).toEqual([]);
  }, 300_000);
});
