import { type Kysely, sql, type Transaction } from 'kysely';
import { dialLogRowHash, GENESIS_HASH } from '../../engine/compliance/dial-log-hash.ts';
import type { LoggedGateReason } from '../../engine/compliance/gate-types.ts';
import { ConflictError, NotFoundError } from '../../engine/platform/errors.ts';
import type { AttemptStatus, CallAttemptRow, Database } from '../schema.ts';
import { humanAnsweredSql } from './gate-facts.ts';

/**
 * The dial log's write API for the campaign runner. Life of a row:
 *   createAttempt (status 'queued', BEFORE the originate goes out, with the gate's reasons)
 *   → updateAttempt (status and times, any number of times while not final)
 *   → finalizeAttempt (result and cause; seals the row into the hash chain; no change after).
 * The database refuses updates of a finalized row and every delete (migration 020).
 */

type Db = Kysely<Database> | Transaction<Database>;

export interface NewAttempt {
  campaignId: number;
  contactId: number;
  phoneE164: string;
  /** Our id for the customer channel (also the originate's channel id). Unique. */
  channelId: string;
  engineId?: string | null;
  agentId?: number | null;
  /** gateReasonsForLog(decision): every rule's result at the moment of the decision. */
  gateReasons: readonly LoggedGateReason[];
  queuedAt?: Date;
  /**
   * The number presented to the called person (callerNumberOf(definition.dialing.callerId)): what
   * a frequency rule counted per caller number counts by. Null when unknown.
   */
  callerNumber?: string | null;
}

