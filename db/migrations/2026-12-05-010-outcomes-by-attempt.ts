import { type Kysely, sql } from 'kysely';

/**
 * `outcomes_attempt`: every outcome of a call, originals and corrections, by attempt. The unique
 * `outcomes_one_per_attempt` covers originals only (`corrects_outcome_id is null`), so a lookup by
 * attempt alone — the wrap-up timeout's "has the agent tagged it?" (db/queries/outcomes.ts
 * attemptHasOutcome) and recovery's untagged calls — scanned the whole outcomes table, which
 * grows with every call ever tagged.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index outcomes_attempt on outcomes (attempt_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists outcomes_attempt`.execute(db);
}
