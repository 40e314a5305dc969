import type { Kysely, Selectable, Transaction } from 'kysely';
import type { CallFactKind, Database, RecordingState, RecordingsTable } from '../schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** A recorded call as the product speaks of it (row mapped to camelCase). */
export interface Recording {
  id: number;
  name: string;
  attemptId: number | null;
  campaignId: number | null;
  agentId: number | null;
  contactId: number | null;
  format: string;
  target: string | null;
  state: RecordingState;
  startedAt: Date;
  endedAt: Date | null;
  durationSeconds: number | null;
  sizeBytes: number | null;
  sha256: string | null;
  location: string | null;
  failure: string | null;
  storedAt: Date | null;
  purgeAfter: Date | null;
  purgedAt: Date | null;
}

export function toRecording(row: Selectable<RecordingsTable>): Recording {
  return {
    id: row.id,
    name: row.name,
    attemptId: row.attempt_id,
    campaignId: row.campaign_id,
    agentId: row.agent_id,
    contactId: row.contact_id,
    format: row.format,
    target: row.target,
    state: row.state,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    durationSeconds: row.duration_seconds,
    sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
    sha256: row.sha256,
    location: row.location,
    failure: row.failure,
    storedAt: row.stored_at,
    purgeAfter: row.purge_after,
    purgedAt: row.purged_at,
  };
}

export interface NewRecording {
  name: string;
  attemptId: number;
  campaignId: number;
  agentId: number | null;
  contactId: number;
  format: string;
  target: string;
  startedAt: Date;
}

