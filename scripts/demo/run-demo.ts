import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { type CampaignDefinition, campaignDefinitionSchema } from '../../campaigns/campaign-definition.ts';
import type { DatabaseHandle } from '../../db/connect.ts';
import { findCampaignByName, insertCampaign, setCampaignStatus } from '../../db/queries/campaigns.ts';
import { outcomeCounts } from '../../db/queries/outcomes.ts';
import { createAgentService } from '../../engine/agents/agent-service.ts';
import { main } from '../../engine/main.ts';
import type { Logger } from '../../engine/platform/logger.ts';
import { ensurePrivateDir } from '../../engine/platform/private-files.ts';
import type { RunnerSnapshot } from '../../engine/runner/campaign-runner.ts';
import { manualEngineClock } from '../../engine/runner/engine-clock.ts';
import { createAriTelephony } from '../../engine/telephony/ari/ari-telephony.ts';
import { startAriSimulator } from '../../engine/telephony/simulator/start-ari-simulator.ts';
import { demoEpoch } from './demo-clock.ts';
import { lockstep } from './lockstep.ts';
import { ensureSimulatedAgents, SimulatedAgents } from './simulated-agents.ts';

export const DEMO_DIR = join(import.meta.dirname, '../../campaigns/examples/demo');

export interface DemoOptions {
  handle: DatabaseHandle;
  /** The user the demo acts as, for the audit log (default `demo-manager`). */
  actor?: string;
  logger: Logger;
  /**
   * Simulated seconds per real second at most. Simulated time never runs ahead of the engine:
   * on a loaded machine it goes slower instead, so the figures stay those of a quiet one.
   */
  speed?: number;
  /** No speed ceiling: simulated time moves on as fast as the engine settles (tests). */
  unpaced?: boolean;
  agents?: number;
  /** Contacts to load from the sample list (at most its 1000 rows). */
  contacts?: number;
  /** Stop after this many real seconds even if contacts remain due. */
  maxWallSeconds?: number;
  /** Stop after this many simulated minutes even if contacts remain due (same moment on any machine). */
  maxSimulatedMinutes?: number;
  seed?: number;
  /** Where the list import archives the received file. */
  archiveRoot: string;
  onProgress?: (snapshot: RunnerSnapshot, elapsedSeconds: number, simulatedSeconds: number) => void;
  /** Changes to the sample campaign file (tests: other retry delays, another mode). */
  overrides?: Record<string, unknown>;
  /** Loads the contacts; default: the real list import of the sample CSV. */
  loadContacts?: (campaignId: number, count: number) => Promise<number>;
}

export interface DemoSummary {
  campaignId: number;
  campaign: string;
  database: string;
  wallSeconds: number;
  simulatedMinutes: number;
  simulatedStart: string;
  speed: number;
  agents: number;
  contacts: { total: number; byStatus: Record<string, number> };
  dialLog: {
    attempts: number;
    finalized: number;
    open: number;
    answered: number;
    humanAnswered: number;
    connected: number;
    abandoned: number;
    machines: number;
    /**
     * Answered by Asterisk, hung up while machine detection listened: the engine never heard a
     * verdict, so the row has no answered_at, but its result is `answered` (a person or machine
     * took the call). Counted among the answered so that the lines add up.
     */
    hungUpInMachineDetection: number;
    byResult: Record<string, number>;
  };
  abandonmentRate: number;
  abandonmentCap: number;
  /** The abandonment rate is above the campaign's cap (a compliance breach). */
  abandonmentOverCap: boolean;
  answerRate: number;
  occupancy: number;
  outcomes: Record<string, number>;
  alarms: { kind: string; message: string }[];
  recovery: unknown;
  /** True when the campaign ran out of contacts due now; false when the time limit stopped it. */
  finished: boolean;
  simulatedEnd: string;
  /** Calls the engine counted as launched (compared with the dial log by the tests). */
  dialedByEngine: number;
  /**
   * How simulated time was driven: steps taken once the engine had settled, steps forced after
   * a stall (should stay 0), and the pace reached (simulated seconds per real second).
   */
  time: { steps: number; stalls: number; pace: number };
}

/**
 * The end-to-end demo: the embedded (or given) database, the in-process ARI simulator in
 * accelerated time, the real ARI adapter over sockets, the real list import, simulated agents
 * who tag outcomes, and the engine's `main()` running a predictive campaign.
 */
