import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/**
 * Every open agent session with its agent's code and user: what the live feed compares against
 * its last look (by session id and version). Uses agent_sessions_campaign's partial index
 * (ended_at is null) and the agents primary key; no lock.
 */
export function listAllOpenSessions(db: Kysely<Database>) {
  return db
    .selectFrom('agent_sessions')
    .innerJoin('agents', 'agents.id', 'agent_sessions.agent_id')
    .select([
      'agent_sessions.id',
      'agent_sessions.agent_id',
      'agent_sessions.campaign_id',
      'agent_sessions.state',
      'agent_sessions.state_reason',
      'agent_sessions.state_data',
      'agent_sessions.state_since',
      'agent_sessions.version',
      'agents.code',
      'agents.user_id',
    ])
    .where('agent_sessions.ended_at', 'is', null)
    .execute();
}

/**
 * The call on an agent's screen: the attempt (by its channel id, unique), the contact and the
 * campaign. The full number comes back for the caller to mask: no edge shows it to an agent.
 */
export function findScreenCall(db: Kysely<Database>, attemptId: string) {
  return db
    .selectFrom('call_attempts')
    .innerJoin('contacts', 'contacts.id', 'call_attempts.contact_id')
    .innerJoin('campaigns', 'campaigns.id', 'call_attempts.campaign_id')
    .select([
      'call_attempts.channel_id as attemptId',
      'call_attempts.connected_at as connectedAt',
      'contacts.id as contactId',
      'contacts.phone_e164 as phone',
      'contacts.fields as fields',
      'contacts.time_zone as timeZone',
      'contacts.attempts as attempts',
      'campaigns.id as campaignId',
      'campaigns.name as campaignName',
      'campaigns.type as campaignType',
      'campaigns.config as config',
    ])
    .where('call_attempts.channel_id', '=', attemptId)
    .executeTakeFirst();
}

/** A contact on preview (no attempt yet): the same screen, by contact id (primary key). */
export function findScreenContact(db: Kysely<Database>, contactId: number) {
  return db
    .selectFrom('contacts')
    .innerJoin('campaigns', 'campaigns.id', 'contacts.campaign_id')
    .select([
      'contacts.id as contactId',
      'contacts.phone_e164 as phone',
      'contacts.fields as fields',
      'contacts.time_zone as timeZone',
      'contacts.attempts as attempts',
      'campaigns.id as campaignId',
      'campaigns.name as campaignName',
      'campaigns.type as campaignType',
      'campaigns.config as config',
    ])
    .where('contacts.id', '=', contactId)
    .executeTakeFirst();
}

/** One earlier (or the current) attempt of a contact, as the agent's screen lists it. */
export interface ContactAttemptRow {
  queuedAt: Date;
  connectedAt: Date | null;
  endedAt: Date | null;
  result: string | null;
  /** The newest outcome record of the attempt (a correction, when there is one). */
  outcome: string | null;
  /** Full: the caller masks it. */
  phone: string;
}

/**
 * A contact's attempts, newest first, with each one's outcome tag: the screen pop's history.
 * call_attempts_contact (contact_id) finds them; outcomes_one_per_attempt / outcomes_one_correction
 * (attempt_id) the outcome of each; no lock.
 */
export async function listContactAttempts(
  db: Kysely<Database>,
  contactId: number,
  limit: number,
): Promise<ContactAttemptRow[]> {
  const rows = await db
    .selectFrom('call_attempts')
    .select((eb) => [
      'call_attempts.queued_at',
      'call_attempts.connected_at',
      'call_attempts.ended_at',
      'call_attempts.result',
      'call_attempts.phone_e164',
      eb
        .selectFrom('outcomes')
        .select('outcomes.tag')
        .whereRef('outcomes.attempt_id', '=', 'call_attempts.id')
        .orderBy('outcomes.id', 'desc')
        .limit(1)
        .as('outcome'),
    ])
    .where('call_attempts.contact_id', '=', contactId)
    .orderBy('call_attempts.queued_at', 'desc')
    .orderBy('call_attempts.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    queuedAt: r.queued_at,
    connectedAt: r.connected_at,
    endedAt: r.ended_at,
    result: r.result,
    outcome: r.outcome ?? null,
    phone: r.phone_e164,
  }));
}
