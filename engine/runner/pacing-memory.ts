import type { Kysely } from 'kysely';
import { loadPacingStatistics, savePacingStatistics } from '../../db/queries/pacing-statistics.ts';
import type { Database } from '../../db/schema.ts';
import { restoreStatistics } from '../pacing/saved-statistics.ts';
import type { PacingStatistics } from '../pacing/statistics.ts';
import type { Logger } from '../platform/logger.ts';

/** Engine seconds between two saves of the pacer's statistics while a campaign runs. */
export const DEFAULT_PACING_SAVE_SECONDS = 60;

/**
 * The pacer's learned statistics kept with the campaign (table pacing_statistics): read at the
 * runner's start (a warm start; fresh statistics when none or invalid), saved every
 * `everySeconds` of engine time and when the runner stops. A restart loses at most that much.
 */
export class PacingMemory {
  private savedAt = -Infinity;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly campaignId: number,
    private readonly log: Logger,
    private readonly everySeconds = DEFAULT_PACING_SAVE_SECONDS,
  ) {}

  async load(targetAbandonRate: number, now: Date): Promise<PacingStatistics> {
    const saved = await loadPacingStatistics(this.db, this.campaignId);
    const restored = restoreStatistics(saved?.statistics, { targetAbandonRate });
    if (restored.warm) {
      this.log.info(
        { savedAt: saved?.savedAt, routed: restored.stats.totals.routed, talks: restored.stats.totals.talks },
        'pacer statistics restored (warm start)',
      );
    } else if (restored.reason === 'invalid') {
      this.log.warn('saved pacer statistics are not valid; the pacer starts cold');
    }
    this.savedAt = now.getTime();
    return restored.stats;
  }

  /** Saves when `everySeconds` have passed since the last save. */
  async saveIfDue(stats: PacingStatistics, now: Date): Promise<void> {
    if (now.getTime() - this.savedAt < this.everySeconds * 1000) return;
    await this.save(stats, now);
  }

  async save(stats: PacingStatistics, now: Date): Promise<void> {
    await savePacingStatistics(this.db, this.campaignId, stats, now);
    this.savedAt = now.getTime();
  }
}
