import type { Kysely, Selectable, Transaction } from 'kysely';
import type { CallbacksTable, Database } from '../schema.ts';

export type CallbackRow = Selectable<CallbacksTable>;
type Db = Kysely<Database> | Transaction<Database>;

export async function insertCallback(
  db: Db,
  callback: {
    contactId: number;
    campaignId: number;
    agentId: number | null;
    dueAt: Date;
    note?: string | null;
    fromAttemptId?: number | null;
  },
): Promise<CallbackRow> {
  return db
    .insertInto('callbacks')
    .values({
      contact_id: callback.contactId,
      campaign_id: callback.campaignId,
      agent_id: callback.agentId,
      due_at: callback.dueAt,
      note: callback.note ?? null,
      created_from_attempt_id: callback.fromAttemptId ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The callbacks a call to this contact fulfilled (every pending one already due). */
export async function completeDueCallbacks(db: Db, contactId: number, now: Date): Promise<number> {
  const result = await db
    .updateTable('callbacks')
    .set({ status: 'done' })
    .where('contact_id', '=', contactId)
    .where('status', '=', 'pending')
    .where('due_at', '<=', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** A final outcome makes any later callback moot. */
export async function cancelPendingCallbacks(db: Db, contactId: number): Promise<number> {
  const result = await db
    .updateTable('callbacks')
    .set({ status: 'cancelled' })
    .where('contact_id', '=', contactId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export function listPendingCallbacks(db: Db, campaignId: number): Promise<CallbackRow[]> {
  return db
    .selectFrom('callbacks')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .where('status', '=', 'pending')
    .orderBy('due_at')
    .execute();
}
