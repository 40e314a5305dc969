import { type Kysely, sql } from 'kysely';

/**
 * What the campaign engine keeps at run time beyond schema v1:
 * - agent_sessions.version: every state change is a compare-and-set on it, so the engine and an
 *   agent's terminal (two processes) cannot both move the same session from the same state;
 * - agent_sessions.state_data: the parts of the state machine's state that are not columns
 *   (wrap-up deadline, what follows wrap-up, preview flag);
 * - callbacks by contact, for lead selection's "due callbacks first";
 * - outcomes by contact, for recovery's "connected call without an outcome".
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table agent_sessions add column version integer not null default 0`.execute(db);
  await sql`alter table agent_sessions add column state_data jsonb not null default '{}'::jsonb`.execute(db);
  await sql`create index agent_sessions_campaign on agent_sessions (campaign_id) where ended_at is null`.execute(
    db,
  );
  await sql`create index callbacks_contact_pending on callbacks (contact_id, due_at) where status = 'pending'`.execute(
    db,
  );
  await sql`create index outcomes_contact on outcomes (contact_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists outcomes_contact`.execute(db);
  await sql`drop index if exists callbacks_contact_pending`.execute(db);
  await sql`drop index if exists agent_sessions_campaign`.execute(db);
  await sql`alter table agent_sessions drop column state_data`.execute(db);
  await sql`alter table agent_sessions drop column version`.execute(db);
}
