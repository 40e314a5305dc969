import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { loadPacingStatistics } from '../../db/queries/pacing-statistics.ts';
import type { Database } from '../../db/schema.ts';
import { createAgentService } from '../../engine/agents/agent-service.ts';
import { main } from '../../engine/main.ts';
import { restoreStatistics } from '../../engine/pacing/saved-statistics.ts';
import { silentLogger } from '../../engine/platform/logger.ts';
import { runDemo } from '../../scripts/demo/run-demo.ts';
import { ensureSimulatedAgents, SimulatedAgents } from '../../scripts/demo/simulated-agents.ts';
import { createTestDatabase, testDatabaseKinds } from '../support/database.ts';
import { count, expectNoAgentHoldingACall } from './crash-invariants.ts';
import { addContacts, longRetries, runningCampaign } from './fixtures.ts';
import { simulatedTelephony } from './simulated-telephony.ts';

/** Long retry delays: after one sweep of the list every contact is final or scheduled. */
const oneSweep = { attempts: longRetries };

/**
 * What holds after any run, however fast or slow the machine: every contact final or waiting
 * for a retry scheduled after `end`; every dial-log row final with exactly one outcome; the
 * engine's count and the contacts' attempt counters equal to the dial log; no contact in two
 * calls at once; no agent left reserved, on a call or in wrap-up.
 */
async function expectRunInvariants(
  db: Kysely<Database>,
  run: { campaignId: number; end: Date; dialedByEngine: number },
): Promise<void> {
  const { campaignId, end } = run;
  expect(
    await count(
      db,
      sql`select count(*) as n from contacts where campaign_id = ${campaignId}
        and (status = 'in_progress' or (status = 'ready' and next_attempt_at <= ${end}))`,
    ),
  ).toBe(0);
  const attempts = await count(
    db,
    sql`select count(*) as n from call_attempts where campaign_id = ${campaignId}`,
  );
  expect(attempts).toBeGreaterThan(0);
  expect(
    await count(
      db,
      sql`select count(*) as n from call_attempts where campaign_id = ${campaignId} and finalized_at is null`,
    ),
  ).toBe(0);
  expect(
    await count(
      db,
      sql`select count(distinct o.attempt_id) as n from outcomes o join call_attempts a on a.id = o.attempt_id
        where a.campaign_id = ${campaignId}`,
    ),
  ).toBe(attempts);
  expect(
    await count(
      db,
      sql`select count(*) as n from outcomes o join call_attempts a on a.id = o.attempt_id
        where a.campaign_id = ${campaignId}`,
    ),
  ).toBe(attempts);
  expect(run.dialedByEngine).toBe(attempts);
  expect(
    await count(
      db,
      sql`select coalesce(sum(attempts), 0) as n from contacts where campaign_id = ${campaignId}`,
    ),
  ).toBe(attempts);
  expect(
    await count(
      db,
      sql`select count(*) as n from call_attempts a join call_attempts b
        on a.contact_id = b.contact_id and a.id < b.id
        where a.campaign_id = ${campaignId} and b.queued_at < a.ended_at`,
    ),
  ).toBe(0);
  await expectNoAgentHoldingACall(db, campaignId);
}

/**
 * Every contact is dialed once (long retries), so the run's cost grows with the list: 250
 * contacts still take the pacer well past its predictive threshold (20 answered) with about
 * 160 people answering, enough for the connect and abandonment figures below.
 */
const CONTACTS = 250;

describe.each(testDatabaseKinds)('a predictive campaign end to end over the ARI simulator [%s]', (kind) => {
  it('on engine time moved in lockstep: works a list of 250 contacts with 10 agents, connects more than a third of them and abandons no more than the cap allows', async () => {
    const handle = await createTestDatabase(kind, { maxConnections: 10 });
    try {
      const summary = await runDemo({
        handle,
        logger: silentLogger(),
        speed: 30,
        unpaced: true,
        agents: 10,
        contacts: CONTACTS,
        // Real time only bounds a hang: on engine time the run is the same however slow.
        maxWallSeconds: 1200,
        seed: 3,
        overrides: oneSweep,
        archiveRoot: mkdtempSync(join(tmpdir(), 'dialer-e2e-archive-')),
      });
      expect(summary.finished).toBe(true);
      expect(summary.contacts.total).toBe(CONTACTS);
      await expectRunInvariants(handle.db, {
        campaignId: summary.campaignId,
        end: new Date(summary.simulatedEnd),
        dialedByEngine: summary.dialedByEngine,
      });
      const outcomeTotal = Object.values(summary.outcomes).reduce((a, b) => a + b, 0);
      expect(outcomeTotal).toBe(summary.dialLog.attempts);
      // Rates: engine latency costs no simulated time here, so these are the pacer's own figures.
      expect(summary.dialLog.connected).toBeGreaterThan(CONTACTS * 0.35);
      expect(summary.abandonmentRate).toBeLessThanOrEqual(summary.abandonmentCap);
      expect(summary.abandonmentOverCap).toBe(false);
      // The pacer's statistics were kept with the campaign at the stop: the next start is warm.
      const saved = await loadPacingStatistics(handle.db, summary.campaignId);
      const warm = restoreStatistics(saved?.statistics);
      expect(warm.warm).toBe(true);
      expect(warm.stats.totals.routed).toBeGreaterThan(CONTACTS * 0.35);
      expect(warm.stats.totals.attempts).toBeLessThanOrEqual(summary.dialLog.attempts);
    } finally {
      await handle.close();
    }
  }, 1_300_000);
});

describe.each(testDatabaseKinds)('a predictive campaign on accelerated real time (smoke) [%s]', (kind) => {
  const SPEED = 30;
  // Invariants only, which hold for any length of list: a short one keeps the real-time run short.
  const SMOKE_CONTACTS = 75;

  it('ends with every contact final or scheduled, the counts equal to the dial log, nobody dialed twice at once and no agent stuck', async () => {
    const handle = await createTestDatabase(kind, { maxConnections: 10 });
    const { db } = handle;
    const simulated = await simulatedTelephony(SPEED);
    const { clock, telephony } = simulated;
    try {
      const { campaign, definition } = await runningCampaign(db, clock.now(), {
        mode: 'predictive',
        ...oneSweep,
      });
      await addContacts(db, campaign.id, SMOKE_CONTACTS, {
        nextAttemptAt: new Date(clock.now().getTime() - 60_000),
      });
      const agentService = createAgentService({ db, clock });
      const codes = await ensureSimulatedAgents(db, 5, `smoke-${campaign.id}`);
      for (const code of codes) await agentService.login(code, campaign.id);
      const engine = await main(
        { database: handle, telephony, clock, logger: silentLogger() },
        [campaign.id],
        {
          tickMs: 50,
          stopWhenDone: true,
          leaseSeconds: 600,
        },
      );
      const agents = new SimulatedAgents({
        db,
        agents: agentService,
        clock,
        logger: silentLogger(),
        campaignId: campaign.id,
        definition,
        onTagged: () => engine.runners[0]?.poke(),
      });
      agents.start(100);
      await engine.finished;
      await engine.stop();
      await agents.finishWrapUps(30_000);
      agents.stop();
      await expectRunInvariants(db, {
        campaignId: campaign.id,
        end: clock.now(),
        dialedByEngine: engine.runners[0]?.counters.dialed ?? -1,
      });
    } finally {
      await simulated.stop();
      await handle.close();
    }
  }, 300_000);
});