/** The row of a recording being started (state `recording`). One per call: the unique index says so. */
export async function insertRecording(db: Db, r: NewRecording): Promise<Recording> {
  const row = await db
    .insertInto('recordings')
    .values({
      name: r.name,
      attempt_id: r.attemptId,
      campaign_id: r.campaignId,
      agent_id: r.agentId,
      contact_id: r.contactId,
      format: r.format,
      target: r.target,
      started_at: r.startedAt,
      state: 'recording',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRecording(row);
}

/**
 * The finished recording is stored: file, size, digest, when it may be purged. Only from
 * `recording` (by primary key; a row already failed or stored stays as it is). Returns whether
 * the row changed.
 */
export async function markRecordingStored(
  db: Db,
  name: string,
  s: {
    endedAt: Date;
    durationSeconds: number | null;
    sizeBytes: number;
    sha256: string;
    location: string;
    storedAt: Date;
    purgeAfter: Date;
  },
): Promise<boolean> {
  const result = await db
    .updateTable('recordings')
    .set({
      state: 'stored',
      ended_at: s.endedAt,
      duration_seconds: s.durationSeconds,
      size_bytes: s.sizeBytes,
      sha256: s.sha256,
      location: s.location,
      stored_at: s.storedAt,
      purge_after: s.purgeAfter,
    })
    .where('name', '=', name)
    .where('state', '=', 'recording')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The recording failed (start refused, Asterisk said so, fetch or check failed): why, and when. */
export async function markRecordingFailed(db: Db, name: string, failure: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('recordings')
    .set({ state: 'failed', failure, ended_at: at })
    .where('name', '=', name)
    .where('state', '=', 'recording')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The file is gone (retention over): the row stays, with its digest, as the record that it existed. */
export async function markRecordingPurged(db: Db, id: number, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('recordings')
    .set({ state: 'purged', purged_at: at, location: null })
    .where('id', '=', id)
    .where('state', '=', 'stored')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** A recording still `recording` whose call is over: its name and its dial-log row. */
export interface UnsettledRecording {
  name: string;
  attemptId: number | null;
}

/**
 * A campaign's recordings still `recording` whose call was finalized before `callEndedBefore`:
 * after a restart, the ones Asterisk finished while no engine listened. The campaign's
 * recordings through recordings_campaign_time (campaign_id prefix), each call by
 * call_attempts_pkey; no lock: the caller settles each with markRecordingStored / Failed, which
 * change only a row still `recording`.
 */
export async function listUnsettledRecordings(
  db: Db,
  campaignId: number,
  callEndedBefore: Date,
): Promise<UnsettledRecording[]> {
  const rows = await db
    .selectFrom('recordings as r')
    .innerJoin('call_attempts as a', 'a.id', 'r.attempt_id')
    .select(['r.name', 'r.attempt_id'])
    .where('r.campaign_id', '=', campaignId)
    .where('r.state', '=', 'recording')
    .where('a.finalized_at', '<', callEndedBefore)
    .execute();
  return rows.map((row) => ({ name: row.name, attemptId: row.attempt_id }));
}

/**
 * The dial-log row a recording belongs to, by the recording's name (recordings_name_key), for
 * the alarm about a failed recording this process did not start. No lock. Null when there is
 * no such recording or it names no call.
 */
export async function recordingAttemptId(db: Db, name: string): Promise<number | null> {
  const row = await db
    .selectFrom('recordings')
    .select('attempt_id')
    .where('name', '=', name)
    .executeTakeFirst();
  return row?.attempt_id ?? null;
}

export async function findRecording(
  db: Db,
  ref: { id: number } | { name: string },
): Promise<Recording | undefined> {
  let query = db.selectFrom('recordings').selectAll();
  query = 'id' in ref ? query.where('id', '=', ref.id) : query.where('name', '=', ref.name);
  const row = await query.executeTakeFirst();
  return row ? toRecording(row) : undefined;
}

/** Locks the row (purge, so that two purges or a purge and a download do not cross). */
export async function lockRecording(trx: Transaction<Database>, id: number): Promise<Recording | undefined> {
  const row = await trx
    .selectFrom('recordings')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  return row ? toRecording(row) : undefined;
}

export interface RecordingFilter {
  campaignId?: number;
  agentId?: number;
  /** Started at or after / before (a day is [from, to)). */
  from?: Date;
  to?: Date;
  /** The call's result in the dial log (connected, abandoned…) or its outcome tag. */
  outcome?: string;
  minDurationSeconds?: number;
  maxDurationSeconds?: number;
  state?: RecordingState;
  limit?: number;
}

export interface RecordingListItem extends Recording {
  result: string | null;
  outcome: string | null;
}

/**
 * Recordings for QA browsing, newest first, with the call's result and outcome tag (the latest
 * record for the call). Uses recordings_campaign_time / recordings_agent_time.
 */
export async function listRecordings(db: Db, f: RecordingFilter = {}): Promise<RecordingListItem[]> {
  let query = db
    .selectFrom('recordings as r')
    .leftJoin('call_attempts as a', 'a.id', 'r.attempt_id')
    .selectAll('r')
    .select('a.result')
    .select((eb) =>
      eb
        .selectFrom('outcomes as o')
        .select('o.tag')
        .whereRef('o.attempt_id', '=', 'r.attempt_id')
        .orderBy('o.id', 'desc')
        .limit(1)
        .as('outcome'),
    )
    .orderBy('r.started_at', 'desc')
    .orderBy('r.id', 'desc');
  if (f.campaignId !== undefined) query = query.where('r.campaign_id', '=', f.campaignId);
  if (f.agentId !== undefined) query = query.where('r.agent_id', '=', f.agentId);
  if (f.from) query = query.where('r.started_at', '>=', f.from);
  if (f.to) query = query.where('r.started_at', '<', f.to);
  if (f.state) query = query.where('r.state', '=', f.state);
  if (f.minDurationSeconds !== undefined)
    query = query.where('r.duration_seconds', '>=', f.minDurationSeconds);
  if (f.maxDurationSeconds !== undefined)
    query = query.where('r.duration_seconds', '<=', f.maxDurationSeconds);
  if (f.outcome !== undefined) {
    const outcome = f.outcome;
    query = query.where((eb) =>
      eb.or([
        eb('a.result', '=', outcome),
        eb.exists(
          eb
            .selectFrom('outcomes as o2')
            .select('o2.id')
            .whereRef('o2.attempt_id', '=', 'r.attempt_id')
            .where('o2.tag', '=', outcome),
        ),
      ]),
    );
  }
  const rows = await query.limit(f.limit ?? 100).execute();
  return rows.map((row) => ({
    ...toRecording(row),
    result: row.result ?? null,
    outcome: row.outcome ?? null,
  }));
}

/** Stored recordings whose retention is over, oldest first (recordings_purge_due). */
export async function recordingsDueForPurge(db: Db, now: Date, limit = 500): Promise<Recording[]> {
  const rows = await db
    .selectFrom('recordings')
    .selectAll()
    .where('state', '=', 'stored')
    .where('purge_after', '<=', now)
    .orderBy('purge_after')
    .limit(limit)
    .execute();
  return rows.map(toRecording);
}

/** Records a fact of a call (notice played, satisfaction score). One per kind and call. */
export async function insertCallFact(
  db: Db,
  fact: {
    attemptId: number;
    campaignId: number;
    kind: CallFactKind;
    data: Record<string, unknown>;
    at: Date;
  },
): Promise<void> {
  await db
    .insertInto('call_facts')
    .values({
      attempt_id: fact.attemptId,
      campaign_id: fact.campaignId,
      kind: fact.kind,
      data: JSON.stringify(fact.data),
      at: fact.at,
    })
    .execute();
}

export async function callFactsOf(
  db: Db,
  attemptId: number,
): Promise<Array<{ kind: CallFactKind; data: Record<string, unknown>; at: Date }>> {
  const rows = await db
    .selectFrom('call_facts')
    .select(['kind', 'data', 'at'])
    .where('attempt_id', '=', attemptId)
    .orderBy('id')
    .execute();
  return rows;
}
