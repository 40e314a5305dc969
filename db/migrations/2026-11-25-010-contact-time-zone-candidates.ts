import { type Kysely, sql } from 'kysely';

/**
 * Where a number's digits narrow its zone down to several (a NANP area code that spans two
 * zones, a country with several), the import lists them all here, so the gate can require the
 * calling window to hold in every one. Null when the zone is known (or nothing is known).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table contacts add column time_zone_candidates text[]`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table contacts drop column time_zone_candidates`.execute(db);
}
