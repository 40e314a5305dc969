import { type ExpressionBuilder, type Kysely, sql, type Transaction } from 'kysely';
import type { ContactRow, ContactStatus, Database } from '../schema.ts';

/** A contact claimed for dialing, with the due callback (if any) that put it first. */
export interface ClaimedLead extends ContactRow {
  callback_id: number | null;
  /** The agent the callback belongs to: the call goes to that agent. */
  callback_agent_id: number | null;
}

export interface ClaimLeadsOptions {
  campaignId: number;
  /** Who holds the lease (the engine process id). */
  engineId: string;
  limit: number;
  now: Date;
  /** How long the claim holds without renewal; a crashed engine's contacts come back after it. */
  leaseSeconds: number;
  /** Agents ready now: a personal callback is taken only when its agent can take it. */
  readyAgentIds: readonly number[];
  /**
   * After this long past due, a personal callback whose agent is away goes to anybody rather
   * than wait forever.
   */
  personalCallbackGraceSeconds?: number;
}

/**
 * The CTE `levels(priority)`: the distinct priorities of the campaign's ready contacts, highest
 * first, found by a loose index scan (one descent of contacts_ready_queue per level) rather than
 * reading every ready row. Shared by claimLeads and campaignHasWork, which must walk the same
 * levels; goes after `with recursive`.
 */
function readyPriorityLevels(campaignId: number) {
  return sql`levels(priority) as (
      (select c.priority from contacts c
        where c.campaign_id = ${campaignId} and c.status = 'ready'
        order by c.priority desc limit 1)
      union all
      select (select c.priority from contacts c
               where c.campaign_id = ${campaignId} and c.status = 'ready' and c.priority < l.priority
               order by c.priority desc limit 1)
      from levels l where l.priority is not null
    )`;
}

/**
 * Claims up to `limit` dialable contacts of a campaign in ONE statement, best first: due
 * callbacks (personal ones only when their agent is ready), then priority, then the next
 * attempt time, then id.
 *
 * Why this shape (the graphile-worker pattern): the candidates are selected `FOR UPDATE OF c
 * SKIP LOCKED`, so two engines running it at once each lock different rows instead of queuing
 * on the same ones, and the outer `UPDATE … RETURNING` moves exactly the locked rows to
 * in_progress with a lease in the same statement, so no second engine can see them as ready
 * afterwards. A row another transaction changed after our snapshot is re-checked by
 * PostgreSQL against `status = 'ready'` when locked, so it drops out rather than being claimed
 * twice. The lease expiry (not a lock) is what survives a crash: releaseExpiredLeases() returns
 * the contacts of a dead engine. The NOT EXISTS keeps a contact whose previous call is still
 * open out, whoever placed it: a contact is never in two calls.
 *
 * Why it costs what it returns, whatever the campaign's size: the order is never computed over
 * the campaign's contacts. Due callbacks come from their own index (callbacks_due: the pending
 * ones due by now), each contact's earliest one decides (a personal one whose agent is away
 * keeps the contact out until the grace). The other contacts are read from contacts_ready_queue
 * (campaign, priority desc, next_attempt_at, id) priority by priority: `levels` finds the
 * priorities present with one index descent each (a loose index scan: the list import sets
 * none, so there is one level), and for each level the due contacts come in index order, so
 * the scan stops after the rows it needs. LIMIT and SKIP LOCKED sit at the same level as the
 * lock, so rows locked by another engine do not count toward the limit. Each part's LIMIT is the
 * plain `limit` (a few rows locked and not taken are free again when the statement ends): with
 * an expression there the planner cannot bound the rows, prices the plan in millions, and
 * PostgreSQL's JIT then spends seconds compiling it (measured at 1M contacts: 1.9 s of 2.0 s).
 */
