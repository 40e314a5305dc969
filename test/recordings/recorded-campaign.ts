import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { CampaignDefinitionInput } from '../../campaigns/campaign-definition.ts';
import type { Database } from '../../db/schema.ts';
import { createAgentService } from '../../engine/agents/agent-service.ts';
import { type Engine, main } from '../../engine/main.ts';
import { silentLogger } from '../../engine/platform/logger.ts';
import { RecordingFolder } from '../../engine/recordings/recording-files-store.ts';
import { createAriRecordingFiles } from '../../engine/telephony/ari/ari-recording-files.ts';
import type { AriSimulatorOptions } from '../../engine/telephony/simulator/start-ari-simulator.ts';
import { ensureSimulatedAgents, SimulatedAgents } from '../../scripts/demo/simulated-agents.ts';
import { addContacts, runningCampaign } from '../engine/fixtures.ts';
import { type ManualTelephony, manualTelephony } from '../engine/simulated-telephony.ts';
import type { TestDatabase } from '../support/database.ts';

export const SPEED = 20;

export interface RecordedRun {
  campaignId: number;
  folder: RecordingFolder;
  /** Recording names the simulated Asterisk still holds after the run. */
  leftInAsterisk: string[];
  /** Alarms, rows… read after the run by the test. */
  db: Kysely<Database>;
  cleanup(): void;
}

/**
 * Runs a recorded campaign to its end on the ARI simulator over sockets (manual engine time),
 * with the real adapter, real recording files fetched over ARI and stored in a temporary
 * recordings folder. `during` may act on the running engine (e.g. make recordings fail).
 */
export async function runRecordedCampaign(
  database: () => TestDatabase,
  options: {
    lastDigits: number[];
    agents?: number;
    campaign?: Partial<CampaignDefinitionInput>;
    simulator?: Omit<AriSimulatorOptions, 'clock' | 'port'>;
    during?: (ctx: { engine: Engine; simulated: ManualTelephony; campaignId: number }) => Promise<void>;
    beforeStart?: (simulated: ManualTelephony) => void;
  },
): Promise<RecordedRun> {
  const { db } = database();
  const root = mkdtempSync(join(tmpdir(), 'recordings-test-'));
  const folder = new RecordingFolder(join(root, 'recordings'));
  const simulated = await manualTelephony({
    speed: SPEED,
    ...(options.simulator ? { simulator: options.simulator } : {}),
  });
  const { clock, telephony, sim } = simulated;
  try {
    const { campaign, definition } = await runningCampaign(db, clock.now(), {
      mode: 'progressive',
      recording: { enabled: true, notice: { sound: 'sound:dialer/this-call-is-recorded' } },
      attempts: { maxPerContact: 1 },
      ...options.campaign,
    });
    await addContacts(db, campaign.id, options.lastDigits.length, {
      lastDigit: (i) => options.lastDigits[i] ?? 5,
      nextAttemptAt: new Date(clock.now().getTime() - 60_000),
    });
    const agentService = createAgentService({ db, clock });
    const codes = await ensureSimulatedAgents(db, options.agents ?? 2, `rec-${campaign.id}`);
    for (const code of codes) await agentService.login(code, campaign.id);
    options.beforeStart?.(simulated);
    simulated.run({ maxSpeed: SPEED });
    const engine = await main(
      {
        database: database(),
        telephony,
        clock,
        logger: silentLogger(),
        recordings: {
          files: createAriRecordingFiles({ url: sim.url, username: sim.username, password: sim.password }),
          folder,
        },
      },
      [campaign.id],
      { tickMs: 50, stopWhenDone: true, leaseSeconds: 600 },
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
    try {
      await options.during?.({ engine, simulated, campaignId: campaign.id });
      await engine.finished;
      // Recordings end after their calls (Asterisk finishes them once the bridge is quiet):
      // wait, in real time with a bound, until none is still recording.
      const until = Date.now() + 60_000;
      while (Date.now() < until) {
        const open = await db
          .selectFrom('recordings')
          .select('id')
          .where('campaign_id', '=', campaign.id)
          .where('state', '=', 'recording')
          .execute();
        if (open.length === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await engine.runners[0]?.recordingsSettled();
    } finally {
      await engine.stop();
      await agents.finishWrapUps(30_000);
      agents.stop();
    }
    return {
      campaignId: campaign.id,
      folder,
      leftInAsterisk: sim.storedRecordings(),
      db,
      cleanup: () => rmSync(root, { recursive: true, force: true }),
    };
  } finally {
    await simulated.stop();
  }
}
