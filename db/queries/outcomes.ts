import { type Kysely, sql, type Transaction } from 'kysely';
import type { Outcome } from '../../campaigns/outcomes/outcome-schema.ts';
import type { OutcomeDecision } from '../../campaigns/outcomes/retry-policy.ts';
import { ConflictError } from '../../engine/platform/errors.ts';
import { PG_UNIQUE_VIOLATION, pgErrorCode } from '../pg-error.ts';
import type { Database } from '../schema.ts';
import { cancelPendingCallbacks, completeDueCallbacks, insertCallback } from './callbacks.ts';
import { recordOptOut } from './dnc.ts';

export interface OutcomeRecord {
  attemptId: number | null;
  contactId: number;
  campaignId: number;
  agentId: number | null;
  outcome: Outcome;
  decision: OutcomeDecision;
  recordedBy: string;
  now: Date;
}

/**
 * Records an outcome and everything it implies, inside the caller's transaction: the outcome
 * row (one per attempt), the contact's new status and next attempt (its lease ends), the
 * callback it asks for, and an opt-out's internal do-not-call entry. Callers commit this
 * before they release the agent, so an outcome is durable before the next call.
 * The outcome row is append-only and sealed into the evidence chain by the database; a wrong
 * outcome is corrected by a new record (outcome-corrections.ts), never updated.
 */
export async function recordOutcome(trx: Transaction<Database>, record: OutcomeRecord): Promise<number> {
  const { outcome, decision, now } = record;
  const { tag, ...data } = outcome;
  await trx
    .updateTable('contacts')
    .set({
      status: decision.status,
      status_reason: decision.reason,
      last_outcome: tag,
      lease_owner: null,
      lease_expires_at: null,
      updated_at: now,
      ...(decision.nextAttemptAt ? { next_attempt_at: decision.nextAttemptAt } : {}),
    })
    .where('id', '=', record.contactId)
    .execute();

  await completeDueCallbacks(trx, record.contactId, now);
  if (decision.final) await cancelPendingCallbacks(trx, record.contactId);
  if (decision.callback) {
    await insertCallback(trx, {
      contactId: record.contactId,
      campaignId: record.campaignId,
      agentId: decision.callback.agentId,
      dueAt: decision.callback.dueAt,
      note: typeof outcome.note === 'string' ? outcome.note : null,
      fromAttemptId: record.attemptId,
    });
  }
  if (decision.optOut) {
    const contact = await trx
      .selectFrom('contacts')
      .select('phone_e164')
      .where('id', '=', record.contactId)
      .executeTakeFirstOrThrow();
    // Internal scope: every campaign of every client stops calling this number at once; the
    // compliance module also blocks the number's waiting contacts elsewhere and audits it.
    await recordOptOut(trx, contact.phone_e164, {
      source: `campaign:${record.campaignId}`,
      attemptId: record.attemptId,
      actor: record.recordedBy,
      reason: 'opt_out',
    });
  }
  let outcomeId: number;
  // Last: the evidence chain's head is locked from this insert to the commit (migration
  // 2026-12-02-001), so everything else this transaction locks comes before it.
  try {
    const row = await trx
      .insertInto('outcomes')
      .values({
        attempt_id: record.attemptId,
        contact_id: record.contactId,
        campaign_id: record.campaignId,
        agent_id: record.agentId,
        tag,
        data: JSON.stringify(data),
        final: decision.final,
        retry_at: decision.nextAttemptAt,
        recorded_by: record.recordedBy,
        recorded_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    outcomeId = row.id;
  } catch (error) {
    if (pgErrorCode(error) === PG_UNIQUE_VIOLATION)
      throw new ConflictError('this call already has an outcome');
    throw error;
  }

  return outcomeId;
}

/**
 * Whether an outcome is recorded for a call (an original or a correction), asked inside the
 * transaction that would record the engine's own outcome. No lock. By outcomes_attempt (every
 * outcome, corrections included: outcomes_one_per_attempt covers originals only).
 */
export async function attemptHasOutcome(
  db: Pick<Transaction<Database>, 'selectFrom'>,
  attemptId: number,
): Promise<boolean> {
  const row = await db
    .selectFrom('outcomes')
    .select('id')
    .where('attempt_id', '=', attemptId)
    .executeTakeFirst();
  return row !== undefined;
}

/** A call an agent took whose outcome nobody will record any more. */
export interface UntaggedCall {
  attemptId: number;
  contactId: number;
  agentId: number | null;
}

/**
 * A campaign's calls connected to an agent, finalized, without an outcome, whose agent has no
 * open session on them any more (logged out, or the session was lost with the engine): recovery
 * records `no_outcome` for each, as a wrap-up timeout would. No lock: run under the campaign
 * lock, and each outcome is recorded in its own transaction, where outcomes_one_per_attempt
 * refuses a second one. Reads the campaign's dial log by its campaign_id prefix
 * (call_attempts_campaign_chain / call_attempts_campaign_time), keeping the connected, finalized
 * rows; the outcome probe by outcomes_attempt, the
 * session probe reads the open sessions (agent_sessions_campaign's `ended_at is null`).
 */
export async function listUntaggedCalls(db: Kysely<Database>, campaignId: number): Promise<UntaggedCall[]> {
  const orphaned = await sql<{ id: number; contact_id: number; agent_id: number | null }>`
    select a.id, a.contact_id, a.agent_id from call_attempts a
    where a.campaign_id = ${campaignId} and a.connected_at is not null and a.finalized_at is not null
      and not exists (select 1 from outcomes o where o.attempt_id = a.id)
      and not exists (
        select 1 from agent_sessions s
        where s.ended_at is null and s.state in ('on_call', 'wrap_up') and s.state_data ->> 'attemptId' = a.channel_id
      )`.execute(db);
  return orphaned.rows.map((row) => ({
    attemptId: row.id,
    contactId: row.contact_id,
    agentId: row.agent_id,
  }));
}

/**
 * Outcome tags counted per campaign, for reports and the demo summary: each call's outcome as it
 * stands (a corrected record counts as its correction).
 */
export async function outcomeCounts(trx: Pick<Transaction<Database>, 'selectFrom'>, campaignId: number) {
  const rows = await trx
    .selectFrom('outcomes as o')
    .select(['o.tag', (eb) => eb.fn.countAll<number>().as('n')])
    .where('o.campaign_id', '=', campaignId)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb.selectFrom('outcomes as c').select('c.id').whereRef('c.corrects_outcome_id', '=', 'o.id'),
        ),
      ),
    )
    .groupBy('o.tag')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.tag, Number(r.n)])) as Record<string, number>;
}