export async function claimLeads(db: Kysely<Database>, options: ClaimLeadsOptions): Promise<ClaimedLead[]> {
  if (options.limit <= 0) return [];
  const now = options.now;
  const leaseUntil = new Date(now.getTime() + options.leaseSeconds * 1000);
  const graceStart = new Date(now.getTime() - (options.personalCallbackGraceSeconds ?? 1800) * 1000);
  const agents = sql.raw(
    options.readyAgentIds.length > 0
      ? `array[${options.readyAgentIds.map((id) => Number(id)).join(',')}]::int[]`
      : `'{}'::int[]`,
  );
  const campaignId = options.campaignId;
  const limit = options.limit;
  const result = await sql<ClaimedLead>`
    with recursive ${readyPriorityLevels(campaignId)},
    due_callbacks as (
      -- Each contact's earliest pending callback due by now; on equal times the agentless one
      -- (gate-facts.ts assumes the same when it decides whether an agent is reserved).
      select distinct on (k.contact_id) k.contact_id, k.id, k.agent_id, k.due_at
      from callbacks k
      where k.campaign_id = ${campaignId} and k.status = 'pending' and k.due_at <= ${now}
      order by k.contact_id, k.due_at, (k.agent_id is null) desc, k.id
    ),
    called_back as (
      select c.id, cb.id as callback_id, cb.agent_id as callback_agent_id, c.priority, c.next_attempt_at
      from due_callbacks cb
      join contacts c on c.id = cb.contact_id
      where c.campaign_id = ${campaignId}
        and c.status = 'ready'
        and c.next_attempt_at <= ${now}
        and (cb.agent_id is null or cb.agent_id = any(${agents}) or cb.due_at <= ${graceStart})
        and not exists (
          select 1 from call_attempts a where a.contact_id = c.id and a.finalized_at is null
        )
      order by c.priority desc, c.next_attempt_at, c.id
      limit ${limit}
      for update of c skip locked
    ),
    queued as (
      select q.id, null::int as callback_id, null::int as callback_agent_id, q.priority, q.next_attempt_at
      from levels l
      cross join lateral (
        select c.id, c.priority, c.next_attempt_at from contacts c
        where c.campaign_id = ${campaignId}
          and c.status = 'ready'
          and c.priority = l.priority
          and c.next_attempt_at <= ${now}
          and not exists (
            select 1 from call_attempts a where a.contact_id = c.id and a.finalized_at is null
          )
          -- A contact with a due callback is the callbacks' to serve (or to hold for its agent).
          and not exists (
            select 1 from callbacks k
            where k.contact_id = c.id and k.status = 'pending' and k.due_at <= ${now}
          )
        order by c.next_attempt_at, c.id
        limit ${limit}
        for update of c skip locked
      ) q
      where l.priority is not null
    ),
    candidates as (
      select id, callback_id, callback_agent_id from (
        select *, 0 as bucket from called_back
        union all
        select *, 1 as bucket from queued
      ) picked
      order by bucket, priority desc, next_attempt_at, id
      limit ${limit}
    )
    update contacts set
      status = 'in_progress',
      lease_owner = ${options.engineId},
      lease_expires_at = ${leaseUntil},
      updated_at = ${now}
    from candidates
    where contacts.id = candidates.id
    returning contacts.*, candidates.callback_id, candidates.callback_agent_id`.execute(db);
  // UPDATE … RETURNING does not keep the CTE's order; restore "best first".
  return result.rows.sort(
    (a, b) =>
      Number(b.callback_id !== null) - Number(a.callback_id !== null) ||
      b.priority - a.priority ||
      new Date(a.next_attempt_at).getTime() - new Date(b.next_attempt_at).getTime() ||
      a.id - b.id,
  );
}

/**
 * Extends the leases this engine holds on a campaign's contacts, but only of the contacts it
 * still works on: a call open in the dial log, a call whose agent is on it or wrapping it up
 * (the contact's fate is the outcome still to come), or a lead on a logged-in agent's preview
 * screen. Any other claim is one the engine lost track of: its lease runs out and
 * releaseExpiredLeases() puts the contact back, so no path can hold a contact forever.
 */
