import { type Kysely, sql } from 'kysely';

/**
 * Indexes that make each statement of a dial pass cost what it returns, not the campaign's size:
 * - contacts_ready_queue: the claim's order within one priority, (next_attempt_at, id) after
 *   (campaign_id, priority), for the ready contacts only. It replaces contacts_lead_selection
 *   (the same columns without id), so a claim's index scan needs no sort to break ties, and the
 *   claim walks the priorities present with one index descent each (a loose index scan);
 * - contacts_in_progress: a campaign's claimed contacts (lease renewal, expired leases, "is
 *   anything still held?"), which until now meant reading every contact of the campaign.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index contacts_ready_queue on contacts (campaign_id, priority desc, next_attempt_at, id)
    where status = 'ready'`.execute(db);
  await sql`drop index if exists contacts_lead_selection`.execute(db);
  await sql`create index contacts_in_progress on contacts (campaign_id, lease_owner)
    where status = 'in_progress'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists contacts_in_progress`.execute(db);
  await sql`create index if not exists contacts_lead_selection on contacts (campaign_id, priority desc, next_attempt_at)
    where status = 'ready'`.execute(db);
  await sql`drop index if exists contacts_ready_queue`.execute(db);
}
