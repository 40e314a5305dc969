import { type Kysely, sql } from 'kysely';

/**
 * The dial log becomes tamper-evident: finalized rows are hash-chained (one global chain, and
 * a per-campaign chain interleaved with it), and the database itself refuses to change a
 * finalized row or to delete any row. Frozen in time: no application imports.
 */
const statements = [
  sql`alter table call_attempts add column campaign_seq bigint`,
  sql`alter table call_attempts add column campaign_prev_hash text`,
  sql`create unique index call_attempts_campaign_chain on call_attempts (campaign_id, campaign_seq)`,

  // The chain heads. Appending locks the single global row (FOR UPDATE) for the transaction, so
  // appends from several engine processes are serialized and the chain never forks.
  sql`create table dial_log_chain (
    id smallint primary key check (id = 1),
    last_seq bigint not null,
    last_hash text not null
  )`,
  sql`insert into dial_log_chain (id, last_seq, last_hash) values (1, 0, repeat('0', 64))`,
  sql`create table dial_log_campaign_chain (
    campaign_id integer primary key references campaigns(id),
    last_seq bigint not null,
    last_hash text not null
  )`,

  sql`create function call_attempts_guard() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then
        raise exception 'the dial log is append-only: call_attempts row % cannot be deleted', old.id
          using errcode = 'P0001';
      end if;
      if old.row_hash is not null then
        raise exception 'call_attempts row % is finalized and cannot be changed', old.id
          using errcode = 'P0001';
      end if;
      return new;
    end
  $$`,
  sql`create trigger call_attempts_guard before update or delete on call_attempts
    for each row execute function call_attempts_guard()`,
  sql`create function call_attempts_no_truncate() returns trigger language plpgsql as $$
    begin
      raise exception 'the dial log is append-only: call_attempts cannot be truncated' using errcode = 'P0001';
    end
  $$`,
  sql`create trigger call_attempts_no_truncate before truncate on call_attempts
    for each statement execute function call_attempts_no_truncate()`,
  // The chain heads only ever move forward.
  sql`create function dial_log_head_forward() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' or new.last_seq <= old.last_seq then
        raise exception 'the dial-log chain head only moves forward' using errcode = 'P0001';
      end if;
      return new;
    end
  $$`,
  sql`create trigger dial_log_chain_forward before update or delete on dial_log_chain
    for each row execute function dial_log_head_forward()`,
  sql`create trigger dial_log_campaign_chain_forward before update or delete on dial_log_campaign_chain
    for each row execute function dial_log_head_forward()`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger if exists call_attempts_no_truncate on call_attempts`.execute(db);
  await sql`drop trigger if exists call_attempts_guard on call_attempts`.execute(db);
  await sql`drop table if exists dial_log_campaign_chain`.execute(db);
  await sql`drop table if exists dial_log_chain`.execute(db);
  await sql`drop function if exists dial_log_head_forward()`.execute(db);
  await sql`drop function if exists call_attempts_no_truncate()`.execute(db);
  await sql`drop function if exists call_attempts_guard()`.execute(db);
  await sql`drop index if exists call_attempts_campaign_chain`.execute(db);
  await sql`alter table call_attempts drop column if exists campaign_prev_hash`.execute(db);
  await sql`alter table call_attempts drop column if exists campaign_seq`.execute(db);
}
