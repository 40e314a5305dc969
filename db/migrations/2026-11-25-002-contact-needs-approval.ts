import { type Kysely, sql } from 'kysely';

/**
 * A contact whose number was already present or worked in another campaign needs the list
 * owner's re-marketing approval, not only at import (held) but at every dial: a revoked approval
 * must stop further dialing even of contacts already released.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table contacts add column needs_approval boolean not null default false`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table contacts drop column needs_approval`.execute(db);
}