export async function renewLeases(
  db: Kysely<Database>,
  options: { campaignId: number; engineId: string; now: Date; leaseSeconds: number },
): Promise<number> {
  const result = await sql`
    update contacts c set lease_expires_at = ${new Date(options.now.getTime() + options.leaseSeconds * 1000)}
    where c.campaign_id = ${options.campaignId}
      and c.status = 'in_progress'
      and c.lease_owner = ${options.engineId}
      and (
        exists (select 1 from call_attempts a where a.contact_id = c.id and a.finalized_at is null)
        or exists (
          select 1 from agent_sessions s
          where s.campaign_id = c.campaign_id and s.ended_at is null
            and (
              (s.state = 'reserved' and (s.state_data->>'preview')::boolean is true
                and s.state_data->>'contactId' = c.id::text)
              or (s.state in ('on_call', 'wrap_up') and exists (
                select 1 from call_attempts w
                where w.contact_id = c.id and w.channel_id = s.state_data->>'attemptId'))
            )
        )
      )`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * Puts back the contact of a preview that ended undialed (its agent logged out or lost the
 * phone): ready again with its priority and next attempt time as they were, lease cleared.
 * A contact whose call is open in the dial log (the accept raced the logout) is left to the call.
 */
export async function returnPreviewLead(
  db: Kysely<Database> | Transaction<Database>,
  contactId: number,
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('contacts')
    .set({ status: 'ready', lease_owner: null, lease_expires_at: null, updated_at: now })
    .where('id', '=', contactId)
    .where('status', '=', 'in_progress')
    .where(noOpenCall)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** SQL condition on `contacts`: no call to the contact is open in the dial log. */
function noOpenCall({ not, exists, selectFrom }: ExpressionBuilder<Database, 'contacts'>) {
  return not(
    exists(
      selectFrom('call_attempts as a')
        .select('a.id')
        .whereRef('a.contact_id', '=', 'contacts.id')
        .where('a.finalized_at', 'is', null),
    ),
  );
}

/**
 * Counts a dial of a claimed contact as its dial-log row is written: attempts + 1 and the time
 * of this attempt. By primary key (contacts_pkey); the row lock is held only for the statement
 * (no transaction around it), and no other engine waits on it: the contact is leased to this one.
 */
export async function countLeadAttempt(db: Kysely<Database>, contactId: number, at: Date): Promise<void> {
  await db
    .updateTable('contacts')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), last_attempt_at: at }))
    .where('id', '=', contactId)
    .execute();
}

/**
 * The contact on an agent's preview screen, read again when the agent accepts it, as a lead to
 * dial: a preview carries no callback (`callback_id`, `callback_agent_id` null). By primary key
 * (contacts_pkey), no lock: the contact is leased to this engine since it was claimed for the
 * preview. Undefined when the contact is gone.
 */
export async function getPreviewLead(
  db: Kysely<Database>,
  contactId: number,
): Promise<ClaimedLead | undefined> {
  const row = await db.selectFrom('contacts').selectAll().where('id', '=', contactId).executeTakeFirst();
  return row ? { ...row, callback_id: null, callback_agent_id: null } : undefined;
}

export interface LeadRelease {
  status: Extract<ContactStatus, 'ready' | 'done' | 'blocked' | 'exhausted' | 'awaiting_approval'>;
  nextAttemptAt?: Date | null;
  reason?: string | null;
  lastOutcome?: string | null;
  now: Date;
}

/**
 * Ends this engine's claim on a contact with its new status. Only the lease holder may do it,
 * so a late release from an engine that lost its lease cannot undo somebody else's claim.
 */
