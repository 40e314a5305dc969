import { type Kysely, sql } from 'kysely';

/**
 * The pacer's learned statistics, one row per campaign: saved by the runner as it goes and read
 * at its start, so a restarted campaign paces warm instead of progressively from scratch.
 * Not evidence (a working estimate, replaced in place). Frozen in time: no application imports.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table pacing_statistics (
    campaign_id integer primary key references campaigns(id),
    statistics jsonb not null,
    saved_at timestamptz not null
  )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists pacing_statistics`.execute(db);
}
