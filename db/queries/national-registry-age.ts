import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * The load that dates our copy of the national registry: the latest full replacement
 * (`dnc import --scope national --replace`, national_dnc_syncs.replaced) at or before `asOf`.
 * An addition without --replace adds a few numbers to an older copy and proves nothing about
 * the numbers registered since, so it must not make the copy look fresh. The one definition of
 * the registry's age: the gate's 31-day rule and every view of the registry read it.
 */
export function latestFullRegistryLoad(db: Db, asOf?: Date) {
  let query = db
    .selectFrom('national_dnc_syncs')
    .selectAll()
    .where('replaced', '=', true)
    .orderBy('synced_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1);
  if (asOf) query = query.where('synced_at', '<=', asOf);
  return query.executeTakeFirst();
}
