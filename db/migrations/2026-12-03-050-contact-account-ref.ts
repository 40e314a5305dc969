import { type Kysely, sql } from 'kysely';

/**
 * The account (the debt) a contact is called about, from the list's account column: per-account
 * frequency rules (Regulation F: 7 calls in 7 days per debt) count the calls to every contact of
 * the client that carries the same reference. Indexed for that count (one probe per contact).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table contacts add column account_ref text`.execute(db);
  await sql`create index contacts_account_ref on contacts (account_ref) where account_ref is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists contacts_account_ref`.execute(db);
  await sql`alter table contacts drop column account_ref`.execute(db);
}
