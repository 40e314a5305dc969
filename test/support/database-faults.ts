import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/schema.ts';

let counter = 0;

export interface InjectedFault {
  /** How many statements the fault has met so far (failed or let through). */
  met(): Promise<number>;
  remove(): Promise<void>;
}

/**
 * Makes the database fail updates of `table` (those matching `when`, an SQL condition on
 * `old`/`new`) with the given SQLSTATE, the first `times` times, as a connection cut under the
 * statement would (57P01 by default: "terminating connection due to administrator command").
 * Works on PostgreSQL and PGlite alike: a trigger raises, a sequence counts across rollbacks.
 */
export async function failUpdates(
  db: Kysely<Database>,
  options: { table: 'call_attempts' | 'agent_sessions'; when?: string; times: number; sqlstate?: string },
): Promise<InjectedFault> {
  counter += 1;
  const name = `injected_fault_${process.pid}_${counter}`;
  const when = `(${options.when ?? 'true'})`;
  const sqlstate = options.sqlstate ?? '57P01';
  await sql.raw(`create sequence ${name}_seq`).execute(db);
  await sql
    .raw(`create function ${name}() returns trigger language plpgsql as $$
      begin
        if ${when} then
          if nextval('${name}_seq') <= ${options.times} then
            raise exception 'injected fault' using errcode = '${sqlstate}';
          end if;
        end if;
        return new;
      end $$`)
    .execute(db);
  await sql
    .raw(`create trigger ${name} before update on ${options.table} for each row execute function ${name}()`)
    .execute(db);
  return {
    async met() {
      const result = await sql<{
        n: number | null;
      }>`select last_value as n from ${sql.raw(`${name}_seq`)} where is_called`.execute(db);
      return Number(result.rows[0]?.n ?? 0);
    },
    async remove() {
      await sql.raw(`drop trigger ${name} on ${options.table}`).execute(db);
      await sql.raw(`drop function ${name}()`).execute(db);
      await sql.raw(`drop sequence ${name}_seq`).execute(db);
    },
  };
}