export async function createAttempt(db: Db, attempt: NewAttempt): Promise<CallAttemptRow> {
  return db
    .insertInto('call_attempts')
    .values({
      campaign_id: attempt.campaignId,
      contact_id: attempt.contactId,
      phone_e164: attempt.phoneE164,
      channel_id: attempt.channelId,
      engine_id: attempt.engineId ?? null,
      agent_id: attempt.agentId ?? null,
      status: 'queued',
      // Set from the application clock (millisecond precision) so the hashed value and the
      // stored value are the same instant on every database.
      queued_at: attempt.queuedAt ?? new Date(),
      gate_reasons: JSON.stringify(attempt.gateReasons),
      caller_number: attempt.callerNumber ?? null,
      // The account the call is about, for the per-account frequency rules (call_attempts_account_time).
      account_ref: (eb) =>
        eb.selectFrom('contacts').select('account_ref').where('id', '=', attempt.contactId),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Fields that may change while the attempt is in progress. */
export interface AttemptPatch {
  status?: Exclude<AttemptStatus, 'ended'>;
  agentId?: number | null;
  originatedAt?: Date;
  answeredAt?: Date;
  /** The SIP answer; differs from answeredAt (the AMD verdict) when AMD ran. */
  sipAnsweredAt?: Date;
  connectedAt?: Date;
  endedAt?: Date;
  dialStatus?: string | null;
  hangupCause?: number | null;
  amdResult?: string | null;
  abandoned?: boolean;
  recordingRef?: string | null;
}

function patchValues(patch: AttemptPatch) {
  return {
    ...(patch.status !== undefined ? { status: patch.status } : {}),
    ...(patch.agentId !== undefined ? { agent_id: patch.agentId } : {}),
    ...(patch.originatedAt !== undefined ? { originated_at: patch.originatedAt } : {}),
    ...(patch.answeredAt !== undefined ? { answered_at: patch.answeredAt } : {}),
    ...(patch.sipAnsweredAt !== undefined ? { sip_answered_at: patch.sipAnsweredAt } : {}),
    ...(patch.connectedAt !== undefined ? { connected_at: patch.connectedAt } : {}),
    ...(patch.endedAt !== undefined ? { ended_at: patch.endedAt } : {}),
    ...(patch.dialStatus !== undefined ? { dial_status: patch.dialStatus } : {}),
    ...(patch.hangupCause !== undefined ? { hangup_cause: patch.hangupCause } : {}),
    ...(patch.amdResult !== undefined ? { amd_result: patch.amdResult } : {}),
    ...(patch.abandoned !== undefined ? { abandoned: patch.abandoned } : {}),
    ...(patch.recordingRef !== undefined ? { recording_ref: patch.recordingRef } : {}),
  };
}

/** Updates an attempt in progress. A finalized attempt is refused with a ConflictError. */
export async function updateAttempt(db: Db, id: number, patch: AttemptPatch): Promise<CallAttemptRow> {
  const values = patchValues(patch);
  if (Object.keys(values).length === 0) return getAttempt(db, id);
  const row = await db
    .updateTable('call_attempts')
    .set(values)
    .where('id', '=', id)
    .where('finalized_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (row) return row;
  await getAttempt(db, id);
  throw new ConflictError(`dial-log row ${id} is finalized and cannot be changed`);
}

export async function getAttempt(db: Db, id: number): Promise<CallAttemptRow> {
  const row = await db.selectFrom('call_attempts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('dial-log row', id);
  return row;
}

export async function getAttemptByChannel(db: Db, channelId: string): Promise<CallAttemptRow | undefined> {
  return db.selectFrom('call_attempts').selectAll().where('channel_id', '=', channelId).executeTakeFirst();
}

/** A dial-log row's id and contact, as the runner needs them to record an outcome for it. */
export interface ChannelAttempt {
  id: number;
  contactId: number;
}

/**
 * The dial-log row of a customer channel (the runner's attempt id), for an outcome the engine
 * records itself (a wrap-up timeout): run on the outcome's transaction. By the unique channel id
 * (call_attempts_channel_id_key); no lock: the row's id and contact never change, and the
 * outcome's uniqueness (outcomes_one_per_attempt) is what settles a race with the agent's tag.
 */
export async function getChannelAttempt(db: Db, channelId: string): Promise<ChannelAttempt> {
  const row = await db
    .selectFrom('call_attempts')
    .select(['id', 'contact_id'])
    .where('channel_id', '=', channelId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError('dial-log row of channel', channelId);
  return { id: row.id, contactId: row.contact_id };
}

/** When a call of a contact reached an agent (null: it never did). */
export interface ContactAttemptConnection {
  id: number;
  connectedAt: Date | null;
}

/**
 * A call of the given contact, by id, for a callback scheduled from it (a call connected to an
 * agent makes the callback a consented one). Undefined when the call is not the contact's.
 * Primary key (call_attempts_pkey), the contact checked on the row; no lock: `connected_at` is
 * set once, before the agent can tag the call. Runs on the caller's transaction (the tag's).
 */
export async function findContactAttempt(
  db: Db,
  attempt: { attemptId: number; contactId: number },
): Promise<ContactAttemptConnection | undefined> {
  const row = await db
    .selectFrom('call_attempts')
    .select(['id', 'connected_at'])
    .where('id', '=', attempt.attemptId)
    .where('contact_id', '=', attempt.contactId)
    .executeTakeFirst();
  return row ? { id: row.id, connectedAt: row.connected_at } : undefined;
}

/**
 * Attempts on this contact in this campaign, from the dial log itself (the source of truth),
 * inside the outcome's transaction; no lock (the contact row is the one locked by the caller).
 */
export async function countAttempts(db: Db, campaignId: number, contactId: number): Promise<number> {
  const row = await db
    .selectFrom('call_attempts')
    .select(sql<number>`count(*)`.as('n'))
    .where('campaign_id', '=', campaignId)
    .where('contact_id', '=', contactId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Attempts not finalized yet (for restart recovery), optionally of one engine process. */
export function listOpenAttempts(db: Db, engineId?: string): Promise<CallAttemptRow[]> {
  let query = db.selectFrom('call_attempts').selectAll().where('finalized_at', 'is', null);
  if (engineId !== undefined) query = query.where('engine_id', '=', engineId);
  return query.orderBy('id').execute();
}

/** An open dial-log row as recovery weighs it: the call, how far it got, whom it reached. */
export interface OpenAttempt {
  id: number;
  channelId: string;
  contactId: number;
  answeredAt: Date | null;
  connectedAt: Date | null;
  amdResult: string | null;
  abandoned: boolean;
}

/**
 * A campaign's dial-log rows not finalized yet, for its recovery (restart, or after a database
 * outage or a lost lock): run while the runner holds the campaign lock, so no other engine opens
 * rows of the campaign meanwhile. No row lock: each is settled in its own transaction, which
 * reads it again (getAttempt) before finalizing. Through call_attempts_open (the open rows,
 * `finalized_at is null`), the campaign filtered on them: few rows are open at any time.
 */
export async function listOpenCampaignAttempts(db: Db, campaignId: number): Promise<OpenAttempt[]> {
  const rows = await db
    .selectFrom('call_attempts')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .where('finalized_at', 'is', null)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    channelId: row.channel_id,
    contactId: row.contact_id,
    answeredAt: row.answered_at,
    connectedAt: row.connected_at,
    amdResult: row.amd_result,
    abandoned: row.abandoned,
  }));
}

/** A campaign's calls over a window, for its connection-rate alarm. */
export interface RateWindow {
  dialed: number;
  answered: number;
  /** Answered by a person (humanAnsweredSql: the abandonment rate's denominator). */
  humanAnswered: number;
  connected: number;
}

/**
 * Counts a campaign's finalized calls queued in [since, now]: dialed, answered, answered by a
 * person, connected to an agent (engine/runner/connection-rate.ts judges the rates). One
 * aggregate over call_attempts_campaign_time (campaign_id, queued_at: the window is a range of
 * it), open rows left out; no lock: a plain read every alarm check.
 */
export async function loadRateWindow(
  db: Kysely<Database>,
  campaignId: number,
  since: Date,
  now: Date,
): Promise<RateWindow> {
  const result = await sql<RateWindow>`
    select count(*) as dialed,
           count(answered_at) as answered,
           count(*) filter (where ${humanAnsweredSql}) as "humanAnswered",
           count(connected_at) as connected
    from call_attempts
    where campaign_id = ${campaignId} and finalized_at is not null
      and queued_at >= ${since} and queued_at <= ${now}`.execute(db);
  const row = result.rows[0];
  return {
    dialed: Number(row?.dialed ?? 0),
    answered: Number(row?.answered ?? 0),
    humanAnswered: Number(row?.humanAnswered ?? 0),
    connected: Number(row?.connected ?? 0),
  };
}

export interface AttemptFinal extends AttemptPatch {
  /** The call's result: a telephony outcome (busy, no_answer, answered…) or 'abandoned', 'machine'… */
  result: string;
  /** Q.850 hangup cause. */
  cause?: number | null;
  finalizedAt?: Date;
}

/**
 * Ends an attempt and seals it into the chain. Appends are serialized by locking the single
 * global chain-head row (FOR UPDATE) until the transaction ends, which works across engine
 * processes on PostgreSQL and costs nothing on PGlite. Every ending of every engine queues on
 * that row, so it is taken LAST: the row's final values are written and the campaign's head is
 * locked first (those locks are per row and per campaign), and under the global lock there are
 * only the head read, the one update that seals the row and the two head moves. A caller with
 * more work in the same transaction does it before calling this. Idempotent: an attempt already
 * finalized is returned as it is (a restart may finalize twice).
 */
export async function finalizeAttempt(db: Db, id: number, final: AttemptFinal): Promise<CallAttemptRow> {
  const run = (trx: Transaction<Database>) => finalizeInTransaction(trx, id, final);
  return db.isTransaction ? run(db as Transaction<Database>) : db.transaction().execute(run);
}

async function finalizeInTransaction(
  trx: Transaction<Database>,
  id: number,
  final: AttemptFinal,
): Promise<CallAttemptRow> {
  const finalizedAt = final.finalizedAt ?? new Date();
  // The final values; locks the attempt's row. Not yet sealed: the guard trigger lets the
  // sealing update below through while row_hash is null.
  const ended = await trx
    .updateTable('call_attempts')
    .set((eb) => ({
      ...patchValues(final),
      status: 'ended',
      result: final.result,
      ...(final.cause !== undefined ? { hangup_cause: final.cause } : {}),
      ended_at: final.endedAt ?? eb.fn.coalesce('ended_at', eb.val(finalizedAt)),
      finalized_at: finalizedAt,
    }))
    .where('id', '=', id)
    .where('finalized_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (!ended) return getAttempt(trx, id);

  await sql`insert into dial_log_campaign_chain (campaign_id, last_seq, last_hash)
    values (${ended.campaign_id}, 0, ${GENESIS_HASH}) on conflict (campaign_id) do nothing`.execute(trx);
  const campaignHead = await trx
    .selectFrom('dial_log_campaign_chain')
    .select(['last_seq', 'last_hash'])
    .where('campaign_id', '=', ended.campaign_id)
    .forUpdate()
    .executeTakeFirstOrThrow();

  // The global lock, held from here to the commit.
  const head = await trx
    .selectFrom('dial_log_chain')
    .select(['last_seq', 'last_hash'])
    .where('id', '=', 1)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const seq = Number(head.last_seq) + 1;
  const campaignSeq = Number(campaignHead.last_seq) + 1;
  const chained = {
    chain_seq: seq,
    prev_hash: head.last_hash,
    campaign_seq: campaignSeq,
    campaign_prev_hash: campaignHead.last_hash,
  };
  // The hash covers the row as the database returned it plus the chain columns, exactly the
  // values verify reads back.
  const rowHash = dialLogRowHash(head.last_hash, { ...ended, ...chained });
  const row = await trx
    .updateTable('call_attempts')
    .set({ ...chained, row_hash: rowHash })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await trx
    .updateTable('dial_log_chain')
    .set({ last_seq: seq, last_hash: rowHash })
    .where('id', '=', 1)
    .execute();
  await trx
    .updateTable('dial_log_campaign_chain')
    .set({ last_seq: campaignSeq, last_hash: rowHash })
    .where('campaign_id', '=', ended.campaign_id)
    .execute();
  return row;
}