export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const { handle, logger } = options;
  const speed = options.speed ?? 20;
  const seed = options.seed ?? 1;
  let realStart = Date.now();
  // One manual time for the engine and the simulated Asterisk, moved on by lockstep below.
  const clock = manualEngineClock(demoEpoch(new Date()).getTime(), { speed });
  const simulatedStart = clock.now();
  const sim = await startAriSimulator({
    port: 0,
    clock: { shared: clock },
    seed,
    agents: { answerDelayMs: 500 },
  });
  const telephony = createAriTelephony({
    url: sim.url,
    username: sim.username,
    password: sim.password,
    app: sim.app,
    logger: logger.child({ part: 'telephony' }),
    clock,
    defaultTrunkLimit: { callsPerSecond: 200, maxChannels: 500 },
  });
  let time: ReturnType<typeof lockstep> | undefined;
  try {
    const actor = options.actor ?? 'demo-manager';
    const { campaignId, definition } = await createDemoCampaign(
      handle,
      actor,
      simulatedStart,
      options.overrides ?? {},
    );
    const load =
      options.loadContacts ??
      ((id: number, count: number) =>
        importSample(handle, logger, clock, id, options.archiveRoot, count, actor));
    await load(campaignId, options.contacts ?? 1000);
    const agentService = createAgentService({ db: handle.db, clock });
    const codes = await ensureSimulatedAgents(handle.db, options.agents ?? 10);
    // The campaign starts now: the wall-clock budget and the pace count from here.
    realStart = Date.now();
    time = lockstep({ clock, telephony, simulator: sim }, options.unpaced ? {} : { maxSpeed: speed });
    const engine = await clock.hold(
      main({ database: handle, telephony, clock, logger }, [campaignId], {
        tickMs: 50,
        stopWhenDone: true,
        leaseSeconds: 600,
        alarmCheckSeconds: 120,
      }),
    );
    const runner = engine.runners[0]!;
    const simulated = new SimulatedAgents({
      db: handle.db,
      agents: agentService,
      clock,
      logger,
      campaignId,
      definition,
      seed,
      onTagged: () => runner.poke(),
    });
    await clock.hold(simulated.login(codes));
    simulated.start(100);
    const simulatedSeconds = () => (clock.now().getTime() - simulatedStart.getTime()) / 1000;
    const progress = setInterval(
      () => options.onProgress?.(runner.snapshot(), (Date.now() - realStart) / 1000, simulatedSeconds()),
      500,
    );
    const deadline = new Promise<void>((resolve) => {
      setTimeout(resolve, (options.maxWallSeconds ?? 60) * 1000).unref();
      if (options.maxSimulatedMinutes !== undefined)
        clock.after(options.maxSimulatedMinutes * 60_000, resolve);
    });
    const finished = await Promise.race([engine.finished.then(() => true), deadline.then(() => false)]);
    await engine.stop();
    await simulated.finishWrapUps(5000);
    simulated.stop();
    await time.stop();
    clearInterval(progress);
    for (const code of codes) await agentService.logout(code).catch(() => {});
    const snapshot = runner.snapshot();
    const wallSeconds = (Date.now() - realStart) / 1000;
    options.onProgress?.(snapshot, wallSeconds, simulatedSeconds());
    return await summarize(handle, campaignId, definition, {
      wallSeconds,
      simulatedMinutes: (clock.now().getTime() - simulatedStart.getTime()) / 60_000,
      simulatedStart: simulatedStart.toISOString(),
      speed,
      agents: codes.length,
      occupancy: snapshot.occupancy,
      recovery: { ...runner.recovery, passes: runner.passes },
      finished,
      simulatedEnd: clock.now().toISOString(),
      dialedByEngine: snapshot.counters.dialed,
      time: {
        steps: time.steps,
        stalls: time.stalls,
        pace: wallSeconds > 0 ? simulatedSeconds() / wallSeconds : 0,
      },
    });
  } finally {
    await time?.stop();
    await telephony.stop().catch(() => {});
    await sim.stop();
  }
}

export async function createDemoCampaign(
  handle: DatabaseHandle,
  actor: string,
  now: Date,
  overrides: Record<string, unknown>,
) {
  const { readCampaignFile } = await import('../cli/commands/campaign.ts');
  const file = readCampaignFile(join(DEMO_DIR, 'demo-campaign.json'));
  let name = file.name;
  for (let n = 2; await findCampaignByName(handle.db, name); n += 1) name = `${file.name} #${n}`;
  const definition: CampaignDefinition = campaignDefinitionSchema.parse({ ...file, ...overrides, name });
  const row = await insertCampaign(handle.db, definition, actor);
  // The demo has no registry file to load; an empty copy stands for it, dated by the demo clock.
  await handle.db
    .insertInto('national_dnc_syncs')
    .values({ synced_at: now, source: 'demo: empty registry', numbers: 0, replaced: true })
    .execute();
  await setCampaignStatus(handle.db, row.id, 'running', actor);
  return { campaignId: row.id, definition };
}

