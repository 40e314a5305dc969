import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { DatabaseHandle } from '../db/connect.ts';
import { getCampaignDefinition } from '../db/queries/campaigns.ts';
import type { Logger } from './platform/logger.ts';
import type { RecordingStorage } from './runner/call-recorder.ts';
import { CampaignRunner, type RunnerOptions } from './runner/campaign-runner.ts';
import { requireCampaignSounds } from './runner/campaign-sounds.ts';
import type { EngineClock } from './runner/engine-clock.ts';
import type { TelephonyPort } from './telephony/port.ts';

export interface EngineDeps {
  database: Pick<DatabaseHandle, 'db' | 'kind' | 'pool'>;
  telephony: TelephonyPort;
  clock: EngineClock;
  logger: Logger;
  /** Stable id of this engine process (leases, dial-log rows); default host-pid-random. */
  engineId?: string;
  /** Where finished recordings are fetched from (ARI) and stored (the recordings folder). */
  recordings?: RecordingStorage;
}

export interface Engine {
  readonly engineId: string;
  readonly runners: readonly CampaignRunner[];
  /** Resolves when every runner has stopped (or finished, with stopWhenDone). */
  readonly finished: Promise<void>;
  /** SIGTERM: stop originating, let live calls finish, release agents and locks. */
  stop(): Promise<void>;
}

export function defaultEngineId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/**
 * The one place that wires the engine: the database, the telephone system, the clock and the
 * logger go in; one runner per campaign comes out, fed by one telephony listener that routes
 * each event to the runner owning the call.
 */
export async function main(
  deps: EngineDeps,
  campaignIds: readonly number[],
  options: RunnerOptions = {},
): Promise<Engine> {
  const engineId = deps.engineId ?? defaultEngineId();
  const logger = deps.logger.child({ engineId });
  const runners = campaignIds.map((id) => new CampaignRunner({ ...deps, logger, engineId }, id, options));
  const removeListener = deps.telephony.onEvent((event) => {
    for (const runner of runners) if (runner.handle(event)) return;
    if (event.type === 'connection') logger.warn({ state: event.state }, 'telephony connection changed');
  });
  await deps.telephony.start();
  try {
    // Before any runner dials: a campaign whose sounds are missing would play silence.
    for (const id of campaignIds) {
      const { definition } = await getCampaignDefinition(deps.database.db, id);
      await requireCampaignSounds(deps.telephony, id, definition);
    }
  } catch (error) {
    removeListener();
    await deps.telephony.stop();
    throw error;
  }
  await Promise.all(runners.map((r) => r.start()));
  const finished = Promise.all(runners.map((r) => r.finished)).then(() => {});
  let stopping: Promise<void> | undefined;
  return {
    engineId,
    runners,
    finished,
    stop() {
      stopping ??= (async () => {
        await Promise.all(runners.map((r) => r.stop()));
        removeListener();
        await deps.telephony.stop();
      })();
      return stopping;
    },
  };
}
