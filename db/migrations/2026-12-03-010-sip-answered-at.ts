import { type Kysely, sql } from 'kysely';

/**
 * The SIP answer, apart from the AMD verdict. With answering-machine detection the channel is
 * answered (SIP 200 OK, `ChannelStateChange Up`) ~2 s before AMD's verdict reaches the app
 * (`StasisStart amd,…`); `answered_at` has always been the verdict, the moment a person can be
 * routed. Both belong in the dial log: jurisdictions count the 2-second rule from different ones.
 * Null on rows sealed before this column existed: the dial-log hash covers it only when set
 * (engine/compliance/dial-log-hash.ts, LATER_HASHED_COLUMNS), so those rows keep their hashes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table call_attempts add column sip_answered_at timestamptz`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table call_attempts drop column sip_answered_at`.execute(db);
}