export async function importSample(
  handle: DatabaseHandle,
  logger: Logger,
  clock: { now(): Date },
  campaignId: number,
  archiveRoot: string,
  count: number,
  actor: string,
): Promise<number> {
  const { importList } = await import('../../campaigns/import/import-list.ts');
  ensurePrivateDir(archiveRoot);
  let file = join(DEMO_DIR, 'demo-contacts.csv');
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  let shortList: string | undefined;
  if (count < lines.length - 1) {
    // A shorter list is the sample's first rows, received as its own file (the import keeps its
    // own copy in the archive, so this one goes once imported).
    shortList = mkdtempSync(join(tmpdir(), 'dialer-demo-list-'));
    file = join(shortList, `demo-contacts-${count}.csv`);
    writeFileSync(file, `${lines.slice(0, count + 1).join('\n')}\n`);
  }
  try {
    const result = await importList(
      {
        campaignId,
        file,
        sourceRef: 'demo sample list',
        receivedBy: actor,
        archiveRoot,
        force: true,
      },
      { handle, clock, logger, actor },
    );
    return result.imported;
  } finally {
    if (shortList) rmSync(shortList, { recursive: true, force: true });
  }
}

async function summarize(
  handle: DatabaseHandle,
  campaignId: number,
  definition: CampaignDefinition,
  run: Pick<
    DemoSummary,
    | 'wallSeconds'
    | 'simulatedMinutes'
    | 'simulatedStart'
    | 'speed'
    | 'agents'
    | 'occupancy'
    | 'recovery'
    | 'finished'
    | 'simulatedEnd'
    | 'dialedByEngine'
    | 'time'
  >,
): Promise<DemoSummary> {
  const { db } = handle;
  const statusRows = await db
    .selectFrom('contacts')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('campaign_id', '=', campaignId)
    .groupBy('status')
    .execute();
  const byStatus = Object.fromEntries(statusRows.map((r) => [r.status, Number(r.n)]));
  const log = (
    await sql<Record<string, number>>`
      select count(*) as attempts, count(finalized_at) as finalized,
             count(*) filter (where finalized_at is null) as open,
             count(answered_at) as answered,
             count(*) filter (where abandoned or connected_at is not null or (answered_at is not null and coalesce(amd_result, '') not like 'MACHINE%')) as human,
             count(connected_at) as connected,
             count(*) filter (where abandoned) as abandoned,
             count(*) filter (where amd_result like 'MACHINE%') as machines,
             count(*) filter (where answered_at is null and result = 'answered') as in_amd
      from call_attempts where campaign_id = ${campaignId}`.execute(db)
  ).rows[0]!;
  const resultRows = await db
    .selectFrom('call_attempts')
    .select(['result', (eb) => eb.fn.countAll<number>().as('n')])
    .where('campaign_id', '=', campaignId)
    .groupBy('result')
    .execute();
  const alarms = await db
    .selectFrom('alarms')
    .select(['kind', 'message'])
    .where('campaign_id', '=', campaignId)
    .orderBy('id')
    .execute();
  const human = Number(log.human);
  const attempts = Number(log.attempts);
  const answered = Number(log.answered) + Number(log.in_amd);
  const abandonmentRate = human > 0 ? Number(log.abandoned) / human : 0;
  return {
    campaignId,
    campaign: definition.name,
    database: handle.location,
    ...run,
    contacts: { total: Object.values(byStatus).reduce((a, b) => a + b, 0), byStatus },
    dialLog: {
      attempts,
      finalized: Number(log.finalized),
      open: Number(log.open),
      answered,
      humanAnswered: human,
      connected: Number(log.connected),
      abandoned: Number(log.abandoned),
      machines: Number(log.machines),
      hungUpInMachineDetection: Number(log.in_amd),
      byResult: Object.fromEntries(resultRows.map((r) => [r.result ?? 'open', Number(r.n)])),
    },
    abandonmentRate,
    abandonmentCap: definition.abandon.maxRate,
    abandonmentOverCap: abandonmentRate > definition.abandon.maxRate,
    answerRate: attempts > 0 ? answered / attempts : 0,
    outcomes: await outcomeCounts(db, campaignId),
    alarms,
  };
}
