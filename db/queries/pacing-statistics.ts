import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/**
 * The campaign's saved pacer statistics (a plain JSON value), or undefined before its first save.
 * Primary-key lookup; no lock (only the campaign's runner, under the campaign lock, writes it).
 */
export async function loadPacingStatistics(
  db: Kysely<Database>,
  campaignId: number,
): Promise<{ statistics: unknown; savedAt: Date } | undefined> {
  const row = await db
    .selectFrom('pacing_statistics')
    .select(['statistics', 'saved_at'])
    .where('campaign_id', '=', campaignId)
    .executeTakeFirst();
  return row ? { statistics: row.statistics, savedAt: row.saved_at } : undefined;
}

/**
 * Replaces the campaign's saved statistics (insert or update on the primary key; the row lock
 * is held for the statement only).
 */
export async function savePacingStatistics(
  db: Kysely<Database>,
  campaignId: number,
  statistics: unknown,
  at: Date,
): Promise<void> {
  const json = JSON.stringify(statistics);
  await db
    .insertInto('pacing_statistics')
    .values({ campaign_id: campaignId, statistics: json, saved_at: at })
    .onConflict((oc) => oc.column('campaign_id').doUpdateSet({ statistics: json, saved_at: at }))
    .execute();
}
