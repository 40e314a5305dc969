/**
 * Test support, not production: one process that opens an embedded (PGlite) data directory and
 * runs both the engine for one campaign and the simulated agents of that campaign.
 *
 * Why a script of its own: a PGlite data directory can be opened by one process only, so the
 * agents cannot live in the test process (as they do in the PostgreSQL crash tests) while an
 * engine holds the database, and `dialer run` has no way to host simulated agents. Everything
 * else is what `dialer run` does: the data directory is opened by `openDatabase`, the engine
 * is `main()` with the real ARI adapter (talking over sockets to the simulator in the test
 * process), the clock is the scaled engine clock, and SIGTERM drains.
 *
 * Usage: node --import tsx pglite-engine-child.ts <dataDir> <campaignId> [--until-done]
 * Environment: ARI_URL, ARI_USERNAME, ARI_PASSWORD, ARI_APP, DIALER_CLOCK_SPEED,
 * DIALER_CLOCK_EPOCH, DIALER_ENGINE_ID.
 *
 * It tells the test what it sees through the IPC channel (the test cannot read the database
 * while this process has it open): `opened` once the database is open (with the attempts a
 * previous engine left, finalized or not), `progress` every 200 ms, `done` before exiting.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import { openDatabase } from '../../db/connect.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { getCampaignDefinition } from '../../db/queries/campaigns.ts';
import { createAgentService } from '../../engine/agents/agent-service.ts';
import { main } from '../../engine/main.ts';
import { createLogger } from '../../engine/platform/logger.ts';
import { scaledEngineClock } from '../../engine/runner/engine-clock.ts';
import { createAriTelephony } from '../../engine/telephony/ari/ari-telephony.ts';
import { SimulatedAgents } from '../../scripts/demo/simulated-agents.ts';
import type { PgliteChildMessage } from './engine-process.ts';

const envSchema = z.object({
  ARI_URL: z.url(),
  ARI_USERNAME: z.string(),
  ARI_PASSWORD: z.string(),
  ARI_APP: z.string(),
  DIALER_CLOCK_SPEED: z.coerce.number().positive(),
  DIALER_CLOCK_EPOCH: z.iso.datetime(),
  DIALER_ENGINE_ID: z.string().min(1),
});

function send(message: PgliteChildMessage): void {
  process.send?.(message);
}

async function run(): Promise<void> {
  const [dataDir, campaignArg] = process.argv.slice(2);
  const untilDone = process.argv.includes('--until-done');
  const campaignId = Number(campaignArg);
  if (!dataDir || !Number.isInteger(campaignId)) {
    throw new Error('usage: pglite-engine-child.ts <dataDir> <campaignId> [--until-done]');
  }
  const env = envSchema.parse(process.env);
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });

  const handle = await openDatabase({ dataDir });
  const { db } = handle;
  await migrateToLatest(db);
  const counts = async () => {
    const row = (
      await sql<{ attempts: number; open: number }>`
        select count(*) as attempts, count(*) filter (where finalized_at is null) as open
        from call_attempts where campaign_id = ${campaignId}`.execute(db)
    ).rows[0];
    return { attempts: Number(row?.attempts ?? 0), openAttempts: Number(row?.open ?? 0) };
  };
  send({ type: 'opened', ...(await counts()) });

  // Like a restarted `dialer run`: engine time never goes back behind what the dial log holds.
  const latest = (
    await sql<{ t: Date | null }>`
      select max(greatest(queued_at, coalesce(ended_at, queued_at))) as t from call_attempts`.execute(db)
  ).rows[0]?.t;
  const epoch = Math.max(
    new Date(env.DIALER_CLOCK_EPOCH).getTime(),
    latest ? new Date(latest).getTime() + 1000 : 0,
  );
  const clock = scaledEngineClock(env.DIALER_CLOCK_SPEED, epoch);
  const telephony = createAriTelephony({
    url: env.ARI_URL,
    username: env.ARI_USERNAME,
    password: env.ARI_PASSWORD,
    app: env.ARI_APP,
    logger: logger.child({ part: 'telephony' }),
    clock,
  });
  const engine = await main(
    { database: handle, telephony, clock, logger, engineId: env.DIALER_ENGINE_ID },
    [campaignId],
    { stopWhenDone: untilDone },
  );
  // The agents logged in before any engine ran (the test did it); they keep their sessions
  // across engine restarts, as people at their terminals would.
  const { definition } = await getCampaignDefinition(db, campaignId);
  const agents = new SimulatedAgents({
    db,
    agents: createAgentService({ db, clock }),
    clock,
    logger,
    campaignId,
    definition,
    onTagged: () => engine.runners[0]?.poke(),
  });
  agents.start(100);

  let reporting = true;
  const report = async () => {
    while (reporting) {
      send({ type: 'progress', ...(await counts()) });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const reporter = report();

  const stop = () => void engine.stop();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await engine.finished;
  await engine.stop();

  // The agents tag the calls they are still wrapping up before the process leaves.
  await agents.finishWrapUps(20_000);
  agents.stop();
  reporting = false;
  await reporter;
  send({ type: 'done', ...(await counts()) });
  await handle.close();
  logger.flush();
}

run().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`pglite-engine-child: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
