/**
 * `npm run bench:serve [-- --agents 500 --feeds 200 --seconds 30]`
 *
 * `dialer serve`'s engine and API under load, on the embedded database (or DATABASE_URL): the ARI
 * simulator in its own process (everybody answers after 2-6 s and talks 15-40 s), one
 * progressive campaign with `--agents` simulated agents (so about that many calls in flight),
 * the engine and the HTTP API in this process, as `dialer serve` runs them.
 *
 * Two phases of `--seconds` each, once the calls in flight have ramped up:
 * - reference: no API client at all;
 * - load: from a separate process (serve-load.ts), `--feeds` live-feed connections (each an
 *   agent's own channel, watched by a supervisor), one manager feed, 20 screen requests and 10
 *   bare requests a second.
 * Per phase also: the event loop's delay and the embedded database's lease (callers waiting,
 * leases a second, busy share), and in the load phase the server-side time of each request.
 * Figures: the engine's answer → bridge latency (dial log: connected_at − answered_at of the calls
 * bridged in the phase) p50/p99/max in each phase; the feed's delay from an agent's state change
 * (the session's state_since, written by the engine) to the client reading it; and, as the
 * reference for that delay in the same run, the round trip of a bare authenticated request
 * (GET /api/session) during the load phase.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { campaignDefinitionSchema } from '../../campaigns/campaign-definition.ts';
import { openDatabase } from '../../db/connect.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { insertCampaign } from '../../db/queries/campaigns.ts';
import { addUser, bootstrapAdmin } from '../../db/queries/users.ts';
import { generateToken, hashToken } from '../../engine/access/tokens.ts';
import { createAgentService } from '../../engine/agents/agent-service.ts';
import { loadConfig } from '../../engine/platform/config.ts';
import { createLogger } from '../../engine/platform/logger.ts';
import { systemEngineClock } from '../../engine/runner/engine-clock.ts';
import { createAriTelephony } from '../../engine/telephony/index.ts';
import { ensureSimulatedAgents, SimulatedAgents } from '../demo/simulated-agents.ts';
import { startServe } from '../serve/start-serve.ts';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '500' },
    feeds: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '30' },
    'ramp-seconds': { type: 'string', default: '120' },
  },
});
const AGENTS = Number(values.agents);
const FEEDS = Math.min(Number(values.feeds), AGENTS);
const PHASE_MS = Number(values.seconds) * 1000;
const RAMP_MS = Number(values['ramp-seconds']) * 1000;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}
function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const f = (n: number) => Math.round(n * 10) / 10;
  return {
    n: sorted.length,
    p50: f(percentile(sorted, 50)),
    p99: f(percentile(sorted, 99)),
    max: f(sorted.at(-1) ?? Number.NaN),
  };
}

/** A zone where it is now between 09:00 and 19:00 (the gate allows 08:00-21:00 local). */
function zoneWithinHours(): string {
  const zones = [
    'America/New_York',
    'Europe/London',
    'Asia/Shanghai',
    'Asia/Tokyo',
    'America/Los_Angeles',
    'Australia/Sydney',
    'Asia/Kolkata',
    'Europe/Berlin',
  ];
  return (
    zones.find((z) => {
      const h = DateTime.now().setZone(z).hour;
      return h >= 9 && h < 19;
    }) ?? 'Asia/Shanghai'
  );
}