export async function releaseLead(
  db: Kysely<Database> | Transaction<Database>,
  contactId: number,
  engineId: string | null,
  release: LeadRelease,
): Promise<boolean> {
  let query = db
    .updateTable('contacts')
    .set({
      status: release.status,
      lease_owner: null,
      lease_expires_at: null,
      updated_at: release.now,
      ...(release.nextAttemptAt ? { next_attempt_at: release.nextAttemptAt } : {}),
      ...(release.reason !== undefined ? { status_reason: release.reason } : {}),
      ...(release.lastOutcome !== undefined ? { last_outcome: release.lastOutcome } : {}),
    })
    .where('id', '=', contactId)
    .where('status', '=', 'in_progress');
  if (engineId !== null) query = query.where('lease_owner', '=', engineId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Returns to 'ready' the contacts of a campaign whose lease ran out (their engine died or lost
 * track), unless a call to them is still open in the dial log: that one is reconciled first.
 */
export async function releaseExpiredLeases(
  db: Kysely<Database>,
  campaignId: number,
  now: Date,
): Promise<number> {
  const result = await db
    .updateTable('contacts')
    .set({ status: 'ready', lease_owner: null, lease_expires_at: null, updated_at: now })
    .where('campaign_id', '=', campaignId)
    .where('status', '=', 'in_progress')
    .where('lease_expires_at', '<', now)
    .where(noOpenCall)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * A stopping engine (SIGTERM) lets go of every contact of the campaign it still holds whose call
 * is over and whose outcome no agent owes: back to 'ready', nothing left in_progress under a dead
 * engine's lease. Kept: a contact with an open dial-log row (reconciled by the next engine) and
 * one whose attempt an open agent session is still on (on_call, wrap_up: the agent's tag, or
 * the next engine's wrap-up timeout, settles it). Reads contacts_in_progress
 * (campaign_id, lease_owner); the lease-owner check means it never touches another engine's.
 */
export async function releaseEngineLeases(
  db: Kysely<Database>,
  campaignId: number,
  engineId: string,
  now: Date,
): Promise<number> {
  const result = await db
    .updateTable('contacts')
    .set({ status: 'ready', lease_owner: null, lease_expires_at: null, updated_at: now })
    .where('campaign_id', '=', campaignId)
    .where('status', '=', 'in_progress')
    .where('lease_owner', '=', engineId)
    .where(noOpenCall)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('agent_sessions as s')
            .innerJoin('call_attempts as a', 'a.id', 's.current_attempt_id')
            .select('s.id')
            .whereRef('a.contact_id', '=', 'contacts.id')
            .where('s.ended_at', 'is', null),
        ),
      ),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Recovery's release: every contact of the campaign still in progress that nothing holds any
 * more goes back to ready, whoever's lease it was (the runner holds the campaign lock: the
 * engine that claimed it is gone or has lost the campaign). Kept: a contact with an open
 * dial-log row (settled first), one on an open preview screen (a reserved session naming it),
 * and one whose connected call an open session is still on or wrapping up (its outcome is owed).
 * The campaign's claimed contacts through contacts_in_progress; the open call by
 * call_attempts_contact; the sessions are the open ones (agent_sessions_campaign's
 * `ended_at is null`); the outcome probe by outcomes_attempt. Each contact row is locked by the
 * update for the statement only. Returns how many went back.
 */
export async function releaseUnheldLeads(
  db: Kysely<Database>,
  campaignId: number,
  now: Date,
): Promise<number> {
  const released = await sql`
    update contacts c set status = 'ready', lease_owner = null, lease_expires_at = null, updated_at = ${now}
    where c.campaign_id = ${campaignId} and c.status = 'in_progress'
      and not exists (select 1 from call_attempts a where a.contact_id = c.id and a.finalized_at is null)
      and not exists (
        select 1 from agent_sessions s
        where s.ended_at is null and s.state = 'reserved' and s.state_data ->> 'contactId' = c.id::text
      )
      and not exists (
        select 1 from call_attempts a
        where a.contact_id = c.id and a.connected_at is not null
          and not exists (select 1 from outcomes o where o.attempt_id = a.id)
          and exists (
            select 1 from agent_sessions s
            where s.ended_at is null and s.state in ('on_call', 'wrap_up')
              and s.state_data ->> 'attemptId' = a.channel_id
          )
      )`.execute(db);
  return Number(released.numAffectedRows ?? 0);
}

/**
 * Is anything of the campaign left to dial now or still held (the runner's end check)? A
 * contact ready and due, or one claimed (in_progress). Two existence probes, not a count: the
 * due one walks the priorities present (one descent each of contacts_ready_queue, as in
 * claimLeads) and asks whether the level's earliest next attempt is due, the held one reads the
 * first entry of contacts_in_progress. No lock: a hint for the loop, which claims with leases.
 */
export async function campaignHasWork(db: Kysely<Database>, campaignId: number, now: Date): Promise<boolean> {
  const result = await sql<{ work: boolean }>`
    with recursive ${readyPriorityLevels(campaignId)}
    select exists (
        select 1 from contacts c
        where c.campaign_id = ${campaignId} and c.status = 'in_progress'
      ) or exists (
        select 1 from levels l
        where l.priority is not null and exists (
          select 1 from contacts c
          where c.campaign_id = ${campaignId} and c.status = 'ready'
            and c.priority = l.priority and c.next_attempt_at <= ${now}
        )
      ) as work`.execute(db);
  return Boolean(result.rows[0]?.work);
}
