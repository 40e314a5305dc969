import type { Kysely, Selectable } from 'kysely';
import type { AlarmsTable, Database } from '../schema.ts';

export type AlarmRow = Selectable<AlarmsTable>;

export interface NewAlarm {
  campaignId: number | null;
  kind: string;
  severity: AlarmRow['severity'];
  message: string;
  data?: Record<string, unknown>;
  at: Date;
}

/**
 * Raises an alarm unless the same kind is already open for the campaign: a low rate that lasts
 * an hour is one alarm, not one per check. Returns the new row, or undefined if one was open.
 */
export async function raiseAlarm(db: Kysely<Database>, alarm: NewAlarm): Promise<AlarmRow | undefined> {
  return db.transaction().execute(async (trx) => {
    let open = trx
      .selectFrom('alarms')
      .select('id')
      .where('kind', '=', alarm.kind)
      .where('cleared_at', 'is', null);
    open =
      alarm.campaignId === null
        ? open.where('campaign_id', 'is', null)
        : open.where('campaign_id', '=', alarm.campaignId);
    if (await open.executeTakeFirst()) return undefined;
    return trx
      .insertInto('alarms')
      .values({
        campaign_id: alarm.campaignId,
        kind: alarm.kind,
        severity: alarm.severity,
        message: alarm.message,
        data: JSON.stringify(alarm.data ?? {}),
        raised_at: alarm.at,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

/** Clears the open alarm of this kind (the rate recovered). Returns how many were cleared. */
export async function clearAlarm(
  db: Kysely<Database>,
  campaignId: number,
  kind: string,
  at: Date,
): Promise<number> {
  const result = await db
    .updateTable('alarms')
    .set({ cleared_at: at })
    .where('campaign_id', '=', campaignId)
    .where('kind', '=', kind)
    .where('cleared_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export function listAlarms(
  db: Kysely<Database>,
  filter: { campaignId?: number; openOnly?: boolean; limit?: number } = {},
): Promise<AlarmRow[]> {
  let query = db.selectFrom('alarms').selectAll().orderBy('raised_at', 'desc').orderBy('id', 'desc');
  if (filter.campaignId !== undefined) query = query.where('campaign_id', '=', filter.campaignId);
  if (filter.openOnly) query = query.where('cleared_at', 'is', null);
  return query.limit(filter.limit ?? 100).execute();
}

/**
 * Raises an alarm about one call (a failed recording): every such incident is its own alarm,
 * with the call in its data, so it stays visible on that call; not folded into an open one.
 */
export async function raiseCallAlarm(
  db: Kysely<Database>,
  alarm: NewAlarm & { attemptId: number },
): Promise<AlarmRow> {
  return db
    .insertInto('alarms')
    .values({
      campaign_id: alarm.campaignId,
      kind: alarm.kind,
      severity: alarm.severity,
      message: alarm.message,
      data: JSON.stringify({ ...(alarm.data ?? {}), attemptId: alarm.attemptId }),
      raised_at: alarm.at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}