async function startSimProcess(
  dir: string,
): Promise<{ url: string; username: string; password: string; app: string; stop(): Promise<void> }> {
  const scenario = join(dir, 'scenario.json');
  writeFileSync(
    scenario,
    JSON.stringify({
      agents: { answerDelayMs: 200 },
      callees: {
        mode: 'distribution',
        distribution: {
          answer: 1,
          machine: 0,
          busy: 0,
          noAnswer: 0,
          congestion: 0,
          invalid: 0,
          rejected: 0,
          ringMs: { min: 2000, max: 6000 },
          talkMs: { min: 15_000, max: 40_000 },
          calleeHangsUp: 1,
        },
      },
    }),
  );
  const child = spawn(
    process.execPath,
    [
      'bin/dialer.js',
      '--json',
      '--data-dir',
      join(dir, 'sim-data'),
      'sim-asterisk',
      '--port',
      '0',
      '--scenario',
      scenario,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LOG_LEVEL: 'warn' } },
  );
  const started = await new Promise<{ url: string; username: string; password: string; app: string }>(
    (resolve, reject) => {
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
        if (text.includes('\n'))
          resolve(JSON.parse(text) as { url: string; username: string; password: string; app: string });
      });
      child.once('exit', (code) => reject(new Error(`sim-asterisk exited with ${code}`)));
    },
  );
  return {
    ...started,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      }),
  };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-serve-'));
  const logger = createLogger({ level: 'warn' });
  const config = loadConfig({ env: { ...process.env, DIALER_DATA_DIR: join(dir, 'data') } });
  const handle = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    maxConnections: config.databasePoolSize,
    logger,
  });
  const sim = await startSimProcess(dir);
  const clock = systemEngineClock();
  try {
    await migrateToLatest(handle.db);
    const supervisorToken = generateToken();
    const day = new Date(Date.now() + 86_400_000);
    await bootstrapAdmin(handle.db, `bench-admin-${process.pid}`, {
      tokenHash: hashToken(generateToken()),
      expiresAt: day,
      name: 'bench',
    }).catch(() => {});
    const supervisor = `bench-manager-${process.pid}`;
    await addUser(handle.db, {
      name: supervisor,
      role: 'manager',
      actor: { name: 'bench', role: 'admin' },
      token: { tokenHash: hashToken(supervisorToken), expiresAt: day, name: 'bench' },
    });
    const zone = zoneWithinHours();
    const definition = campaignDefinitionSchema.parse({
      name: `bench serve ${process.pid}`,
      client: 'bench-client',
      clientName: 'Bench',
      type: 'collections',
      mode: 'progressive',
      jurisdiction: 'OTHER',
      defaultTimeZone: zone,
      wrapUpSeconds: 120,
      dialing: { callerId: '+12125550100', endpointTemplate: 'PJSIP/{number}@carrier' },
      callingWindow: {
        days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
        start: '00:00',
        end: '23:59',
      },
    });
    const campaign = await insertCampaign(handle.db, definition, supervisor);
    await handle.db
      .insertInto('national_dnc_syncs')
      .values({ synced_at: new Date(), source: 'bench', numbers: 0, replaced: true })
      .execute();
    const contacts = AGENTS * 4;
    for (let i = 0; i < contacts; i += 1000) {
      await handle.db
        .insertInto('contacts')
        .values(
          Array.from({ length: Math.min(1000, contacts - i) }, (_, k) => ({
            campaign_id: campaign.id,
            phone_e164: `+1212${String(i + k).padStart(6, '0')}5`,
            time_zone: zone,
            next_attempt_at: new Date(Date.now() - 60_000),
          })),
        )
        .execute();
    }
    await handle.db
      .updateTable('campaigns')
      .set({ status: 'running' })
      .where('id', '=', campaign.id)
      .execute();
    const codes = await ensureSimulatedAgents(handle.db, AGENTS, `bench-${process.pid}`);
    const telephony = createAriTelephony({
      url: sim.url,
      username: sim.username,
      password: sim.password,
      app: sim.app,
      logger: logger.child({ part: 'telephony' }),
      clock,
      defaultTrunkLimit: { callsPerSecond: 200, maxChannels: AGENTS * 3 },
    });
    const serving = await startServe(
      { handle, config, logger, clock, telephony, engine: { tickMs: 50 } },
      { host: '127.0.0.1', port: 0 },
    );
    const agentService = createAgentService({ db: handle.db, clock });
    const simulated = new SimulatedAgents({
      db: handle.db,
      agents: agentService,
      clock,
      logger,
      campaignId: campaign.id,
      definition,
      wrapUpSeconds: [1, 3],
      onTagged: () => serving.host?.poke(),
    });
    simulated.start(200);
    // Agents log in a few at a time, as a shift does: hundreds of phones rung in the same
    // instant only measure how the simulator copes with a burst of originates.
    const readyAgents = async () =>
      Number(
        (
          await handle.db
            .selectFrom('agent_sessions')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('campaign_id', '=', campaign.id)
            .where('ended_at', 'is', null)
            .where('state', '!=', 'logging_in')
            .executeTakeFirstOrThrow()
        ).n,
      );
    for (let i = 0; i < codes.length; i += 25) {
      await simulated.login(codes.slice(i, i + 25));
      const wanted = Math.min(codes.length, i + 25);
      const until = Date.now() + 10_000;
      while (Date.now() < until && (await readyAgents()) < wanted * 0.9)
        await new Promise((r) => setTimeout(r, 250));
    }
    const inFlight = () => serving.host?.snapshots()[0]?.inFlight ?? 0;

    process.stderr.write(
      `bench serve: ${AGENTS} agents, ${FEEDS} feeds, database ${handle.kind}; ramping up…\n`,
    );
    const rampEnd = Date.now() + RAMP_MS;
    while (Date.now() < rampEnd && inFlight() < AGENTS * 0.9) await new Promise((r) => setTimeout(r, 1000));
    const rampedTo = inFlight();

    const bridgeLatencies = async (from: Date, to: Date) => {
      const rows = await handle.db
        .selectFrom('call_attempts')
        .select(['answered_at', 'connected_at'])
        .where('campaign_id', '=', campaign.id)
        .where('connected_at', '>=', from)
        .where('connected_at', '<', to)
        .execute();
      return rows
        .filter((r) => r.answered_at && r.connected_at)
        .map((r) => r.connected_at!.getTime() - r.answered_at!.getTime());
    };
    const inFlightSamples: number[] = [];
    const waitingSamples: number[] = [];
    // PostgreSQL: queries waiting for one of the pool's connections (DIALER_DB_POOL_SIZE).
    const poolWaitingSamples: number[] = [];
    const sampler = setInterval(() => {
      inFlightSamples.push(inFlight());
      if (handle.lease) waitingSamples.push(handle.lease.waiting);
      if (handle.pool) poolWaitingSamples.push(handle.pool.waitingCount);
    }, 1000);
    // Where the time goes: the event loop's delay, and how the embedded database's one
    // connection is shared (callers waiting, leases a second, share of the phase it was held).
    const loop = monitorEventLoopDelay({ resolution: 10 });
    const phaseProbe = () => {
      loop.reset();
      loop.enable();
      const start = handle.lease ? { ...handle.lease } : undefined;
      const t0 = performance.now();
      return () => {
        loop.disable();
        const ms = performance.now() - t0;
        const l = handle.lease;
        const lease =
          l && start
            ? {
                perSecond: Math.round(((l.leases - start.leases) * 1000) / ms),
                busyPercent: Math.round(((l.heldMs - start.heldMs) * 100) / ms),
                meanWaitMs: Math.round((l.waitedMs - start.waitedMs) / Math.max(1, l.leases - start.leases)),
                meanHeldMs:
                  Math.round(((l.heldMs - start.heldMs) / Math.max(1, l.leases - start.leases)) * 100) / 100,
                waiting: stats(waitingSamples.splice(0)),
              }
            : null;
        return {
          eventLoopDelayMs: {
            p50: Math.round(loop.percentile(50) / 1e5) / 10,
            p99: Math.round(loop.percentile(99) / 1e5) / 10,
            max: Math.round(loop.max / 1e5) / 10,
          },
          databaseLease: lease,
          ...(handle.pool
            ? { pool: { size: config.databasePoolSize, waiting: stats(poolWaitingSamples.splice(0)) } }
            : {}),
        };
      };
    };

    // Phase 1: the engine alone.
    const aStart = new Date();
    const endA = phaseProbe();
    await new Promise((r) => setTimeout(r, PHASE_MS));
    const aEnd = new Date();
    const probeA = endA();
    const inFlightA = stats(inFlightSamples.splice(0));

    // Phase 2: the same engine with the API under load, generated by a child process so that the
    // clients' own work does not run on the event loop being measured. The server side of each
    // plain request (received → response finished) is timed here: against the client's round
    // trip it tells the time spent in this process from the time spent getting to it.
    const serverMs: number[] = [];
    const onRequest = (req: { url?: string }, res: NodeJS.EventEmitter) => {
      if (req.url?.startsWith('/api/events')) return;
      const t = performance.now();
      res.once('finish', () => serverMs.push(performance.now() - t));
    };
    serving.api.server.on('request', onRequest);
    const loadChild = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/bench/serve-load.ts',
        JSON.stringify({ url: serving.url, token: supervisorToken, codes, feeds: FEEDS, ms: PHASE_MS }),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let loadOut = '';
    loadChild.stdout.on('data', (c: Buffer) => {
      loadOut += c.toString('utf8');
    });
    const loadDone = new Promise<void>((resolve) => loadChild.once('exit', () => resolve()));
    // The child needs a moment to start (tsx): the phase begins when its first request arrives.
    await new Promise<void>((resolve) => serving.api.server.once('request', () => resolve()));
    const bStart = new Date();
    const endB = phaseProbe();
    // Feeds open in the middle of the phase (the child closes them when its own time is up).
    let listeners = serving.feed.listeners;
    setTimeout(() => {
      listeners = serving.feed.listeners;
    }, PHASE_MS / 2).unref();
    await new Promise((r) => setTimeout(r, PHASE_MS));
    const bEnd = new Date();
    const probeB = endB();
    await loadDone;
    serving.api.server.off('request', onRequest);
    clearInterval(sampler);
    const inFlightB = stats(inFlightSamples.splice(0));
    const loadResult = JSON.parse(loadOut) as {
      feedDelays: number[];
      screen: number[];
      reference: number[];
      requests: number;
      failures: Record<string, number>;
      feedsConnected: number;
    };
    const feedDelays = loadResult.feedDelays;
    const screenLatency = loadResult.screen;
    const reference = loadResult.reference;
    const requests = loadResult.requests;
    const failures = new Map(Object.entries(loadResult.failures));

    const result = {
      database: handle.kind,
      agents: AGENTS,
      agentsLoggedIn: await readyAgents(),
      rampedTo,
      phaseSeconds: PHASE_MS / 1000,
      reference: {
        inFlight: inFlightA,
        answerToBridgeMs: stats(await bridgeLatencies(aStart, aEnd)),
        ...probeA,
      },
      withApiLoad: {
        feedConnections: listeners,
        inFlight: inFlightB,
        answerToBridgeMs: stats(await bridgeLatencies(bStart, bEnd)),
        feedDelayMs: stats(feedDelays),
        screenRequestMs: stats(screenLatency),
        screenRequestsSent: requests,
        serverSideMs: stats(serverMs),
        feedsConnectedByClient: loadResult.feedsConnected,
        requestFailures: Object.fromEntries(failures),
        ...probeB,
      },
      referenceHttpRoundTripMs: stats(reference),
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    const r = result;
    process.stdout.write(
      [
        `answer→bridge p99: ${r.reference.answerToBridgeMs.p99} ms without the API (n=${r.reference.answerToBridgeMs.n}), ${r.withApiLoad.answerToBridgeMs.p99} ms with ${r.withApiLoad.feedConnections.agents} agent feeds + ${r.withApiLoad.feedConnections.managers} manager feed + 20 req/s (n=${r.withApiLoad.answerToBridgeMs.n})`,
        `calls in flight: p50 ${r.reference.inFlight.p50} / ${r.withApiLoad.inFlight.p50}`,
        `feed delay state change→client: p50 ${r.withApiLoad.feedDelayMs.p50} ms, p99 ${r.withApiLoad.feedDelayMs.p99} ms (n=${r.withApiLoad.feedDelayMs.n}); reference, a bare API round trip in the same run: p50 ${r.referenceHttpRoundTripMs.p50} ms, p99 ${r.referenceHttpRoundTripMs.p99} ms`,
        '',
      ].join('\n'),
    );
    simulated.stop();
    await serving.stop();
  } finally {
    await sim.stop();
    await handle.close();
    logger.flush();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
