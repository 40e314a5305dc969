import type { DatabaseHandle } from '../../db/connect.ts';
import { getCampaignDefinition, listHostedCampaignIds } from '../../db/queries/campaigns.ts';
import { defaultEngineId } from '../main.ts';
import type { Logger } from '../platform/logger.ts';
import type { RecordingStorage } from '../runner/call-recorder.ts';
import { CampaignRunner, type RunnerOptions, type RunnerSnapshot } from '../runner/campaign-runner.ts';
import { requireCampaignSounds } from '../runner/campaign-sounds.ts';
import type { EngineClock } from '../runner/engine-clock.ts';
import type { TelephonyPort } from '../telephony/port.ts';

export interface EngineHostDeps {
  database: Pick<DatabaseHandle, 'db' | 'kind' | 'pool'>;
  telephony: TelephonyPort;
  clock: EngineClock;
  logger: Logger;
  engineId?: string;
  /** Where finished recordings are fetched from and stored (engine/runner/call-recorder.ts). */
  recordings?: RecordingStorage;
}

export interface EngineHostOptions extends RunnerOptions {
  /** Real milliseconds between two looks for campaigns started or stopped meanwhile. */
  scanMs?: number;
}

/**
 * The long-running engine of `dialer serve`: one runner for every running (or paused) campaign,
 * picked up when a campaign is started (by the API, the CLI, another process) and let go when it
 * is stopped. Each runner waits for its campaign's lock, so with several engines on one
 * PostgreSQL a campaign is dialed by the one holding the lock, the others standing by. One
 * telephony listener routes each event to the runner owning the call, as in `main()`.
 */
export class EngineHost {
  readonly engineId: string;
  private readonly runners = new Map<number, CampaignRunner>();
  /** Runners of campaigns stopped meanwhile, still draining. */
  private readonly draining = new Set<Promise<void>>();
  /** Campaigns refused at start (e.g. a sound missing), by the real time they may be tried again. */
  private readonly refusedUntil = new Map<number, number>();
  private readonly starting = new Map<number, Promise<void>>();
  private readonly log: Logger;
  private scanTimer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> = Promise.resolve();
  private removeListener: () => void = () => {};
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly deps: EngineHostDeps,
    private readonly options: EngineHostOptions = {},
  ) {
    this.engineId = deps.engineId ?? defaultEngineId();
    this.log = deps.logger.child({ engineId: this.engineId });
  }

  async start(): Promise<void> {
    this.removeListener = this.deps.telephony.onEvent((event) => {
      for (const runner of this.runners.values()) if (runner.handle(event)) return;
      if (event.type === 'connection') this.log.warn({ state: event.state }, 'telephony connection changed');
    });
    await this.deps.telephony.start();
    await this.scan();
    const every = this.options.scanMs ?? 2000;
    this.scanTimer = setInterval(() => {
      this.scanning = this.scanning.then(() => this.scan());
    }, every);
    this.scanTimer.unref();
  }

  /** Starts runners for campaigns that became running, stops those of campaigns stopped. */
  async scan(): Promise<void> {
    if (this.stopping) return;
    let ids: number[];
    try {
      ids = await listHostedCampaignIds(this.deps.database.db);
    } catch (error) {
      this.log.warn({ err: error }, 'could not read the campaigns to run; trying again');
      return;
    }
    const wanted = new Set(ids);
    for (const id of ids) {
      if (this.runners.has(id)) continue;
      if ((this.refusedUntil.get(id) ?? 0) > Date.now()) continue;
      const runner = new CampaignRunner(
        { ...this.deps, logger: this.log, engineId: this.engineId },
        id,
        this.options,
      );
      this.runners.set(id, runner);
      // Before it dials, as `main` does: a campaign whose sounds Asterisk lacks would play
      // silence. Refused, it is tried again once a minute, not at every scan.
      // start() waits for the campaign lock (standby while another engine holds it).
      const started = (async () => {
        const { definition } = await getCampaignDefinition(this.deps.database.db, id);
        await requireCampaignSounds(this.deps.telephony, id, definition);
        // Let go meanwhile (stopped, or the host stopping): never start after the stop.
        if (this.stopping || this.runners.get(id) !== runner) return;
        await runner.start();
      })()
        .catch((error: unknown) => {
          this.log.error({ err: error, campaignId: id }, 'campaign runner failed to start');
          this.runners.delete(id);
          this.refusedUntil.set(id, Date.now() + 60_000);
        })
        .finally(() => this.starting.delete(id));
      this.starting.set(id, started);
    }
    for (const [id, runner] of this.runners) {
      if (wanted.has(id)) continue;
      this.runners.delete(id);
      this.log.info({ campaignId: id }, 'campaign no longer running: draining its runner');
      const draining = runner
        .stop()
        .catch((error: unknown) => this.log.error({ err: error, campaignId: id }, 'runner stop failed'))
        .finally(() => this.draining.delete(draining));
      this.draining.add(draining);
    }
  }

  /** The runner of a campaign this process holds, if any. */
  runner(campaignId: number): CampaignRunner | undefined {
    return this.runners.get(campaignId);
  }

  snapshots(): RunnerSnapshot[] {
    return [...this.runners.values()].map((r) => r.snapshot());
  }

  /** Wakes every runner now (an agent became ready, tagged a call). */
  poke(): void {
    for (const runner of this.runners.values()) runner.poke();
  }

  /** SIGTERM: stop originating, let live calls finish, release agents and locks, then telephony. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.scanTimer) clearInterval(this.scanTimer);
      await this.scanning;
      await Promise.all([...this.runners.values()].map((r) => r.stop()));
      await Promise.all(this.starting.values());
      // Runners let go before (campaigns stopped) finish draining too: their locks and lines.
      await Promise.all(this.draining);
      this.runners.clear();
      this.removeListener();
      await this.deps.telephony.stop();
    })();
    return this.stopping;
  }
}
