import { type Kysely, sql } from 'kysely';
import { expect } from 'vitest';
import type { Database } from '../../db/schema.ts';

export async function count(
  db: Kysely<Database>,
  query: ReturnType<typeof sql<{ n: number }>>,
): Promise<number> {
  return Number((await query.execute(db)).rows[0]?.n ?? 0);
}

/** Every dial-log row is final and has exactly one outcome once agents tagged or timed out. */
export async function expectEveryAttemptFinalWithOutcome(db: Kysely<Database>, campaignId: number) {
  expect(await attemptsOf(db, campaignId, 'open')).toBe(0);
  expect(
    await count(
      db,
      sql`select count(*) as n from call_attempts a where a.campaign_id = ${campaignId}
        and not exists (select 1 from outcomes o where o.attempt_id = a.id)`,
    ),
  ).toBe(0);
}

/** Dial-log rows of a campaign: all of them, the ones still open, or the ones recovery found lost. */
export async function attemptsOf(
  db: Kysely<Database>,
  campaignId: number,
  which: 'all' | 'open' | 'lost' = 'all',
): Promise<number> {
  const only =
    which === 'open' ? sql`and finalized_at is null` : which === 'lost' ? sql`and result = 'lost'` : sql``;
  return count(db, sql`select count(*) as n from call_attempts where campaign_id = ${campaignId} ${only}`);
}

/** Checks the invariants after the engines are done. */
export async function expectNothingLostNothingTwice(db: Kysely<Database>, campaignId: number) {
  await expectEveryAttemptFinalWithOutcome(db, campaignId);
  // No contact lost: none left in progress; each is final or waits for a scheduled retry.
  expect(
    await count(
      db,
      sql`select count(*) as n from contacts where campaign_id = ${campaignId} and status = 'in_progress'`,
    ),
  ).toBe(0);
  expect(
    await count(
      db,
      sql`select count(*) as n from contacts c where c.campaign_id = ${campaignId} and c.status = 'ready'
        and not exists (select 1 from call_attempts a where a.contact_id = c.id)`,
    ),
  ).toBe(0);
  // None dialed twice: attempts of one contact never overlap, and a second attempt only follows
  // an outcome that asked for a retry.
  expect(
    await count(
      db,
      sql`select count(*) as n from call_attempts a join call_attempts b on a.contact_id = b.contact_id and a.id < b.id
        where a.campaign_id = ${campaignId} and b.queued_at < a.ended_at`,
    ),
  ).toBe(0);
  expect(
    await count(
      db,
      sql`select count(*) as n from call_attempts b where b.campaign_id = ${campaignId}
        and exists (select 1 from call_attempts a where a.contact_id = b.contact_id and a.id < b.id)
        and not exists (select 1 from outcomes o join call_attempts a on a.id = o.attempt_id
                        where a.contact_id = b.contact_id and a.id < b.id and o.final = false)`,
    ),
  ).toBe(0);
}

/** No agent of the campaign is left reserved, on a call or in wrap-up once the engines are done. */
export async function expectNoAgentHoldingACall(db: Kysely<Database>, campaignId: number) {
  expect(
    await count(
      db,
      sql`select count(*) as n from agent_sessions where campaign_id = ${campaignId} and ended_at is null
        and state in ('reserved', 'on_call', 'wrap_up')`,
    ),
  ).toBe(0);
}
