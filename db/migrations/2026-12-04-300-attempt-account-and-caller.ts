import { type Kysely, sql } from 'kysely';

/**
 * What the gate's facts loader counts by (db/queries/gate-facts.ts, engine/compliance/rules/frequency.ts):
 *
 * - `account_ref`: the account (the debt) the call was about, copied from the contact when the row
 *   is written (createAttempt). A per-account rule (Regulation F: 7 calls in 7 days per debt) then
 *   counts the calls about an account with one probe of `call_attempts_account_time` per contact,
 *   instead of listing the account's contacts and probing each one's calls (about three times the
 *   index pages a contact; db/queries/gate-facts.ts). A lookup copy, not sealed by the row hash:
 *   contacts.account_ref is written once, at import, so the copy is the contact's reference.
 *   Existing rows are filled from their contacts here, the append-only guard set aside for that
 *   one statement (a finalized row's hashed content does not change).
 * - `call_attempts_abandoned_phone_time`: the abandoned calls alone, by number and time, for the
 *   gate's no-repeat-after-abandon probe (one per contact), which otherwise visits every call to
 *   the number in the window to find the few abandoned ones (about 10 % less database CPU a batch).
 * - `caller_number`: the number presented to the called person (the campaign's caller id), for
 *   rules counted per caller number. Null on rows written before it was recorded; sealed by the
 *   row hash when set (LATER_HASHED_COLUMNS), so rows sealed before keep their hashes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table call_attempts add column account_ref text, add column caller_number text`.execute(db);
  await sql`alter table call_attempts disable trigger call_attempts_guard`.execute(db);
  await sql`update call_attempts a set account_ref = c.account_ref
    from contacts c where c.id = a.contact_id and c.account_ref is not null`.execute(db);
  await sql`alter table call_attempts enable trigger call_attempts_guard`.execute(db);
  await sql`create index call_attempts_account_time on call_attempts (account_ref, queued_at)
    where account_ref is not null`.execute(db);
  await sql`create index call_attempts_abandoned_phone_time on call_attempts (phone_e164, queued_at)
    where abandoned`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists call_attempts_abandoned_phone_time`.execute(db);
  await sql`drop index if exists call_attempts_account_time`.execute(db);
  await sql`alter table call_attempts drop column caller_number, drop column account_ref`.execute(db);
}
